"""Two questions about BERT-base at 32x512 on the device machine.

1. Attention: is there a config of solder's attention kernel, outside the nine it autotunes over,
   that is clearly faster for 32x512 (12 heads x 64, per-key padding mask)? Sweeps tile sizes,
   warps and pipeline stages, each timed in a CUDA graph (timing.bench_in_graph), checked against
   float64.
2. Sustained load: do clocks drop when forwards run back to back? Replays a graph of BERT's four
   GEMMs at M=16384 (cuBLAS) for ~5 s and compares the first and last replays' times; run it with
   `nvidia-smi --query-gpu=clocks.sm,power.draw --format=csv -lms 200` in the background.

Prints tables; full results in $OUT/gpu_attention_sweep.json.
Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_attention_sweep.py
"""
from __future__ import annotations

import itertools
import json
import math
import os
import time

import torch
import triton

from gpu_kernels import BERT_GEMMS, attention_inputs, attention_reference, rel_l2
from solder_runtime.graphs import capture
from solder_runtime.kernels.attention import _attention_kernel, _configs
from solder_runtime.kernels.gemm_torch import gemm_cublas
from solder_runtime.timing import bench_in_graph, event_ms

B, S, H, D = 32, 512, 12, 64


def sweep_attention() -> list[dict]:
    q, k, v, mask = attention_inputs(B, S)
    per_key = mask.expand(B, H, S, S)
    want = attention_reference(q[:2], k[:2], v[:2], mask[:2])
    out = torch.empty_like(q)
    flops = 4 * B * H * S * S * D
    autotuned = {(c.kwargs["BLOCK_M"], c.kwargs["BLOCK_N"], c.num_warps, c.num_stages) for c in _configs()}
    rows = []
    for bm, bn, warps, stages in itertools.product((64, 128), (32, 64, 128), (4, 8), (1, 2, 3, 4)):
        grid = (triton.cdiv(S, bm), B * H)

        def launch():
            _attention_kernel.fn[grid](q, k, v, out, q, per_key, B, H, 1, S, S, 1 / math.sqrt(D) * 1.4426950408889634,
                                       *q.stride(), *k.stride(), *v.stride(), *out.stride(), *per_key.stride(), 0,
                                       HAS_LENS=False, HAS_MASK=True, MASK_PER_KEY=True, CAUSAL=False,
                                       PRECISION="tf32", HEAD_D=D, BLOCK_M=bm, BLOCK_N=bn,
                                       num_warps=warps, num_stages=stages)
        try:
            out.fill_(float("nan"))
            launch()
            err = rel_l2(out[:2], want)
            us = bench_in_graph(launch) * 1000
        except Exception as e:  # shared memory or registers: a config that does not fit
            rows.append({"config": [bm, bn, warps, stages], "error": str(e).splitlines()[0][:80]})
            continue
        rows.append({"config": [bm, bn, warps, stages], "us": us, "tflops": flops / us / 1e6, "rel_l2": err,
                     "autotuned_today": (bm, bn, warps, stages) in autotuned})
    ok = sorted((r for r in rows if "us" in r), key=lambda r: r["us"])
    print("\n| BLOCK_M x BLOCK_N, warps, stages | us (one layer) | TFLOP/s | rel L2 | in today's list |\n|---|---|---|---|---|")
    for r in ok[:8] + [r for r in ok[8:] if r["autotuned_today"]][:3]:
        bm, bn, w, st = r["config"]
        print(f"| {bm}x{bn} w{w} s{st} | {r['us']:.1f} | {r['tflops']:.0f} | {r['rel_l2']:.1e} | {r['autotuned_today']} |")
    print(f"{len(ok)} configs ran, {len(rows) - len(ok)} did not fit", flush=True)
    return rows


def sustained_gemms() -> dict:
    torch.manual_seed(0)
    M = 16384
    calls = []
    for K, N, act in BERT_GEMMS.values():
        x = torch.randn(M, K, device="cuda").half()
        w = (torch.randn(K, N, device="cuda") * K ** -0.5).half()
        b = torch.randn(N, device="cuda").half()
        out = torch.empty(M, N, device="cuda", dtype=torch.float16)
        calls.append(lambda x=x, w=w, b=b, out=out, act=act: gemm_cublas(x, w, out, b, None, act))
    for c in calls:
        c()
    torch.cuda.synchronize()
    graph = capture(lambda: [c() for _ in range(3) for c in calls])
    graph.replay()
    torch.cuda.synchronize()
    times, start = [], time.time()
    while time.time() - start < 5.0:
        times.append(event_ms(graph.replay))
    first, last = sorted(times[:20])[10], sorted(times[-20:])[10]
    print(f"\nsustained GEMM graph (12 GEMMs, ~{first:.2f} ms per replay): {len(times)} replays in 5 s; "
          f"median of the first 20 {first:.3f} ms, of the last 20 {last:.3f} ms ({100 * (last / first - 1):+.1f}%)", flush=True)
    return {"replays": len(times), "first20_median_ms": first, "last20_median_ms": last, "all_ms": times[::10]}


def main() -> None:
    results = {"device": torch.cuda.get_device_name(), "attention": sweep_attention(), "sustained": sustained_gemms()}
    out_dir = os.environ.get("OUT")
    if out_dir:
        with open(os.path.join(out_dir, "gpu_attention_sweep.json"), "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
