"""Where a forward's GPU time goes: per launch category for a solder plan, per kernel for any callable.

Used by bench/gpu_bert.py for every shape, so a cell that misses its target can be
explained from the same run (which launches dominate, and how much of the call is
kernels at all rather than gaps and host work).
"""
from __future__ import annotations

import torch

from solder_runtime.buckets import bucket
from solder_runtime.timing import event_ms


def _program(plan, x):
    ex = plan._executor
    real = ex.bind(x)
    env = {s: bucket(v, ex.policy[s], ex.max_env[s]) for s, v in real.items()}
    return ex, ex.programs[tuple(sorted(env.items()))]


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def _event_ms(fn, reps: int = 30) -> float:
    return _median([event_ms(fn) for _ in range(reps)])


def kernel_times(fn, top: int, reps: int = 5) -> dict:
    """Device time per kernel name over one call (mean of reps), from the torch profiler."""
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
    per_name, count = {}, 0
    for e in prof.events():
        if "cuda" not in str(getattr(e, "device_type", "")).lower():
            continue
        per_name[e.name] = per_name.get(e.name, 0.0) + e.time_range.elapsed_us() / 1000 / reps
        count += 1
    ranked = sorted(per_name.items(), key=lambda kv: -kv[1])
    return {"kernel_ms": sum(per_name.values()), "kernels_per_call": count / reps,
            "top": [[name[:70], round(ms, 4)] for name, ms in ranked[:top]]}


def profile_solder(plan, x, top: int = 6) -> dict:
    """Graph replay alone, eager per-category step times, and the kernel table of a full call."""
    ex, program = _program(plan, x)
    out = {}
    if program.graph is not None:
        out["graph_replay_ms"] = _event_ms(program.graph.replay)
    per_step = [[] for _ in program.steps]
    for _ in range(5):
        for i, (_, step) in enumerate(program.steps):
            per_step[i].append(event_ms(step))
    by_kind = {}
    for launch, times in zip(ex.spec["launches"], per_step):
        kind = "generated" if launch["kernel"].startswith("generated:") else launch["kernel"]
        by_kind[kind] = by_kind.get(kind, 0.0) + _median(times)
    out["eager_steps_ms"] = {k: round(v, 4) for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])}
    out["launches"] = len(program.steps)
    out["kernels"] = kernel_times(lambda: plan(**x), top)
    return out
