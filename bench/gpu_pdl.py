"""Programmatic dependent launch (PDL) for few-row GEMMs: does starting each split-K GEMM while
the previous one still runs (its first weight tile already streaming) shorten a chain of them?

A chain like BERT-base's FFNs at 16 rows: 24 x (768 -> 3072 -> 768), 48 GEMMs with their own
weights (226 MB in all, so every GEMM reads its weights from HBM as in a forward), captured in
one CUDA graph, with and without PDL; same autotuned configs for both. Checks both against a
float64 chain (and how much two replays of the same graph differ: split-K sums with atomics), prints median replay times and per-GEMM cost; full results in
$OUT/gpu_pdl.json. Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_pdl.py
"""
from __future__ import annotations

import json
import os

import torch

from solder_runtime.graphs import capture
from solder_runtime.kernels.gemm_skinny import gemm_skinny
from solder_runtime.timing import event_ms

HIDDEN, FFN, PAIRS, ROWS = 768, 3072, 24, 16


def rel_l2(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got.double() - want).norm() / want.norm()).item()


def main() -> None:
    torch.manual_seed(0)
    ups = [(torch.randn(HIDDEN, FFN, device="cuda") * HIDDEN ** -0.5).half() for _ in range(PAIRS)]
    downs = [(torch.randn(FFN, HIDDEN, device="cuda") * FFN ** -0.5).half() for _ in range(PAIRS)]
    x = torch.randn(ROWS, HIDDEN, device="cuda").half()
    mids = [torch.empty(ROWS, FFN, device="cuda", dtype=torch.float16) for _ in range(PAIRS)]
    outs = [torch.empty(ROWS, HIDDEN, device="cuda", dtype=torch.float16) for _ in range(PAIRS)]

    def chain(pdl: bool) -> None:
        h = x
        for i in range(PAIRS):
            gemm_skinny(h, ups[i], mids[i], activation="relu", pdl=pdl)
            gemm_skinny(mids[i], downs[i], outs[i], pdl=pdl)
            h = outs[i]

    h = x.double()
    for i in range(PAIRS):
        h = torch.relu(h @ ups[i].double()).half().double() @ downs[i].double()
        h = h.half().double()  # each GEMM stores float16, as the kernels do
    want = h
    results = {}
    for pdl in (False, True):
        chain(pdl)  # autotunes (the key ignores pdl: both run the same configs) and compiles
        torch.cuda.synchronize()
        graph = capture(lambda: chain(pdl))
        graph.replay()
        torch.cuda.synchronize()
        final = outs[-1].clone()
        graph.replay()
        torch.cuda.synchronize()
        # split-K adds partial sums with atomics in arrival order: replays need not agree bit for bit
        replay_diff = (outs[-1].float() - final.float()).abs().max().item()
        times = sorted(event_ms(graph.replay) for _ in range(30))
        results["pdl" if pdl else "plain"] = {"median_ms": times[15], "p10_ms": times[3], "p90_ms": times[27], "out": final,
                                              "rel_l2_vs_float64": rel_l2(final, want), "replay_max_diff": replay_diff}
    same = torch.equal(results["plain"]["out"], results["pdl"]["out"])
    plain, pdl = results["plain"]["median_ms"], results["pdl"]["median_ms"]
    n = 2 * PAIRS
    print(f"| chain of {n} GEMMs at {ROWS} rows | median ms | p10-p90 | us per GEMM |\n|---|---|---|---|")
    for name in ("plain", "pdl"):
        r = results[name]
        print(f"| {name} | {r['median_ms']:.4f} | {r['p10_ms']:.4f}-{r['p90_ms']:.4f} | {1000 * r['median_ms'] / n:.2f} |")
    print(f"PDL saves {1000 * (plain - pdl) / n:.2f} us per GEMM; outputs bit-identical: {same}")
    for name in ("plain", "pdl"):
        r = results[name]
        print(f"{name}: rel L2 vs float64 chain {r['rel_l2_vs_float64']:.2e}, max diff between two replays {r['replay_max_diff']:.2e}")
    out = os.environ.get("OUT")
    if out:
        with open(os.path.join(out, "gpu_pdl.json"), "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "identical": same,
                       **{k: {kk: vv for kk, vv in v.items() if kk != "out"} for k, v in results.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
