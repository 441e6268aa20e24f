"""Per-shape choice between the Triton GEMM and cuBLAS + Triton epilogue.

Timed once per (kernel, M, N, K, dtype, flags, GPU) on the first eager run of a
shape bucket, which always precedes CUDA graph capture, inside CUDA graphs as the
plan will run them (timing.bench_in_graph); remembered in memory and in the solder
cache folder so a second start does not time again.
"""
from __future__ import annotations

from typing import Callable

import torch

from ..cache import load_json, save_json
from ..timing import bench_in_graph
from .common import interpreting

# v2: timed in CUDA graphs; v1 timed eager launches, so its choices at few rows measured the host
_FILE = "gemm_choices.v2.json"
_chosen: dict[str, str] | None = None


def choose(key: str, device: torch.device, candidates: dict[str, Callable[[], None]], default: str) -> str:
    """Name of the fastest candidate for key; candidates must write only to scratch memory."""
    global _chosen
    if device.type != "cuda" or interpreting():
        return default
    if _chosen is None:
        _chosen = load_json(_FILE)
    full_key = f"{key}|{torch.cuda.get_device_name(device)}"
    if full_key in _chosen:
        return _chosen[full_key]
    if torch.cuda.is_current_stream_capturing():
        return default  # never time inside a capture; the executor warms up first, so this is rare
    timings = {name: bench_in_graph(fn) for name, fn in candidates.items()}
    _chosen[full_key] = min(timings, key=timings.get)
    save_json(_FILE, {**load_json(_FILE), full_key: _chosen[full_key]})
    return _chosen[full_key]
