"""One rank of tensor-parallel runs through the Python API, for test_tensor_parallel.py:

    torchrun --standalone --nproc-per-node N tp_worker.py INPUTS OUT_DIR PLAN_DIR [PLAN_DIR ...]

For the k-th plan directory every rank writes its outputs to OUT_DIR/plan-k.rank-R.safetensors
(out.0, out.1, ...); one process group serves them all, so each extra plan costs no start-up.
"""
import dataclasses
import os
import sys
from pathlib import Path

os.environ["TRITON_INTERPRET"] = "1"  # gloo on the CPU: before any kernel module is imported
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solder_runtime import distributed, safetensors_io  # noqa: E402


def main(inputs_file: str, out_dir: str, *plan_dirs: str) -> int:
    rank = distributed.join(plan_dirs[0], "cpu")
    tensors = safetensors_io.read(inputs_file)
    for k, plan_dir in enumerate(plan_dirs):
        this = dataclasses.replace(rank, plan_dir=Path(plan_dir) / distributed.rank_dir_name(rank.rank))
        plan = this.load_plan().to(rank.device)
        outputs = plan(**{n: tensors[f"in.{n}"] for n in plan.input_names})
        safetensors_io.write(Path(out_dir) / f"plan-{k}.rank-{rank.rank}.safetensors",
                             {f"out.{i}": outputs[n] for i, n in enumerate(plan.output_names)})
    return rank.finish(0)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
