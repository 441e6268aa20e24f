"""Turns plan references into torch tensors for one shape bucket.

Buffers are views of the byte arena; inputs and outputs are views of staging
tensors sized for the max shapes; a `view` re-strides any of them in place.
"""
from __future__ import annotations

import math

import torch

from .dtypes import TORCH_DTYPES
from .errors import PlanError
from .formula import evaluate


def contiguous_strides(shape: list[int]) -> list[int]:
    strides, step = [], 1
    for d in reversed(shape):
        strides.append(step)
        step *= d
    return strides[::-1]


def shape_at(formulas: list, env: dict) -> list[int]:
    return [evaluate(f, env) for f in formulas]


def buffer_view(name: str, buf: dict, arena: torch.Tensor, alignment: int, env: dict) -> torch.Tensor:
    dtype = TORCH_DTYPES[buf["dtype"]]
    offset, shape = evaluate(buf["offset"], env), shape_at(buf["shape"], env)
    nbytes = math.prod(shape) * torch.empty((), dtype=dtype).element_size()
    if offset % alignment or offset < 0:
        raise PlanError(f"buffer {name}: offset {offset} at {env} is not a multiple of the arena alignment {alignment}")
    if offset + nbytes > arena.numel():
        raise PlanError(f"buffer {name}: bytes [{offset}, {offset + nbytes}) at {env} overrun the "
                        f"{arena.numel()}-byte arena")
    return arena[offset:offset + nbytes].view(dtype).view(shape)


def apply_view(base: torch.Tensor, view: dict, env: dict, where: str) -> torch.Tensor:
    """A strided view of a contiguous base, checked to stay inside it."""
    shape = shape_at(view["shape"], env)
    strides = shape_at(view["strides"], env) if "strides" in view else contiguous_strides(shape)
    offset = evaluate(view.get("offset", 0), env)
    last = offset + sum((d - 1) * s for d, s in zip(shape, strides)) if all(shape) else offset
    if not base.is_contiguous() or offset < 0 or min(strides, default=0) < 0 or (all(shape) and last >= base.numel()):
        raise PlanError(f"{where}: view shape {shape} strides {strides} offset {offset} does not fit inside its "
                        f"{list(base.shape)} tensor at {env}")
    return base.as_strided(shape, strides, base.storage_offset() + offset)
