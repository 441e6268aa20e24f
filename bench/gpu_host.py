"""Where a small call's time goes outside the GPU work, and where a cold bucket's warm-up goes.

For one BERT-base float16 plan and one shape (default 1x16):
  cold    Plan.load, .to(device) and the first call under cProfile (empty kernel cache): the
          functions that take the most cumulative time (compiles, autotuning, timed choices,
          capture), so the 30 s warm-up target can be watched and its margin widened;
  host    a warm call, as gpu_bert.py times it (CUDA events around plan.run), against the graph
          replay alone, and the host-side pieces of run() timed with perf_counter (prepare,
          input copies, replay submission), medians of 200 calls; then the CPU-side operators of
          50 calls from the torch profiler.
Prints tables; full results in $OUT/gpu_host.json.

Run: PYTHONPATH=backends/triton/runtime:bench python3 bench/gpu_host.py --plan16 PLAN_DIR [--shape 1x16]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time

import torch

from gpu_bert_model import bert_inputs
from gpu_bert_profile import _program
from solder_runtime import Plan
from solder_runtime.timing import event_ms


def cold(plan_dir: str, x: dict) -> tuple[Plan, dict]:
    torch.ones(1, device="cuda")
    torch.cuda.synchronize()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    plan = Plan.load(plan_dir).to("cuda")
    plan(**x)
    torch.cuda.synchronize()
    prof.disable()
    total = time.perf_counter() - t0
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(45)
    print(f"cold: load + first call {total:.1f} s; top cumulative entries:")
    print("\n".join(line for line in text.getvalue().splitlines() if line.strip())[:9000])
    return plan, {"cold_s": total, "profile_top": text.getvalue()[-20000:]}


def median_us(fn, reps: int = 200) -> float:
    times = []
    for _ in range(reps):
        torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e6)
    return statistics.median(times)


def host(plan: Plan, x: dict) -> dict:
    ex, program = _program(plan, x)
    run = lambda: plan.run(x, copy_outputs=False)
    for _ in range(50):
        run()
    torch.cuda.synchronize()
    events = sorted(event_ms(run) for _ in range(200))
    replay = sorted(event_ms(program.graph.replay) for _ in range(200))
    call = ex._prepare(x)
    copy = lambda: torch._foreach_copy_(call.dst, [x[n] for n in call.names])
    r = {"call_events_ms": statistics.median(events), "replay_events_ms": statistics.median(replay),
         "host_us": {"run (no sync)": median_us(run), "prepare": median_us(lambda: ex._prepare(x)),
                     "foreach_copy": median_us(copy),
                     "copy_ each": median_us(lambda: [d.copy_(x[n]) for d, n in zip(call.dst, call.names)]),
                     "graph.replay submit": median_us(program.graph.replay),
                     "execute()": median_us(program.execute)}}
    print(f"\nwarm call (events) {r['call_events_ms'] * 1000:.1f} us, replay alone {r['replay_events_ms'] * 1000:.1f} us")
    print("| host piece | us (perf_counter, median of 200, GPU idle before each) |\n|---|---|")
    for name, us in r["host_us"].items():
        print(f"| {name} | {us:.1f} |")
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(50):
            run()
        torch.cuda.synchronize()
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15, max_name_column_width=50)
    print("\n" + table)
    r["profiler"] = table
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan16", required=True)
    ap.add_argument("--shape", default="1x16")
    args = ap.parse_args()
    batch, seq = map(int, args.shape.split("x"))
    x = bert_inputs(batch, seq, "cuda")
    plan, results = cold(args.plan16, x)
    results.update(host(plan, x), device=torch.cuda.get_device_name(), torch=torch.__version__, shape=args.shape)
    with open(os.path.join(os.environ.get("OUT", "."), "gpu_host.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
