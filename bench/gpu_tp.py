"""Tensor-parallel prefill: a LLaMA-style float16 plan on 1 GPU and on 2 GPUs (torchrun, NCCL).

Run by bench/gpu_tp.sh (see there for the order and the plan steps):
  python bench/gpu_tp.py export DIR/llama.onnx --ref DIR/ref.safetensors [model options]
  python bench/gpu_tp.py single --plan P1 --json DIR/single.json --outputs DIR/single.safetensors
  torchrun --nproc-per-node 2 bench/gpu_tp.py tp --plan P2 --json DIR/tp.json --outputs DIR/tp.safetensors
  python bench/gpu_tp.py table DIR/single.json DIR/tp.json --ref ... --single-out ... --tp-out ...
The model (transformers LlamaConfig; hidden 4096, 32 layers, SwiGLU 11008, 32 q / 8 kv heads by
default) gets random weights from a fixed seed; `export` also records the outputs of the float16
PyTorch model at the bench shapes. Latency: the median of single calls timed with CUDA events
(input and output copies included); in the 2-GPU run all ranks start each call together
(a barrier) and rank 0's events are the figure. Scaling efficiency = t(1 GPU) / (2 * t(2 GPUs)).
Every process calls the plan the same fixed number of times: ranks must issue the same all-reduces.
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
from solder_runtime.timing import event_ms  # noqa: E402
from timing import spread  # noqa: E402

SEED = 1234
SHAPES = "1x2048,8x512"
# Criterion of issue 6: the 2-GPU plan matches the 1-GPU plan within float16 tolerance.
REL_L2_TP = 1e-2
# Against the float16 PyTorch model through 32 layers: a sanity bound, reported, not the criterion.
REL_L2_HF = 5e-2


def parse_shapes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in s.split("x")) for s in text.split(",")]


def on_cuda() -> bool:
    return torch.cuda.is_available() and os.environ.get("GPU_TP_DEVICE", "cuda") == "cuda"


def model_config(args):
    from transformers import LlamaConfig

    return LlamaConfig(hidden_size=args.hidden, intermediate_size=args.intermediate, num_hidden_layers=args.layers,
                       num_attention_heads=args.heads, num_key_value_heads=args.kv_heads, vocab_size=args.vocab,
                       max_position_embeddings=max(4096, args.max_seq), use_cache=False)


def inputs_for(batch: int, seq: int, vocab: int, device) -> dict:
    """Prefill inputs: random token ids, a full attention mask (the same in every process)."""
    g = torch.Generator().manual_seed(SEED + 7 * batch + seq)
    ids = torch.randint(0, vocab, (batch, seq), generator=g)
    return {"input_ids": ids.to(device), "attention_mask": torch.ones(batch, seq, dtype=torch.int64, device=device)}


def export(args) -> None:
    """Random-weight LlamaModel -> ONNX (dynamic batch/seq, external data), plus float16 reference outputs."""
    from transformers import LlamaModel

    device = "cuda" if on_cuda() else "cpu"
    t0 = time.perf_counter()
    torch.manual_seed(SEED)
    with torch.device(device):  # initialising 6.7B weights on the GPU takes seconds, on the CPU minutes
        model = LlamaModel._from_config(model_config(args), attn_implementation=args.attn).eval().to(device)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):  # HF makes them 1: a kernel that dropped them would pass
                p.normal_(1.0, 0.05)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params / 1e9:.2f} B parameters, built in {time.perf_counter() - t0:.1f} s", flush=True)
    x = inputs_for(2, 16, args.vocab, device)
    names = ["input_ids", "attention_mask"]
    t0 = time.perf_counter()
    with torch.no_grad():
        torch.onnx.export(model, tuple(x[n] for n in names), args.onnx, input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in names}, external_data=True)
    print(f"exported in {time.perf_counter() - t0:.1f} s", flush=True)
    model = model.half()
    ref = {}
    with torch.inference_mode():
        for b, s in parse_shapes(args.shapes):
            ref[f"{b}x{s}"] = model(**inputs_for(b, s, args.vocab, device)).last_hidden_state.float().cpu()
    from solder_runtime import safetensors_io
    safetensors_io.write(args.ref, ref)
    Path(args.ref).with_suffix(".json").write_text(json.dumps({"parameters": params, **vars(args)}, indent=1))


def timed_ms(call, reps: int, before=lambda: None) -> dict:
    """Median and spread of `reps` single calls; `before` runs outside the timed region (a barrier)."""
    times = []
    for _ in range(reps):
        before()
        if on_cuda():
            times.append(event_ms(call))
        else:
            t = time.perf_counter()
            call()
            times.append((time.perf_counter() - t) * 1e3)
    return spread(times)


def run_plan(plan, device, args, before=lambda: None, is_main=True) -> tuple[dict, dict]:
    """First call (compile, tune, capture) and timed calls at every shape; the outputs of each shape."""
    rows, outputs = {}, {}
    for b, s in parse_shapes(args.shapes):
        x = inputs_for(b, s, args.vocab, device)
        x = {n: x[n] for n in plan.input_names}
        before()
        t = time.perf_counter()
        got = plan(**x)
        if on_cuda():
            torch.cuda.synchronize()
        first = time.perf_counter() - t
        outputs[f"{b}x{s}"] = got[plan.output_names[0]].float().cpu()
        for _ in range(args.warmup):
            plan(**x)
        rows[f"{b}x{s}"] = {"first_call_s": first, "latency_ms": timed_ms(lambda: plan(**x), args.reps, before)}
        if is_main:
            print(f"{b}x{s} " + json.dumps(rows[f"{b}x{s}"]), flush=True)
    return rows, outputs


def single(args) -> None:
    from solder_runtime import Plan, safetensors_io

    device = "cuda" if on_cuda() else "cpu"
    t = time.perf_counter()
    plan = Plan.load(args.plan).to(device)
    load_s = time.perf_counter() - t
    with torch.inference_mode():
        rows, outputs = run_plan(plan, device, args)
    safetensors_io.write(args.outputs, outputs)
    Path(args.json).write_text(json.dumps({"gpus": 1, "load_s": load_s, "graphs": os.environ.get("SOLDER_NO_GRAPHS") != "1",
                                           "device": torch.cuda.get_device_name() if on_cuda() else "cpu",
                                           "torch": torch.__version__, "shapes": rows}, indent=1))


def tp(args) -> None:
    import torch.distributed as dist
    from solder_runtime import distributed, safetensors_io

    rank = distributed.join(args.plan, "cuda" if on_cuda() else "cpu")
    t = time.perf_counter()
    plan = rank.load_plan().to(rank.device)
    load_s = time.perf_counter() - t

    token = torch.zeros(1, device=rank.device)

    def barrier():  # every rank starts each timed call together
        dist.all_reduce(token)
        if on_cuda():
            torch.cuda.synchronize()

    with torch.inference_mode():
        rows, outputs = run_plan(plan, rank.device, args, barrier, rank.is_main)
    # Every rank must hold the same result after the last all-reduce and norm.
    for key, out in outputs.items():
        mine = out.to(rank.device)
        theirs = mine.clone()
        dist.broadcast(theirs, src=0)
        rows[key][f"rank_{rank.rank}_max_abs_vs_rank_0"] = (mine - theirs).abs().max().item()
    gathered = [None] * rank.world_size
    dist.all_gather_object(gathered, rows)
    if rank.is_main:
        for key in rows:
            rows[key]["ranks_max_abs_vs_rank_0"] = max(r[key][f"rank_{i}_max_abs_vs_rank_0"] for i, r in enumerate(gathered))
        safetensors_io.write(args.outputs, outputs)
        Path(args.json).write_text(json.dumps({"gpus": rank.world_size, "load_s": load_s,
                                               "graphs": os.environ.get("SOLDER_NO_GRAPHS") != "1",
                                               "device": torch.cuda.get_device_name() if on_cuda() else "cpu",
                                               "shapes": rows}, indent=1))
    sys.exit(rank.finish(0))


def rel_l2(got: torch.Tensor, want: torch.Tensor) -> float:
    got, want = got.double(), want.double()
    return ((got - want).norm() / want.norm()).item()


def table(args) -> int:
    from solder_runtime import safetensors_io

    one, two = (json.loads(Path(f).read_text()) for f in (args.single_json, args.tp_json))
    outs = {k: safetensors_io.read(f) for k, f in (("1", args.single_out), ("2", args.tp_out), ("hf", args.ref))}
    print(f"LLaMA-style prefill, float16, {one['device']}: 1 GPU (CUDA graphs {'on' if one['graphs'] else 'off'}) "
          f"vs {two['gpus']} GPUs tensor-parallel (CUDA graphs {'on' if two['graphs'] else 'off'})")
    print(f"{'batch x seq':>11} | {'1 GPU ms':>9} | {'2 GPUs ms':>9} | {'speedup':>7} | {'efficiency':>10} | "
          f"{'TP vs 1 GPU rel L2 (max abs)':>28} | {'1 GPU vs torch':>14} | {'TP vs torch':>11}")
    ok = True
    for key in one["shapes"]:
        t1, t2 = one["shapes"][key]["latency_ms"]["median"], two["shapes"][key]["latency_ms"]["median"]
        got1, got2, ref = outs["1"][key], outs["2"][key], outs["hf"][key]
        tp_err = rel_l2(got2, got1)
        max_abs = (got2 - got1).abs().max().item()
        vs_hf = (rel_l2(got1, ref), rel_l2(got2, ref))
        good = tp_err <= REL_L2_TP and not got2.isnan().any()
        ok &= good
        print(f"{key:>11} | {t1:9.2f} | {t2:9.2f} | {t1 / t2:6.2f}x | {100 * t1 / (two['gpus'] * t2):9.1f}% | "
              f"{tp_err:11.2e} ({max_abs:.2e}) {'ok' if good else 'FAIL'} | {vs_hf[0]:14.2e} | {vs_hf[1]:11.2e}")
        if max(vs_hf) > REL_L2_HF:
            print(f"  note: {key}: a plan is {max(vs_hf):.2e} (rel L2) from the float16 PyTorch model, above {REL_L2_HF:g}")
    print(f"criterion: 2-GPU output within {REL_L2_TP:g} relative L2 of the 1-GPU plan's at every shape: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/gpu_tp.py")
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("export", "single", "tp"):
        s = sub.add_parser(name)
        s.add_argument("--shapes", default=SHAPES)
        s.add_argument("--vocab", type=int, default=32000)
        if name == "export":
            s.add_argument("onnx")
            s.add_argument("--ref", required=True)
            s.add_argument("--hidden", type=int, default=4096)
            s.add_argument("--intermediate", type=int, default=11008)
            s.add_argument("--layers", type=int, default=32)
            s.add_argument("--heads", type=int, default=32)
            s.add_argument("--kv-heads", type=int, default=8)
            s.add_argument("--max-seq", type=int, default=2048)
            s.add_argument("--attn", default="eager", choices=["eager", "sdpa"])
        else:
            s.add_argument("--plan", required=True)
            s.add_argument("--json", required=True)
            s.add_argument("--outputs", required=True)
            s.add_argument("--warmup", type=int, default=3)
            s.add_argument("--reps", type=int, default=20)
    t = sub.add_parser("table")
    for a in ("single_json", "tp_json"):
        t.add_argument(a)
    for a in ("--ref", "--single-out", "--tp-out"):
        t.add_argument(a, required=True)
    args = p.parse_args(argv)
    if args.command == "table":
        return table(args)
    {"export": export, "single": single, "tp": tp}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
