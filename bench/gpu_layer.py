"""BERT-base encoder layers at few tokens: one persistent launch per layer against today's seven.

Builds 12 BERT-base layers (random float16 weights, 170 MB: more than L2, so each replay
streams weights from HBM as a forward does), then checks and times four ways of running them,
each captured in one CUDA graph of the 12 layers:
  separate           the plan's seven library launches per layer (GEMM choice timed as plans do)
  one_launch         kernels.encoder_layer, one launch per layer with grid barriers
  one_launch_no_pdl  the same without programmatic dependent launch
  per_phase          the same kernel, one launch per phase (what the barriers save)
then each phase alone (12 launches of one phase), and inside one launch each program's clock at
every barrier (stamps), to show where a layer's time goes.
Prints tables; full results in $OUT/gpu_layer.json.

Run: PYTHONPATH=backends/triton/runtime python3 bench/gpu_layer.py [--tokens 1x16,2x8] (<= 16 tokens)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys

import torch

from solder_runtime.graphs import capture
from solder_runtime.kernels.attention import attention
from solder_runtime.kernels.encoder_layer import PHASES, encoder_layer
from solder_runtime.kernels.linear import gemm
from solder_runtime.kernels.norm import skip_layer_norm
from solder_runtime.timing import event_ms

HIDDEN, HEADS, FFN, LAYERS, EPS = 768, 12, 3072, 12, 1e-12


def make_weights(seed: int) -> dict:
    g = torch.Generator(device="cuda").manual_seed(seed)
    rnd = lambda *s, scale: (torch.randn(*s, generator=g, device="cuda") * scale).half()
    return dict(w_qkv=rnd(HIDDEN, 3 * HIDDEN, scale=0.03), b_qkv=rnd(3 * HIDDEN, scale=0.02),
                w_o=rnd(HIDDEN, HIDDEN, scale=0.03), b_o=rnd(HIDDEN, scale=0.02), g1=1 + rnd(HIDDEN, scale=0.05),
                be1=rnd(HIDDEN, scale=0.02), w_up=rnd(HIDDEN, FFN, scale=0.03), b_up=rnd(FFN, scale=0.02),
                w_down=rnd(FFN, HIDDEN, scale=0.02), b_down=rnd(HIDDEN, scale=0.02), g2=1 + rnd(HIDDEN, scale=0.05),
                be2=rnd(HIDDEN, scale=0.02))


def make_buffers(batch: int, seq: int) -> dict:
    m, d = batch * seq, HIDDEN // HEADS
    e = lambda *s: torch.empty(*s, device="cuda", dtype=torch.float16)
    b = dict(qkv=e(m, 3 * HIDDEN), ctx_rows=e(m, HIDDEN), t1=e(m, HIDDEN), y1=e(m, HIDDEN), u=e(m, FFN),
             t2=e(m, HIDDEN))
    heads = b["qkv"].view(batch, seq, 3, HEADS, d).permute(2, 0, 3, 1, 4)
    b.update(q=heads[0], k=heads[1], v=heads[2], ctx=b["ctx_rows"].view(batch, seq, HEADS, d).transpose(1, 2))
    return b


def separate(x, w, b, out, mask):
    gemm(x, w["w_qkv"], b["qkv"], bias=w["b_qkv"])
    attention(b["q"], b["k"], b["v"], b["ctx"], mask=mask)
    gemm(b["ctx_rows"], w["w_o"], b["t1"], bias=w["b_o"])
    skip_layer_norm(b["t1"], x, w["g1"], b["y1"], bias=w["be1"], eps=EPS)
    gemm(b["y1"], w["w_up"], b["u"], bias=w["b_up"], activation="gelu")
    gemm(b["u"], w["w_down"], b["t2"], bias=w["b_down"])
    skip_layer_norm(b["t2"], b["y1"], w["g2"], out, bias=w["be2"], eps=EPS)


def fused(x, w, b, out, mask, **kw):
    encoder_layer(x=x, **w, **b, out=out, mask=mask, eps1=EPS, eps2=EPS, activation="gelu", **kw)


def forward(layers, xs, bufs, mask, run):
    for i, w in enumerate(layers):
        run(xs[i], w, bufs, xs[i + 1], mask)


def replay_ms(fn, replays: int = 200) -> dict:
    fn()
    torch.cuda.synchronize()
    graph = capture(fn)
    for _ in range(20):
        graph.replay()
    times = sorted(event_ms(graph.replay) for _ in range(replays))
    return {"median": statistics.median(times), "p10": times[len(times) // 10], "p90": times[9 * len(times) // 10]}


def stamp_timeline(layer, x, bufs, out, mask, **kw) -> dict:
    """Inside one launch: when the last program reached each point (us after the first start), and
    the median program's own time in each phase (from the barrier that opened it to its end)."""
    programs = torch.cuda.get_device_properties(0).multi_processor_count
    stamps = torch.zeros(programs, 32, dtype=torch.int64, device="cuda")
    n = 2 * len(PHASES)  # slot 0: start; 2p + 1: end of phase p; 2p + 2: past the barrier after it
    runs = []
    for _ in range(20):
        fused(x, layer, bufs, out, mask, one_launch=True, stamps=stamps, **kw)
        torch.cuda.synchronize()
        s = stamps[:, :n].double().cpu()
        s -= s[:, 0].min()
        runs.append(s / 1000)
    s = torch.stack(runs[5:]).median(dim=0).values
    last = s.max(dim=0).values
    work = (s[:, 1::2] - s[:, 0:n - 1:2]).median(dim=0).values
    return {"last_reached_us": [round(v, 2) for v in last.tolist()], "median_work_us": [round(v, 2) for v in work.tolist()]}


def rel_l2(got, want) -> float:
    return ((got.double() - want.double()).norm() / want.double().norm()).item()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", default="1x16,2x8")
    args = ap.parse_args()
    layers = [make_weights(i) for i in range(LAYERS)]
    results = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "cells": {}}
    print(f"{results['device']}; {LAYERS} BERT-base layers, float16, times of one 12-layer forward (CUDA graph replay)")
    print("| batch x seq | separate ms | one_launch ms | per_phase ms | one/separate | rel L2 one vs separate | "
          + " | ".join(f"{p} us" for p in PHASES) + " |")
    print("|" + "---|" * (6 + len(PHASES)))
    for cell in args.tokens.split(","):
        batch, seq = map(int, cell.split("x"))
        g = torch.Generator(device="cuda").manual_seed(7)
        x0 = torch.randn(batch * seq, HIDDEN, generator=g, device="cuda").half()
        mask = torch.zeros(batch, 1, 1, seq, device="cuda", dtype=torch.float16)
        if batch > 1:
            mask[-1, ..., seq // 2:] = torch.finfo(torch.float16).min
        bufs = make_buffers(batch, seq)
        outs = {}
        times = {}
        for name, run in (("separate", separate), ("one_launch", lambda *a: fused(*a, one_launch=True)),
                          ("one_launch_no_pdl", lambda *a: fused(*a, one_launch=True, pdl=False)),
                          ("per_phase", lambda *a: fused(*a, one_launch=False))):
            xs = [x0] + [torch.empty_like(x0) for _ in range(LAYERS)]
            try:
                times[name] = replay_ms(lambda: forward(layers, xs, bufs, mask, run))
            except Exception as e:  # e.g. out of shared memory at a bigger row block: report, go on
                print(f"{name} {cell}: {type(e).__name__}: {str(e)[:200]}")
                times[name], outs[name] = {"median": float("nan")}, x0
                continue
            forward(layers, xs, bufs, mask, run)
            torch.cuda.synchronize()
            outs[name] = xs[-1].clone()
        phase_us = []
        for p in range(len(PHASES) if not math.isnan(times["one_launch"]["median"]) else 0):
            xs = [x0] + [torch.empty_like(x0) for _ in range(LAYERS)]
            t = replay_ms(lambda: forward(layers, xs, bufs, mask, lambda *a: fused(*a, one_launch=False, phases=(p, p))))
            phase_us.append(t["median"] * 1000 / LAYERS)
        try:
            results.setdefault("stamps", {})[cell] = stamp_timeline(layers[0], x0, bufs, torch.empty_like(x0), mask)
        except Exception as e:  # the stamped build is a different compile; report, go on
            print(f"stamps {cell}: {type(e).__name__}: {str(e)[:200]}")
        err = rel_l2(outs["one_launch"], outs["separate"])
        err_phase = rel_l2(outs["per_phase"], outs["separate"])
        results["cells"][cell] = {"times_ms": times, "phase_us_per_layer": dict(zip(PHASES, phase_us)),
                                  "rel_l2_one_vs_separate": err, "rel_l2_per_phase_vs_separate": err_phase,
                                  "finite": bool(outs["one_launch"].isfinite().all())}
        print(f"| {cell} | {times['separate']['median']:.3f} | {times['one_launch']['median']:.3f} | "
              f"{times['per_phase']['median']:.3f} | {times['one_launch']['median'] / times['separate']['median']:.2f} | "
              f"{err:.1e} | " + " | ".join(f"{u:.1f}" for u in phase_us) + " |")
        sys.stdout.flush()
    print("\nInside one launch (layer 0): when the last program reached each point, us after the first start;"
          " then each phase's median work per program")
    print("| cell | " + " | ".join(f"end {p} | open next" for p in PHASES[:-1]) + f" | end {PHASES[-1]} |")
    for key, t in results.get("stamps", {}).items():
        print(f"| {key} | " + " | ".join(f"{v:.1f}" for v in t["last_reached_us"][1:]) + " |")
        print(f"| {key} work | " + " | ".join(f"{v:.1f} | " for v in t["median_work_us"]) + " |")
    print("\none launch without programmatic dependent launch: " + ", ".join(
        f"{c} {v['times_ms']['one_launch_no_pdl']['median']:.3f} ms" for c, v in results["cells"].items()))
    out = os.environ.get("OUT", ".")
    with open(os.path.join(out, "gpu_layer.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
