"""Times solder_runtime's flash attention and GEMM epilogues against torch on one GPU.

Run from the repository root: python bench/runtime_kernels.py
Prints a short table last; writes every number to $OUT/runtime_kernels.json (or ./bench/out/).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends" / "triton" / "runtime"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from triton.testing import do_bench  # noqa: E402

from solder_runtime.kernels.attention import attention  # noqa: E402
from solder_runtime.kernels.gated_mlp import gated_triton  # noqa: E402
from solder_runtime.kernels.gemm import gemm_triton  # noqa: E402
from solder_runtime.kernels.gemm_torch import gated_cublas, gemm_cublas  # noqa: E402


def ms(fn) -> float:
    return do_bench(fn, warmup=25, rep=100, return_mode="median")


def rel_err(got, want) -> float:
    return ((got.float() - want.float()).norm() / want.float().norm()).item()


def bench_attention(rows):
    for dtype in (torch.float16, torch.bfloat16):
        for b, h, s, d, causal in [(4, 16, 2048, 128, False), (4, 16, 2048, 128, True), (8, 16, 1024, 64, False),
                                   (8, 32, 512, 64, True), (16, 12, 384, 64, False)]:
            q, k, v = (torch.randn(b, h, s, d, device="cuda", dtype=dtype) for _ in range(3))
            out = torch.empty_like(q)
            ours = lambda: attention(q, k, v, out, causal=causal)
            ref = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            ours()
            err = rel_err(out, ref())
            t_ours, t_ref = ms(ours), ms(ref)
            flops = 4 * b * h * s * s * d / (2 if causal else 1)
            rows.append({"what": "attention", "dtype": str(dtype)[6:], "shape": f"b{b} h{h} s{s} d{d}{' causal' if causal else ''}",
                         "solder_ms": t_ours, "torch_ms": t_ref, "solder_tflops": flops / t_ours / 1e9,
                         "torch_tflops": flops / t_ref / 1e9, "rel_err": err})


def bench_gemm(rows):
    dtype = torch.float16
    for m, k, n in [(4096, 1024, 4096), (4096, 4096, 1024), (8192, 768, 3072), (512, 4096, 4096)]:
        x = torch.randn(m, k, device="cuda", dtype=dtype)
        w = (torch.randn(k, n, device="cuda") / k ** 0.5).to(dtype)
        bias = torch.randn(n, device="cuda", dtype=dtype)
        out = torch.empty(m, n, device="cuda", dtype=dtype)
        ref = lambda: F.gelu(torch.addmm(bias, x, w))
        want = ref()
        flops = 2 * m * n * k
        variants = {"triton": lambda: gemm_triton(x, w, out, bias, None, "gelu"),
                    "cublas+epilogue": lambda: gemm_cublas(x, w, out, bias, None, "gelu")}
        for name, fn in variants.items():
            fn()
            err = rel_err(out, want)
            t_ours, t_ref = ms(fn), ms(ref)
            rows.append({"what": f"gemm+bias+gelu {name}", "dtype": "float16", "shape": f"{m}x{k}x{n}",
                         "solder_ms": t_ours, "torch_ms": t_ref, "solder_tflops": flops / t_ours / 1e9,
                         "torch_tflops": flops / t_ref / 1e9, "rel_err": err})
    m, k, n = 4096, 1024, 2816
    x = torch.randn(m, k, device="cuda", dtype=dtype)
    w = (torch.randn(k, 2 * n, device="cuda") / k ** 0.5).to(dtype)
    out = torch.empty(m, n, device="cuda", dtype=dtype)
    ref = lambda: (lambda y: F.silu(y[:, :n]) * y[:, n:])(x @ w)
    want = ref()
    for name, fn in {"triton": lambda: gated_triton(x, w, out), "cublas+epilogue": lambda: gated_cublas(x, w, out)}.items():
        fn()
        err = rel_err(out, want)
        t_ours, t_ref = ms(fn), ms(ref)
        flops = 4 * m * n * k
        rows.append({"what": f"gated_mlp silu {name}", "dtype": "float16", "shape": f"{m}x{k}x2*{n}",
                     "solder_ms": t_ours, "torch_ms": t_ref, "solder_tflops": flops / t_ours / 1e9,
                     "torch_tflops": flops / t_ref / 1e9, "rel_err": err})


def main():
    torch.manual_seed(0)
    rows = []
    bench_attention(rows)
    bench_gemm(rows)
    out_dir = Path(os.environ.get("OUT") or Path(__file__).parent / "out")
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"device": torch.cuda.get_device_name(), "torch": torch.__version__,
            "triton": __import__("triton").__version__}
    (out_dir / "runtime_kernels.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    print(f"\n{meta}")
    print(f"{'kernel':34} {'dtype':8} {'shape':26} {'solder ms':>10} {'torch ms':>9} {'TF/s ours':>9} {'TF/s torch':>10} {'rel err':>8}")
    for r in rows:
        print(f"{r['what']:34} {r['dtype']:8} {r['shape']:26} {r['solder_ms']:10.4f} {r['torch_ms']:9.4f} "
              f"{r['solder_tflops']:9.1f} {r['torch_tflops']:10.1f} {r['rel_err']:8.1e}")


if __name__ == "__main__":
    main()
