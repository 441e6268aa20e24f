"""FFN-up with its erf GELU: the Triton GEMM, config by config, against cuBLAS + the GELU pass.

Autotuning picks one config per process from one timing each, and its picks moved by up to 2x
between runs (bench/notes.md, run P2), so this times every config of the Triton GEMM itself,
three rounds interleaved, and keeps each config's best. Run it twice to compare erf versions
(the device command swaps kernels/common.py between runs). fp16, BERT-base sizes.
Prints a table; full results in $OUT/gpu_gemm_erf[_TAG].json.
Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_gemm_erf.py [TAG]
"""
from __future__ import annotations

import json
import os
import sys

import torch
import triton
from triton.testing import do_bench

from solder_runtime.kernels.common import activation_code, dot_precision
from solder_runtime.kernels.gemm import _gemm_kernel, gemm_configs
from solder_runtime.kernels.gemm_torch import gemm_cublas

HIDDEN, FFN = 768, 3072
ROWS = [1024, 4096, 16384]
ROUNDS = 3


def triton_call(x, w, b, out, act, config):
    M, K = x.shape
    N = w.shape[1]
    grid = (triton.cdiv(M, config.kwargs["BLOCK_M"]) * triton.cdiv(N, config.kwargs["BLOCK_N"]),)
    return lambda: _gemm_kernel.fn[grid](
        x, w, b, out, out, M, N, K, x.stride(0), x.stride(1), w.stride(0), w.stride(1), out.stride(0), out.stride(1),
        out.stride(0), out.stride(1), HAS_BIAS=True, ACT=activation_code(act), HAS_RES=False, IN_ACT=0,
        PRECISION=dot_precision(x.dtype), num_warps=config.num_warps, num_stages=config.num_stages, **config.kwargs)


def main() -> None:
    tag = sys.argv[1] if len(sys.argv) > 1 else "run"
    torch.manual_seed(0)
    w = (torch.randn(HIDDEN, FFN, device="cuda") * HIDDEN ** -0.5).half()
    b = torch.randn(FFN, device="cuda").half()
    results = []
    print(f"| {tag}: M | cuBLAS+pass us | cuBLAS no GELU us | Triton GELU best us (config) | Triton no GELU best us | GELU cost in Triton us | max abs vs float64 |")
    print("|---|---|---|---|---|---|---|")
    for M in ROWS:
        x = torch.randn(M, HIDDEN, device="cuda").half()
        out = torch.empty(M, FFN, device="cuda", dtype=torch.float16)
        calls = {"cublas+gelu": lambda: gemm_cublas(x, w, out, b, None, "gelu"),
                 "cublas": lambda: gemm_cublas(x, w, out, b, None, "none")}
        for i, cfg in enumerate(gemm_configs()):
            calls[f"gelu/{i}"] = triton_call(x, w, b, out, "gelu", cfg)
            calls[f"none/{i}"] = triton_call(x, w, b, out, "none", cfg)
        best: dict[str, float] = {}
        for _ in range(ROUNDS):
            for name, fn in calls.items():
                try:
                    us = do_bench(fn, warmup=10, rep=60) * 1000
                except Exception as e:  # a config that does not fit (shared memory): skip it
                    print(f"  {name}: {type(e).__name__}", file=sys.stderr)
                    continue
                best[name] = min(best.get(name, float("inf")), us)
        gelu = min((t, k) for k, t in best.items() if k.startswith("gelu/"))
        plain = min((t, k) for k, t in best.items() if k.startswith("none/"))
        calls[gelu[1]]()
        want = x.double() @ w.double() + b.double()
        err = (out.double() - torch.nn.functional.gelu(want)).abs().max().item()
        cfg = gemm_configs()[int(gelu[1].split("/")[1])]
        print(f"| {M} | {best['cublas+gelu']:.1f} | {best['cublas']:.1f} | {gelu[0]:.1f} ({cfg.kwargs['BLOCK_M']}x{cfg.kwargs['BLOCK_N']}x"
              f"{cfg.kwargs['BLOCK_K']} w{cfg.num_warps} s{cfg.num_stages}) | {plain[0]:.1f} | {gelu[0] - plain[0]:.1f} | {err:.1e} |", flush=True)
        results.append({"M": M, "best_us": best, "max_abs_vs_float64": err})
    out_dir = os.environ.get("OUT")
    if out_dir:
        with open(os.path.join(out_dir, f"gpu_gemm_erf_{tag}.json"), "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
