"""The kernel library: each plan kernel name, its tensor arguments and its attributes.

Importing this module compiles nothing, but it fixes Triton's interpreter mode:
set TRITON_INTERPRET before the first import when running on the CPU.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import attention, embedding, linear, norm, rotary, softmax


@dataclass(frozen=True)
class LibraryKernel:
    launch: Callable
    required: tuple[str, ...]  # tensor arguments that must be bound
    optional: tuple[str, ...] = ()  # tensor arguments that may be bound
    attrs: tuple[str, ...] = ()  # constant attributes, passed by keyword


LIBRARY: dict[str, LibraryKernel] = {
    "gemm": LibraryKernel(linear.gemm, ("x", "weight", "out"), ("bias", "residual"), ("activation", "impl")),
    "gated_mlp": LibraryKernel(linear.gated_mlp, ("x", "weight", "out"), ("bias",), ("activation", "impl")),
    "attention": LibraryKernel(attention.attention, ("q", "k", "v", "out"), ("key_lengths", "mask"), ("scale", "causal")),
    "mask_lengths": LibraryKernel(attention.mask_lengths, ("mask", "out")),
    "layer_norm": LibraryKernel(norm.layer_norm, ("x", "weight", "out"), ("bias",), ("eps",)),
    "rms_norm": LibraryKernel(norm.rms_norm, ("x", "weight", "out"), (), ("eps",)),
    "skip_layer_norm": LibraryKernel(norm.skip_layer_norm, ("x", "skip", "weight", "out"),
                                     ("bias", "skip_bias", "sum"), ("eps",)),
    "skip_rms_norm": LibraryKernel(norm.skip_rms_norm, ("x", "skip", "weight", "out"), ("skip_bias", "sum"), ("eps",)),
    "rotary": LibraryKernel(rotary.rotary, ("x", "cos", "sin", "out"), ("positions",)),
    "embedding": LibraryKernel(embedding.embedding, ("ids", "table", "out"),
                               ("position_table", "position_ids", "token_type_ids", "token_type_table")),
    "softmax": LibraryKernel(softmax.softmax, ("x", "out"), ("mask",), ("scale",)),
}
