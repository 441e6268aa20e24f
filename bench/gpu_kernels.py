"""Kernel-level timings for BERT-base's hot shapes on the device machine, to decide kernel choices.

One call checks and times: the four GEMM shapes at 32x512 (cuBLAS + epilogue pass against the
Triton GEMM with its fused epilogue), attention at 32x512 and 8x512 (each Triton config, the
per-key mask path against the full-mask path, torch SDPA as a yardstick), and the four GEMM
shapes at 16 rows (cuBLAS, split-K Triton, Triton), with weights rotated past L2.
(Run 1 also timed a persistent TMA GEMM; it lost to both everywhere and was dropped: bench/notes.md.)
Prints a table per section; full results go to $OUT/gpu_kernels.json.

Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_kernels.py [--sections gemm,attention,skinny]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import torch
import triton
from triton.testing import do_bench, do_bench_cudagraph

from solder_runtime.kernels.attention import _attention_kernel, _configs as attention_configs, attention
from solder_runtime.kernels.common import torch_activation
from solder_runtime.kernels.gemm import gemm_triton
from solder_runtime.kernels.gemm_skinny import gemm_skinny
from solder_runtime.kernels.gemm_torch import gemm_cublas

HIDDEN, FFN = 768, 3072
BERT_GEMMS = {"qkv": (HIDDEN, 3 * HIDDEN, "none"), "out": (HIDDEN, HIDDEN, "none"),
              "ffn_up": (HIDDEN, FFN, "gelu"), "ffn_down": (FFN, HIDDEN, "none")}
results: dict = {}


def rel_l2(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got.double() - want).norm() / want.norm()).item()


def gemm_reference(x, w, bias, act):
    return torch_activation(x.double() @ w.double() + bias.double(), act)


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n{title}\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    sys.stdout.flush()


def bench_gemm(M: int, names: list[str]) -> None:
    rows = []
    for name in names:
        K, N, act = BERT_GEMMS[name]
        x = torch.randn(M, K, device="cuda").half()
        w = (torch.randn(K, N, device="cuda") * K ** -0.5).half()
        bias = torch.randn(N, device="cuda").half()
        out = torch.empty(M, N, device="cuda", dtype=torch.float16)
        want = gemm_reference(x, w, bias, act)
        flops = 2 * M * N * K
        candidates = {"cublas+pass": lambda o, c=None: gemm_cublas(x, w, o, bias, None, act),
                      "triton(autotuned)": lambda o, c=None: gemm_triton(x, w, o, bias, None, act)}
        for label, fn in candidates.items():
            try:
                out.fill_(float("nan"))
                fn(out)
                err = rel_l2(out, want)
                ms = do_bench(lambda: fn(out), warmup=25, rep=100, return_mode="median")
            except Exception as e:  # a config the compiler refuses (shared memory) is a result too
                rows.append([M, name, label, "failed", str(e).splitlines()[0][:60], ""])
                continue
            rows.append([M, name, label, f"{ms * 1000:.1f}", f"{flops / ms / 1e9:.0f}", f"{err:.1e}"])
            results.setdefault("gemm", []).append({"M": M, "gemm": name, "impl": label, "us": ms * 1000, "rel_l2": err})
    table(f"GEMMs at M={M} (float16, bias; erf GELU on ffn_up)", ["M", "gemm", "impl", "us", "TFLOP/s", "rel L2"], rows)


def attention_inputs(B: int, S: int, H: int = 12, D: int = 64, pad: int = 37):
    qkv = torch.randn(B, S, 3, H, D, device="cuda").half()
    q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))  # strided views, as the plan passes them
    mask = torch.zeros(B, 1, 1, S, device="cuda", dtype=torch.float16)
    mask[1::2, ..., S - pad:] = torch.finfo(torch.float16).min  # half the rows padded
    return q, k, v, mask


def attention_reference(q, k, v, mask):
    s = (q.double() @ k.double().transpose(-1, -2)) / math.sqrt(q.shape[-1]) + mask.double()
    return torch.softmax(s, -1) @ v.double()


def bench_attention(B: int, S: int) -> None:
    q, k, v, mask = attention_inputs(B, S)
    out = torch.empty_like(q)
    want = attention_reference(q[:2], k[:2], v[:2], mask[:2])
    flops = 4 * B * 12 * S * S * 64
    per_key_mask = mask.expand(B, 12, S, S)  # stride 0 over heads and queries, as attention() passes it
    full_mask = per_key_mask.contiguous()
    rows = []

    def launch(o, c, m, per_key):
        ms_ = m.stride()
        grid = (triton.cdiv(S, c.kwargs["BLOCK_M"]), B * 12)
        _attention_kernel.fn[grid](q, k, v, o, q, m, B, 12, 1, S, S, 1 / math.sqrt(64) * 1.4426950408889634,
                                   *q.stride(), *k.stride(), *v.stride(), *o.stride(), *ms_, 0,
                                   HAS_LENS=False, HAS_MASK=True, MASK_PER_KEY=per_key, CAUSAL=False,
                                   PRECISION="tf32", HEAD_D=64, num_warps=c.num_warps, num_stages=c.num_stages,
                                   **c.kwargs)

    candidates = {}
    for c in attention_configs():
        if c.kwargs["BLOCK_M"] <= 32 and S > 32:
            continue
        tag = f"{c.kwargs['BLOCK_M']}x{c.kwargs['BLOCK_N']} w{c.num_warps} s{c.num_stages}"
        candidates[f"triton per-key {tag}"] = lambda o, c=c: launch(o, c, per_key_mask, True)
        candidates[f"triton full-mask {tag}"] = lambda o, c=c: launch(o, c, full_mask, False)
    candidates["solder attention() autotuned"] = lambda o: attention(q, k, v, o, mask=mask)
    from torch.nn.attention import SDPBackend, sdpa_kernel
    for backend in (SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION):
        def sdpa(o, backend=backend):
            with sdpa_kernel(backend):
                o.copy_(torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask))
        candidates[f"torch sdpa {backend.name} (+copy)"] = sdpa
    for label, fn in candidates.items():
        try:
            out.fill_(float("nan"))
            fn(out)
            err = rel_l2(out[:2], want)
            ms = do_bench(lambda: fn(out), warmup=25, rep=100, return_mode="median")
        except Exception as e:
            rows.append([f"{B}x{S}", label, "failed", str(e).splitlines()[0][:60], ""])
            continue
        rows.append([f"{B}x{S}", label, f"{ms * 1000:.1f}", f"{flops / ms / 1e9:.0f}", f"{err:.1e}"])
        results.setdefault("attention", []).append({"shape": f"{B}x{S}", "impl": label, "us": ms * 1000, "rel_l2": err})
    table(f"attention {B}x{S}, 12 heads x 64, additive padding mask [B,1,1,S] (one layer)",
          ["shape", "impl", "us", "TFLOP/s", "rel L2"], rows)


def bench_skinny(M: int = 16, copies: int = 24) -> None:
    """Weights rotated over `copies` tensors (> 50 MB L2) inside one CUDA graph: HBM-bound, as in the model."""
    rows = []
    for name, (K, N, act) in BERT_GEMMS.items():
        x = torch.randn(M, K, device="cuda").half()
        ws = [(torch.randn(K, N, device="cuda") * K ** -0.5).half() for _ in range(copies)]
        bias = torch.randn(N, device="cuda").half()
        outs = [torch.empty(M, N, device="cuda", dtype=torch.float16) for _ in range(copies)]
        impls = {"cublas": gemm_cublas, "skinny": gemm_skinny, "triton": gemm_triton}
        for label, impl in impls.items():
            try:
                for w, o in zip(ws, outs):
                    impl(x, w, o, bias, None, act)  # compile + autotune before capture
                err = rel_l2(outs[0], gemm_reference(x, ws[0], bias, act))
                ms = do_bench_cudagraph(lambda: [impl(x, w, o, bias, None, act) for w, o in zip(ws, outs)], rep=50,
                                        return_mode="median") / copies
            except Exception as e:
                rows.append([name, label, "failed", str(e).splitlines()[0][:60], ""])
                continue
            gbps = K * N * 2 / (ms * 1e-3) / 1e9
            rows.append([name, label, f"{ms * 1000:.2f}", f"{gbps:.0f}", f"{err:.1e}"])
            results.setdefault("skinny", []).append({"M": M, "gemm": name, "impl": label, "us": ms * 1000, "rel_l2": err})
    table(f"GEMMs at M={M}, per call inside a CUDA graph (weights rotated past L2)",
          ["gemm", "impl", "us", "weight GB/s", "rel L2"], rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sections", default="gemm,attention,skinny")
    args = ap.parse_args()
    start = time.time()
    print(torch.cuda.get_device_name(), "torch", torch.__version__, "triton", triton.__version__)
    for section in args.sections.split(","):
        if section == "gemm":
            bench_gemm(16384, list(BERT_GEMMS))
            bench_gemm(4096, ["ffn_up"])
        elif section == "attention":
            bench_attention(32, 512)
            bench_attention(8, 512)
        elif section == "skinny":
            bench_skinny()
        print(f"[{time.time() - start:.0f} s] {section} done")
        out_dir = os.environ.get("OUT", "bench/out")
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "gpu_kernels.json"), "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
