"""Does moving BERT's erf GELU from the FFN-up GEMM's epilogue into the FFN-down GEMM's prologue pay?

cuBLAS cannot fuse an erf GELU, so today FFN-up runs as cuBLAS + a GELU pass (or a Triton GEMM
with the GELU in its epilogue), then FFN-down as cuBLAS. Moved: FFN-up as a plain cuBLAS GEMM
with bias, FFN-down as a Triton GEMM that applies the GELU to each tile of its input as it loads
it (or cuBLAS after a GELU pass, which is the old cost moved). For each row count M this times
every implementation of the four GEMMs (fp16, BERT-base sizes), takes the fastest of each, and
compares the two routes' sums. Also checks that both routes give the same result.

Large M: triton.testing.do_bench (L2 flushed before each call). Small M (<= 512): one CUDA graph
of many calls rotating over enough weight copies to miss L2, as in a real forward.
Prints a table; full results in $OUT/gpu_gemm_prologue.json.
Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_gemm_prologue.py
"""
from __future__ import annotations

import json
import os
import sys

import torch
from triton.testing import do_bench

from solder_runtime.kernels.gemm import gemm_triton
from solder_runtime.kernels.gemm_skinny import MAX_ROWS, gemm_skinny
from solder_runtime.kernels.gemm_torch import gemm_cublas

HIDDEN, FFN = 768, 3072
ROWS = [16, 128, 512, 1024, 4096, 16384]
COPIES = 12  # 12 x (4.7 + 4.7) MB of weights: well past the H100's 50 MB L2


def impls(M: int) -> dict:
    found = {"cublas": gemm_cublas, "triton": gemm_triton}
    if M <= MAX_ROWS:
        found["skinny"] = gemm_skinny
    return found


def time_small(fn_for_copy) -> float:
    """us per call: a CUDA graph of COPIES x 4 calls, each on another weight copy."""
    for i in range(COPIES):
        fn_for_copy(i)  # compile and autotune outside the capture
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(4):
            for i in range(COPIES):
                fn_for_copy(i)
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(15):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1000 / (4 * COPIES))
    return sorted(times)[len(times) // 2]


def main() -> None:
    torch.manual_seed(0)
    w1 = [(torch.randn(HIDDEN, FFN, device="cuda") * HIDDEN ** -0.5).half() for _ in range(COPIES)]
    w2 = [(torch.randn(FFN, HIDDEN, device="cuda") * FFN ** -0.5).half() for _ in range(COPIES)]
    b1 = torch.randn(FFN, device="cuda").half()
    b2 = torch.randn(HIDDEN, device="cuda").half()
    results, rows = [], []
    for M in ROWS:
        x = torch.randn(M, HIDDEN, device="cuda").half()
        u = torch.empty(M, FFN, device="cuda", dtype=torch.float16)  # FFN-up without the GELU
        h = torch.empty_like(u)  # FFN-up with it
        y = torch.empty(M, HIDDEN, device="cuda", dtype=torch.float16)
        steps = {
            "up+gelu": lambda f, i: f(x, w1[i], h, b1, None, "gelu"),
            "up": lambda f, i: f(x, w1[i], u, b1, None, "none"),
            "down": lambda f, i: f(h, w2[i], y, b2, None, "none"),
            "gelu>down": lambda f, i: f(u, w2[i], y, b2, None, "none", input_activation="gelu"),
        }
        timed = {}
        for step, call in steps.items():
            for name, f in impls(M).items():
                fn = (lambda f=f, call=call: lambda i: call(f, i))()
                us = time_small(fn) if M <= 512 else do_bench(lambda: fn(0), warmup=25, rep=200) * 1000
                timed[f"{step}/{name}"] = us
        best = {step: min((t, k) for k, t in timed.items() if k.startswith(step + "/")) for step in steps}
        today = best["up+gelu"][0] + best["down"][0]
        moved = best["up"][0] + best["gelu>down"][0]
        # same function: the old route (Triton, GELU in FFN-up's epilogue) against the new (prologue)
        gemm_triton(x, w1[0], h, b1, None, "gelu")
        gemm_triton(h, w2[0], y, b2, None, "none")
        old = y.clone()
        gemm_cublas(x, w1[0], u, b1, None, "none")
        gemm_triton(u, w2[0], y, b2, None, "none", input_activation="gelu")
        rel = ((y.double() - old.double()).norm() / old.double().norm()).item()
        results.append({"M": M, "timed_us": timed, "best": {s: {"us": t, "impl": k} for s, (t, k) in best.items()},
                        "today_us": today, "moved_us": moved, "rel_l2_moved_vs_today": rel})
        rows.append([M, f"{best['up+gelu'][0]:.1f} ({best['up+gelu'][1].split('/')[1]})",
                     f"{best['down'][0]:.1f} ({best['down'][1].split('/')[1]})", f"{today:.1f}",
                     f"{best['up'][0]:.1f} ({best['up'][1].split('/')[1]})",
                     f"{best['gelu>down'][0]:.1f} ({best['gelu>down'][1].split('/')[1]})", f"{moved:.1f}",
                     f"{today / moved:.2f}", f"{rel:.1e}"])
        print(f"M={M}: " + ", ".join(f"{k} {v:.1f}" for k, v in timed.items()), flush=True)
    header = ["M", "up+gelu us", "down us", "today us", "up us", "gelu>down us", "moved us", "today/moved", "rel L2"]
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    out = os.environ.get("OUT")
    if out:
        with open(os.path.join(out, "gpu_gemm_prologue.json"), "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__, "results": results}, f, indent=1)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
