"""python -m solder_runtime run PLAN_DIR --inputs FILE.safetensors [--compare] [--device cuda|cpu]

Inputs are read from tensors named `in.NAME` (or plain `NAME`); with --compare the
plan's outputs are checked, by position, against `out.0`, `out.1`, ... in the
same file. Exit codes: 0 ok, 1 mismatch beyond tolerance, 2 bad plan or input.
A tensor-parallel plan directory runs under `torchrun --nproc-per-node N -m
solder_runtime run PLAN_DIR ...` (see distributed.py); rank 0 reports.
"""
from __future__ import annotations

import argparse
import os
import sys

# Tolerances per plan dtype, as (atol, rtol): an element fails when |got - want| > atol + rtol * |want|.
TOLERANCES = {"float32": (1e-4, 1e-3), "float16": (2e-2, 2e-2), "bfloat16": (6e-2, 6e-2)}


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m solder_runtime")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute a plan directory on inputs from a safetensors file")
    run.add_argument("plan_dir")
    run.add_argument("--inputs", required=True, help="safetensors file with in.NAME tensors (and out.N for --compare)")
    run.add_argument("--compare", action="store_true", help="compare outputs with out.N by position")
    run.add_argument("--device", choices=["cuda", "cpu"], default=None, help="default: cuda when available")
    run.add_argument("--out", help="write outputs to this safetensors file as out.N")
    run.add_argument("--atol", type=float, help="override the plan dtype's absolute tolerance")
    run.add_argument("--rtol", type=float, help="override the plan dtype's relative tolerance")
    return parser.parse_args(argv)


def _compare(names, outputs, expected, atol, rtol) -> bool:
    ok = True
    for i, name in enumerate(names):
        want = expected.get(f"out.{i}")
        got = outputs[name].float().cpu()
        if want is None:
            print(f"out.{i} ({name}): no reference in the inputs file, skipped")
            continue
        want = want.float()
        if tuple(got.shape) != tuple(want.shape):
            print(f"out.{i} ({name}): shape {list(got.shape)} != reference {list(want.shape)}  MISMATCH")
            ok = False
            continue
        diff = (got - want).abs()
        max_abs = diff.max().item() if diff.numel() else 0.0
        max_rel = (diff / want.abs().clamp_min(1e-6)).max().item() if diff.numel() else 0.0
        bad = bool((diff > atol + rtol * want.abs()).any() or got.isnan().any())
        ok &= not bad
        print(f"out.{i} ({name}) {list(got.shape)}: max abs {max_abs:.3e}  max rel {max_rel:.3e}  "
              f"{'MISMATCH' if bad else 'ok'} (atol {atol:g}, rtol {rtol:g})")
    return ok


def main(argv=None) -> int:
    args = _parse(argv)
    if args.device == "cpu" or (args.device is None and not _cuda_available()):
        os.environ.setdefault("TRITON_INTERPRET", "1")  # before any kernel module is imported
    from . import InputError, PlanError, distributed, safetensors_io

    try:
        rank = distributed.join(args.plan_dir, args.device)  # rank 0 of 1 unless started by torchrun
        plan = rank.load_plan()
        tensors = safetensors_io.read(args.inputs)
        inputs = {n: tensors[f"in.{n}"] if f"in.{n}" in tensors else tensors.get(n) for n in plan.input_names}
        absent = [n for n, t in inputs.items() if t is None]
        if absent:
            raise InputError(f"{args.inputs}: no tensor for input(s) {', '.join(absent)} (expected in.NAME or NAME)")
        outputs = plan.to(rank.device)(**inputs)
    except (PlanError, InputError) as e:
        print(f"solder_runtime: error: {e}", file=sys.stderr)
        return 2
    if not rank.is_main:
        return rank.finish()  # rank 0 reports; every rank exits with its code
    if args.out:
        safetensors_io.write(args.out, {f"out.{i}": outputs[n] for i, n in enumerate(plan.output_names)})
    if not args.compare:
        for i, name in enumerate(plan.output_names):
            print(f"out.{i} ({name}): {str(outputs[name].dtype)[6:]} {list(outputs[name].shape)}")
        return rank.finish(0)
    atol, rtol = TOLERANCES[plan.spec["dtype"]]
    ok = _compare(plan.output_names, outputs, tensors, atol if args.atol is None else args.atol, rtol if args.rtol is None else args.rtol)
    return rank.finish(0 if ok else 1)


def _cuda_available() -> bool:
    import torch
    return torch.cuda.is_available()


if __name__ == "__main__":
    sys.exit(main())
