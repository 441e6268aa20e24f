"""Where BERT-base's 32x512 forward loses ~0.6 ms between kernels (run B6: graph replay 7.60 ms,
kernel sum 6.98 ms over 153 kernels for 90 launches): what each GEMM path launches inside a CUDA
graph, and how long a graph of them takes against the sum of its kernels.

For each of BERT's four GEMM shapes at M=16384 (fp16, bias, erf GELU on FFN-up), captures 8 calls
of the runtime's cuBLAS path (solder_runtime.kernels.gemm_torch.gemm_cublas) and of the Triton
GEMM in one graph, profiles one replay (kernels and memsets, by name) and times replays.
Prints a table; full results in $OUT/gpu_cublas_gaps.json.
Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_cublas_gaps.py
"""
from __future__ import annotations

import collections
import json
import os

import torch
from torch.profiler import ProfilerActivity, profile

from gpu_kernels import BERT_GEMMS
from solder_runtime.graphs import capture
from solder_runtime.kernels.gemm import gemm_triton
from solder_runtime.kernels.gemm_torch import gemm_cublas
from solder_runtime.timing import event_ms

M, CALLS = 16384, 8


def profile_graph(graph) -> dict:
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        graph.replay()
        torch.cuda.synchronize()
    kinds = collections.Counter()
    busy_us = 0.0
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            kinds[e.name[:60]] += 1
            busy_us += e.device_time
    return {"launches": dict(kinds), "busy_us": busy_us}


def main() -> None:
    torch.manual_seed(0)
    rows = []
    results = {}
    for name, (K, N, act) in BERT_GEMMS.items():
        x = torch.randn(M, K, device="cuda").half()
        w = (torch.randn(K, N, device="cuda") * K ** -0.5).half()
        b = torch.randn(N, device="cuda").half()
        out = torch.empty(M, N, device="cuda", dtype=torch.float16)
        for path, fn in (("cublas", gemm_cublas), ("triton", gemm_triton)):
            call = lambda: fn(x, w, out, b, None, act)
            call()
            torch.cuda.synchronize()
            graph = capture(lambda: [call() for _ in range(CALLS)])
            graph.replay()
            torch.cuda.synchronize()
            replay_us = sorted(event_ms(graph.replay) for _ in range(15))[7] * 1000 / CALLS
            prof = profile_graph(graph)
            busy = prof["busy_us"] / CALLS
            per_call = {k: v / CALLS for k, v in prof["launches"].items()}
            results[f"{name}/{path}"] = {"replay_us_per_call": replay_us, "kernel_us_per_call": busy, "launches_per_call": per_call}
            rows.append([name, path, f"{replay_us:.1f}", f"{busy:.1f}", f"{replay_us - busy:.1f}",
                         "; ".join(f"{k} x{v:g}" for k, v in per_call.items())])
            print(rows[-1], flush=True)
    print("\n| GEMM | path | replay us/call | kernel us/call | gap us/call | launches per call |\n|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    out_dir = os.environ.get("OUT")
    if out_dir:
        with open(os.path.join(out_dir, "gpu_cublas_gaps.json"), "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
