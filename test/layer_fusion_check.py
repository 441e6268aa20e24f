"""Runs a plan of the bundled example BERT with encoder-layer fusion forced on and off (CPU,
Triton's interpreter) and prints JSON: how many layers ran as one launch, and each run's max abs
error against the recording. The recording has 2 rows of 16 tokens: row 0 alone (16 tokens) fits
the fused kernel, both rows (32) do not and must fall back to the seven launches.

Usage: python3 test/layer_fusion_check.py PLAN_DIR RECORDING.safetensors
"""
import json
import os
import sys

os.environ.setdefault("TRITON_INTERPRET", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "backends", "triton", "runtime"))

import torch  # noqa: E402

from solder_runtime import Plan  # noqa: E402
from solder_runtime.layer_fusion import EncoderLayerStep  # noqa: E402
from solder_runtime.safetensors_io import read  # noqa: E402


def fused_layers(plan) -> int:
    steps = [step for program in plan._executor.programs.values() for _, step in program.steps]
    return sum(isinstance(s, EncoderLayerStep) and s.chosen == s._fused for s in steps)


def run(plan_dir: str, recording: dict, rows: slice, mode: str) -> dict:
    os.environ["SOLDER_FUSE_LAYERS"] = mode
    plan = Plan.load(plan_dir)
    inputs = {k[3:]: v[rows] for k, v in recording.items() if k.startswith("in.")}
    got = plan(**inputs)
    outputs = list(got.values())
    errors = [(o.double() - recording[f"out.{i}"][rows].double()).abs().max().item() for i, o in enumerate(outputs)]
    return {"mode": mode, "rows": rows.stop, "fused_layers": fused_layers(plan), "max_abs": max(errors),
            "layer_steps": sum(1 for p in plan._executor.programs.values() for _, s in p.steps
                               if isinstance(s, EncoderLayerStep))}


def main() -> None:
    plan_dir, recording_file = sys.argv[1:3]
    recording = read(recording_file)
    results = [run(plan_dir, recording, slice(0, n), mode) for n in (1, 2) for mode in ("always", "off")]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
