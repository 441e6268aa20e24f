"""Plan: a plan directory (plan.json + weights.safetensors) ready to run."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from . import safetensors_io
from .checks import check_plan
from .dtypes import TORCH_DTYPES
from .errors import PlanError
from .executor import Executor
from .distributed import KERNELS, plan_world_size
from .schema import validate


def _check_weights(spec: dict, weights: dict[str, torch.Tensor], file: Path) -> None:
    for name, decl in spec["weights"].items():
        if name not in weights:
            raise PlanError(f"{file}: weight {name!r} declared in plan.json is missing")
        t = weights[name]
        if t.dtype != TORCH_DTYPES[decl["dtype"]] or list(t.shape) != decl["shape"]:
            raise PlanError(f"{file}: weight {name!r} is {str(t.dtype)[6:]} {list(t.shape)}, "
                            f"plan.json declares {decl['dtype']} {decl['shape']}")


class Plan:
    """A loaded, validated plan. Plan.load(dir).to("cuda")(**inputs) -> {output name: tensor}."""

    def __init__(self, directory: Path, spec: dict, weights: dict[str, torch.Tensor]):
        self.directory, self.spec, self._weights = directory, spec, weights
        self._executor: Executor | None = None

    @classmethod
    def load(cls, directory: str | Path) -> "Plan":
        directory = Path(directory)
        path = directory / "plan.json"
        try:
            spec = json.loads(path.read_text())
        except OSError as e:
            if (directory / "rank-0").is_dir():  # a tensor-parallel plan: say how to run it
                ranks = plan_world_size(directory)
                raise PlanError(f"{directory} is a tensor-parallel plan over {ranks} ranks: load {directory}/rank-R, "
                                f"or run it with torchrun --nproc-per-node {ranks} -m solder_runtime run {directory}") from None
            raise PlanError(f"{path}: cannot read ({e.strerror})") from None
        except ValueError as e:
            raise PlanError(f"{path}: not valid JSON ({e})") from None
        validate(spec)
        check_plan(spec, KERNELS)
        weights_file = directory / "weights.safetensors"
        weights = safetensors_io.read(weights_file) if spec["weights"] or weights_file.exists() else {}
        _check_weights(spec, weights, weights_file)
        return cls(directory, spec, {n: weights[n] for n in spec["weights"]})

    @property
    def input_names(self) -> list[str]:
        return [io["name"] for io in self.spec["inputs"]]

    @property
    def output_names(self) -> list[str]:
        return [io["name"] for io in self.spec["outputs"]]

    def to(self, device: str | torch.device) -> "Plan":
        """Upload weights and allocate the arena for the max shapes on device."""
        self._executor = Executor(self.spec, self._weights, torch.device(device))
        return self

    def __call__(self, **inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.run(inputs)

    def run(self, inputs: dict[str, torch.Tensor], copy_outputs: bool = True) -> dict[str, torch.Tensor]:
        """Outputs by name. copy_outputs=False skips one copy per output: the tensors are then the
        plan's own buffers, overwritten by the next call (as with torch.compile's CUDA graphs)."""
        if self._executor is None:
            self.to("cuda" if torch.cuda.is_available() else "cpu")
        return self._executor.run(inputs, copy_outputs=copy_outputs)
