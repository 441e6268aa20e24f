"""Helpers shared by the kernel modules: activations, dtype checks, launch sizing."""
from __future__ import annotations

import inspect
import os

import torch
import triton
import triton.language as tl

from ..errors import PlanError
from ..timing import bench_in_graph

ACTIVATIONS = {"none": 0, "relu": 1, "gelu": 2, "gelu_tanh": 3, "silu": 4}


def activation_code(name: str | None) -> int:
    name = name or "none"
    if name not in ACTIVATIONS:
        raise PlanError(f"unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})")
    return ACTIVATIONS[name]


@triton.jit
def apply_activation(x, ACT: tl.constexpr):
    """x (float32) through the activation numbered as in ACTIVATIONS."""
    if ACT == 1:
        x = tl.maximum(x, 0.0)
    elif ACT == 2:
        x = 0.5 * x * (1.0 + tl.math.erf(x * 0.7071067811865476))
    elif ACT == 3:
        inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
        # tanh(u) = 2*sigmoid(2u) - 1: sigmoid is available everywhere, including the interpreter
        x = 0.5 * x * (1.0 + (2.0 * tl.sigmoid(2.0 * inner) - 1.0))
    elif ACT == 4:
        x = x * tl.sigmoid(x)
    return x


def torch_activation(x: torch.Tensor, name: str | None) -> torch.Tensor:
    """The same activations in torch (used by references and the cuBLAS path's tests)."""
    name = name or "none"
    if name == "relu":
        return torch.relu(x)
    if name == "gelu":
        return torch.nn.functional.gelu(x)
    if name == "gelu_tanh":
        return torch.nn.functional.gelu(x, approximate="tanh")
    if name == "silu":
        return torch.nn.functional.silu(x)
    return x


def interpreting() -> bool:
    """True under TRITON_INTERPRET=1, where kernels run on the CPU and block sizes stay small."""
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def on_gpu(device: torch.device) -> bool:
    """Whether kernels launched for device run on a GPU (not on the CPU, not interpreted)."""
    return device.type == "cuda" and not interpreting()


def autotune_candidates(configs: list) -> list:
    """The configs to time, or only the first under SOLDER_AUTOTUNE=off: the GPU test suite checks
    results, not speed, and one compile per kernel shape lets it finish in minutes."""
    return configs[:1] if os.environ.get("SOLDER_AUTOTUNE", "on") == "off" else configs


def autotune_timer() -> dict:
    """triton.autotune's keyword for timing each config in a CUDA graph (timing.bench_in_graph), as
    plans run kernels, rather than by eager launches whose Python cost hides a small kernel's time
    (Triton's default). A Triton whose autotuner takes no timer keeps its own."""
    return {"do_bench": bench_in_graph} if "do_bench" in inspect.signature(triton.autotune).parameters else {}


def dot_precision(dtype: torch.dtype) -> str:
    """float32 plans get full-precision dots; Triton's default would be tf32."""
    return "ieee" if dtype == torch.float32 else "tf32"


def require(cond: bool, kernel: str, what: str) -> None:
    if not cond:
        raise PlanError(f"kernel {kernel}: {what}")


def row_block(n: int) -> int:
    """Block covering a whole row of n elements (row-wise kernels hold a row in registers)."""
    return max(16, triton.next_power_of_2(n))


def rows_per_program(block: int) -> int:
    """Rows one program of a row-wise kernel handles: tiles of ~4K elements on the GPU
    (small hidden sizes would leave programs idle), 64K under the interpreter, whose cost is per program."""
    budget = 65536 if interpreting() else 4096
    return max(1, budget // block)
