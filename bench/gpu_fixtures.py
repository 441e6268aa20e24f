"""The shared fixtures (ONNX exports and torch.export archives) through solder plans on the
runtime, against their recorded outputs.

python bench/gpu_fixtures.py PLANS_ROOT FIXTURES_DIR MODEL... [--json OUT]
expects PLANS_ROOT/MODEL.float32 and PLANS_ROOT/MODEL.float16 (from `solder plan`);
a missing plan directory is reported as 'no plan'. Criteria (issue "GPU backend"):
float32 plans within 1e-3 max abs of the recording, float16 plans within 1e-2
relative L2 (||got - want|| / ||want||), on every output.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends" / "triton" / "runtime"))

MAX_ABS_FP32 = 1e-3
REL_L2_FP16 = 1e-2


def check(plan_dir: Path, io_file: Path, device: str) -> dict:
    import torch
    from solder_runtime import Plan, safetensors_io

    plan = Plan.load(plan_dir).to(device)
    recorded = safetensors_io.read(io_file)
    inputs = {n: recorded[f"in.{n}"] for n in plan.input_names}
    got = plan(**{n: t.to(device) for n, t in inputs.items()})
    outputs = []
    for i, name in enumerate(plan.output_names):
        want = recorded[f"out.{i}"].double()
        have = got[name].double().cpu()
        if have.shape != want.shape:
            outputs.append({"name": name, "error": f"shape {list(have.shape)} != {list(want.shape)}"})
            continue
        diff = have - want
        outputs.append({"name": name, "max_abs": diff.abs().max().item(),
                        "rel_l2": (diff.norm() / want.norm()).item(), "nan": bool(have.isnan().any())})
    return {"outputs": outputs}


def passes(dtype: str, outputs: list) -> bool:
    for o in outputs:
        if "error" in o or o["nan"]:
            return False
        if dtype == "float32" and not o["max_abs"] <= MAX_ABS_FP32:
            return False
        if dtype == "float16" and not o["rel_l2"] <= REL_L2_FP16:
            return False
    return True


def main(argv: list[str]) -> int:
    out_json = None
    if "--json" in argv:
        at = argv.index("--json")
        out_json, argv = argv[at + 1], argv[:at] + argv[at + 2:]
    plans, fixtures, models = Path(argv[0]), Path(argv[1]), argv[2:]
    import torch
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rows, all_ok = [], True
    for model in models:
        stem = model.removesuffix(".onnx").removesuffix(".pt2").replace(".dynamo", "")
        io_file = fixtures / (stem + ".io.safetensors")
        for dtype in ("float32", "float16"):
            plan_dir = plans / f"{model}.{dtype}"
            row = {"model": model, "dtype": dtype}
            if not (plan_dir / "plan.json").exists():
                row.update(status="no plan", ok=False)
            else:
                try:
                    row.update(check(plan_dir, io_file, device))
                    row.update(ok=passes(dtype, row["outputs"]), status="checked")
                except Exception as e:  # one broken fixture must not hide the others
                    row.update(status=f"error: {type(e).__name__}: {str(e)[:300]}", ok=False)
            all_ok &= row["ok"]
            rows.append(row)
            worst = row.get("outputs") or []
            summary = ", ".join(f"{o['name']}: " + (o["error"] if "error" in o else
                                f"max abs {o['max_abs']:.2e} rel L2 {o['rel_l2']:.2e}") for o in worst)
            print(f"fixture {model:24s} {dtype:8s} {'PASS' if row['ok'] else 'FAIL'}  {summary or row['status']}",
                  flush=True)
    if out_json:
        Path(out_json).write_text(json.dumps({"device": device, "rows": rows}, indent=1))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
