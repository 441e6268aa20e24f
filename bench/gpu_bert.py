"""BERT-base end to end: a solder plan on solder_runtime against Hugging Face eager and torch.compile.

Run by bench/gpu_bert.sh on the device machine (see there for the plan steps):
  python bench/gpu_bert.py export DIR/bert.onnx
  python bench/gpu_bert.py bench --plan16 P16 --plan32 P32 --json OUT.json [--shapes 1x16,..] [--no-compile]
  python bench/gpu_bert.py warmup --plan16 P16 --shape 8x128      (a second process: kernel cache warm)
Latency is the median of single synchronized calls timed with CUDA events (what a
caller waits for, Python and input copies included). solder's main column hands back
its own output buffers (copy_outputs=False), as torch.compile's CUDA graphs do; the
+copy column is the default call, which copies each output out.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "backends" / "triton" / "runtime"))
sys.path.insert(0, str(HERE))

import torch  # noqa: E402

from gpu_bert_model import bert_base, bert_inputs, export_onnx  # noqa: E402
from gpu_bert_profile import kernel_times, profile_solder  # noqa: E402
from solder_runtime.kernels.encoder_layer import MAX_TOKENS as ENCODER_LAYER_TOKENS  # noqa: E402
from solder_runtime.timing import event_ms  # noqa: E402
from timing import spread  # noqa: E402

SHAPES = "1x16,1x128,1x512,8x128,8x512,32x256,32x512"
NAMES = ("input_ids", "attention_mask", "token_type_ids")


def parse_shapes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in s.split("x")) for s in text.split(",")]


def sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def latency_ms(fn, budget_s: float = 1.5, min_reps: int = 15, max_reps: int = 300) -> dict:
    """Median (and spread) of single synchronized calls; each sample starts on an idle GPU."""
    for _ in range(3):
        fn()
    sync()
    times, start_all = [], time.perf_counter()
    while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() - start_all < budget_s):
        times.append(event_ms(fn))
    back_to_back = event_ms(lambda: [fn() for _ in range(20)]) / 20
    return {**spread(times), "back_to_back": back_to_back}


def rel_l2(got: torch.Tensor, want: torch.Tensor) -> float:
    got, want = got.double(), want.double()
    return ((got - want).norm() / want.norm()).item()


def hf_outputs(model, x) -> dict:
    out = model(**x)
    return {"last_hidden_state": out.last_hidden_state, "pooler_output": out.pooler_output}


def solder_outputs(plan, x) -> dict:
    got = plan(**x)
    names = plan.output_names  # positional: the plan names outputs after the ONNX graph's
    return {"last_hidden_state": got[names[0]], "pooler_output": got[names[1]]}


# 5x100 pads batch and seq inside the 8x128 bucket; the fp32 plan is checked on the small shapes only
# (each new bucket costs it a compile); the fp16 plan also at the largest bucket, and at 1x16 and 2x7
# (padded to 2x8), where its layers run as one launch each (kernels/encoder_layer.py).
CHECK_SHAPES = ((8, 128, True), (5, 100, True), (32, 512, False), (1, 16, False), (2, 7, False))


def correctness(plan16, plan32, m32, m16, device, shapes=CHECK_SHAPES) -> list[dict]:
    """Both plans against HF float32 (and HF float16 against the same, for scale) on fresh inputs."""
    rows = []
    for b, s, with_fp32 in shapes:
        x = bert_inputs(b, s, device, seed=7)
        ref = hf_outputs(m32, x)
        cands = {"solder fp32": solder_outputs(plan32, x) if plan32 and with_fp32 else None,
                 "solder fp16": solder_outputs(plan16, x), "hf fp16": hf_outputs(m16, x)}
        for who, got in cands.items():
            if got is None:
                continue
            for name in ref:
                g, w = got[name].float(), ref[name].float()
                rows.append({"shape": f"{b}x{s}", "who": who, "output": name, "rel_l2": rel_l2(g, w),
                             "max_abs": (g - w).abs().max().item(), "nan": bool(g.isnan().any())})
                print(f"correct {b}x{s} {who:12s} {name:18s} rel L2 {rows[-1]['rel_l2']:.2e} "
                      f"max abs {rows[-1]['max_abs']:.2e}", flush=True)
    return rows


def cold_start(plan_dir: str, shape: tuple[int, int], device: str) -> dict:
    """Seconds to load a plan and bring one bucket to its first result (compile, tune, capture)."""
    from solder_runtime import Plan
    torch.ones(1, device=device)  # CUDA context outside the measurement
    sync()
    t0 = time.perf_counter()
    plan = Plan.load(plan_dir)
    t1 = time.perf_counter()
    plan.to(device)
    sync()
    t2 = time.perf_counter()
    x = bert_inputs(*shape, device)
    plan(**x)
    sync()
    t3 = time.perf_counter()
    plan(**x)
    sync()
    t4 = time.perf_counter()
    r = {"shape": f"{shape[0]}x{shape[1]}", "load_s": t1 - t0, "to_device_s": t2 - t1, "first_call_s": t3 - t2,
         "total_s": t3 - t0, "second_call_s": t4 - t3}
    print("warmup " + json.dumps(r), flush=True)
    return r


def bench(args) -> None:
    from solder_runtime import Plan
    device = "cuda"
    results = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "shapes": {}}
    import triton
    import transformers
    results.update(triton=triton.__version__, transformers=transformers.__version__)
    out = Path(args.json)

    def save():
        out.write_text(json.dumps(results, indent=1))

    # first solder work in this process, with an empty kernel cache: the cold warm-up
    if not args.skip_warmup:
        results["warmup_cold"] = cold_start(args.plan16, parse_shapes(args.warm_shape)[0], device)
        save()
    plan16 = Plan.load(args.plan16).to(device)
    plan32 = Plan.load(args.plan32).to(device) if args.plan32 else None
    m32 = bert_base(torch.float32, device)
    m16 = bert_base(torch.float16, device)
    with torch.inference_mode():
        try:
            results["correctness"] = [] if args.skip_correctness else correctness(plan16, plan32, m32, m16, device)
        except Exception as e:  # keep going: the timings still say something
            results["correctness_error"] = f"{type(e).__name__}: {str(e)[:500]}"
            print("correctness error: " + results["correctness_error"], flush=True)
        save()
        del plan32, m32
        torch.cuda.empty_cache()
        compiled = None if args.no_compile else torch.compile(m16, mode="reduce-overhead")
        deadline = time.perf_counter() + args.compile_budget_s
        for b, s in parse_shapes(args.shapes):
            x = bert_inputs(b, s, device)
            row = {}
            row["hf_eager"] = latency_ms(lambda: m16(**x))
            if compiled is not None and time.perf_counter() < deadline:
                def step():
                    torch.compiler.cudagraph_mark_step_begin()
                    return compiled(**x)
                t = time.perf_counter()
                try:
                    step()
                    sync()
                    row["compile_first_call_s"] = time.perf_counter() - t
                    row["torch_compile"] = latency_ms(step)
                    row["compile_profile"] = kernel_times(step, args.profile_top)
                except Exception as e:  # a compile failure must not lose solder's and eager's numbers
                    row["compile_error"] = f"{type(e).__name__}: {str(e)[:500]}"
            elif compiled is not None:
                row["torch_compile"] = None
                row["note"] = "torch.compile skipped: compile budget spent"
            results["shapes"][f"{b}x{s}"] = row
            save()
            t = time.perf_counter()
            plan16(**x)
            sync()
            row["solder_first_call_s"] = time.perf_counter() - t
            # Like torch.compile's CUDA graphs, hand back the plan's own output buffers; the copying call too.
            row["solder"] = latency_ms(lambda: plan16.run(x, copy_outputs=False))
            row["solder_copy"] = latency_ms(lambda: plan16(**x))
            try:
                row["solder_profile"] = profile_solder(plan16, x, top=args.profile_top)
            except Exception as e:  # a profiler failure must not lose the timings
                row["solder_profile"] = {"error": f"{type(e).__name__}: {e}"}
            if b * s <= ENCODER_LAYER_TOKENS:
                # A/B in the same process: the same plan with every layer as its seven launches
                os.environ["SOLDER_FUSE_LAYERS"] = "off"
                unfused = Plan.load(args.plan16).to(device)
                unfused.run(x, copy_outputs=False)
                row["solder_layers_unfused"] = latency_ms(lambda: unfused.run(x, copy_outputs=False))
                del os.environ["SOLDER_FUSE_LAYERS"], unfused
            results["shapes"][f"{b}x{s}"] = row
            save()
            profiles = ("solder_profile", "compile_profile")
            print(f"shape {b}x{s} " + json.dumps({k: v for k, v in row.items() if k not in profiles}), flush=True)
            for p in profiles:
                print(f"{p} {b}x{s} " + json.dumps(row.get(p)), flush=True)
    save()


def print_table(path: str, fixtures: str | None) -> None:
    """Correctness lines, then the short table: median latency (ms) of each and solder's speed-up."""
    r = json.loads(Path(path).read_text())
    for c in r.get("correctness", []):
        print(f"correct {c['shape']:>6} {c['who']:12s} {c['output']:18s} rel L2 {c['rel_l2']:.2e} max abs {c['max_abs']:.2e}")
    if fixtures and Path(fixtures).exists():
        for f in json.loads(Path(fixtures).read_text())["rows"]:
            worst = max((o.get("rel_l2", float("inf")) for o in f.get("outputs", [])), default=float("nan"))
            mabs = max((o.get("max_abs", float("inf")) for o in f.get("outputs", [])), default=float("nan"))
            print(f"fixture {f['model']:24s} {f['dtype']:8s} {'PASS' if f['ok'] else 'FAIL'} "
                  f"max abs {mabs:.1e} rel L2 {worst:.1e} {f['status'] if f['status'] != 'checked' else ''}")
    print(f"\n{r['device']}  torch {r['torch']}  triton {r['triton']}  fp16, median ms per call")
    print(f"{'shape':>7} {'solder':>8} {'hf eager':>9} {'compile':>8} {'x eager':>8} {'x compile':>9} {'replay':>7} {'+copy':>7}")
    for shape, row in r["shapes"].items():
        nan = float("nan")
        s, e = (row.get("solder") or {}).get("median", nan), (row.get("hf_eager") or {}).get("median", nan)
        c = row["torch_compile"]["median"] if row.get("torch_compile") else float("nan")
        replay = (row.get("solder_profile") or {}).get("graph_replay_ms", nan)
        copied = (row.get("solder_copy") or {}).get("median", nan)
        unfused = (row.get("solder_layers_unfused") or {}).get("median")
        print(f"{shape:>7} {s:8.3f} {e:9.3f} {c:8.3f} {e / s:8.2f} {c / s:9.2f} {replay:7.3f} {copied:7.3f}"
              + (f"  (layers as 7 launches each: {unfused:.3f})" if unfused else ""))
    for w in ("warmup_cold", "warmup_warm"):
        if w in r:
            print(f"{w}: {r[w]['shape']} load {r[w]['load_s']:.2f}s + to device {r[w]['to_device_s']:.2f}s "
                  f"+ first call {r[w]['first_call_s']:.2f}s = {r[w]['total_s']:.2f}s")


def smoke(args) -> None:
    """CPU check of the wiring (TRITON_INTERPRET=1): both plans against HF at one tiny padded shape."""
    from solder_runtime import Plan
    plan16 = Plan.load(args.plan16).to("cpu")
    plan32 = Plan.load(args.plan32).to("cpu")
    with torch.inference_mode():
        rows = correctness(plan16, plan32, bert_base(), bert_base(torch.float16), "cpu", shapes=((2, 8, True),))
    bad = [r for r in rows if r["who"].startswith("solder") and not r["rel_l2"] < (1e-5 if "32" in r["who"] else 1e-2)]
    print("smoke", "FAIL" if bad else "ok")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("path")
    b = sub.add_parser("bench")
    b.add_argument("--plan16", required=True)
    b.add_argument("--plan32")
    b.add_argument("--json", required=True)
    b.add_argument("--shapes", default=SHAPES)
    b.add_argument("--warm-shape", default="8x128")
    b.add_argument("--no-compile", action="store_true")
    b.add_argument("--compile-budget-s", type=float, default=240.0)
    b.add_argument("--profile-top", type=int, default=6)
    b.add_argument("--skip-warmup", action="store_true")
    b.add_argument("--skip-correctness", action="store_true")
    w = sub.add_parser("warmup")
    w.add_argument("--plan16", required=True)
    w.add_argument("--shape", default="8x128")
    w.add_argument("--json", required=True)
    m = sub.add_parser("smoke")
    m.add_argument("--plan16", required=True)
    m.add_argument("--plan32", required=True)
    t = sub.add_parser("table")
    t.add_argument("json")
    t.add_argument("--fixtures")
    args = ap.parse_args()
    if args.cmd == "export":
        export_onnx(args.path)
    elif args.cmd == "bench":
        bench(args)
    elif args.cmd == "warmup":
        r = json.loads(Path(args.json).read_text())
        r["warmup_warm"] = cold_start(args.plan16, parse_shapes(args.shape)[0], "cuda")
        Path(args.json).write_text(json.dumps(r, indent=1))
    elif args.cmd == "smoke":
        smoke(args)
    else:
        print_table(args.json, args.fixtures)


if __name__ == "__main__":
    main()
