"""Device time of one call, the one measurement the GEMM choice and the benchmarks share."""
from __future__ import annotations

from typing import Callable

import torch


def event_ms(fn: Callable[[], object]) -> float:
    """Milliseconds of GPU time between two CUDA events around one call of fn (waits for it)."""
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end)
