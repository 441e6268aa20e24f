"""CUDA graph capture, shared by the executor (one graph per shape bucket) and by the timings
that choose kernels (bench_in_graph), so that both capture the same way."""
from __future__ import annotations

from typing import Callable

import torch


def _fresh_cublas_workspace() -> None:
    """Empties torch's process-wide cache of cuBLAS workspaces (one per stream)."""
    torch._C._cuda_clearCublasWorkspaces()


def capture(fn: Callable[[], object]) -> torch.cuda.CUDAGraph:
    """A CUDA graph of one call of fn (which must already have run once: compiled, autotuned).

    cuBLAS keeps one workspace per stream in a process-wide cache, and a captured GEMM keeps its
    address. Cleared before, the capture allocates it in this graph's own pool, which lives as
    long as the graph; cleared after, no later capture (another plan's, a timing's, or
    torch.compile's, which also clears that cache) can take it over or free it from under this
    graph's replays. The likely cause of an 'unspecified launch failure' replaying a float16 plan
    after a float32 plan was deleted (2 of 2 benchmark runs before this, none after; not
    reproduced in isolation, see bench/notes.md).
    """
    graph = torch.cuda.CUDAGraph()
    _fresh_cublas_workspace()
    with torch.cuda.graph(graph):
        fn()
    _fresh_cublas_workspace()
    return graph
