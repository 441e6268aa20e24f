"""Device time: one call between CUDA events (the benchmarks), and a call as a plan's CUDA graph
runs it (the per-shape kernel choice and every autotuner)."""
from __future__ import annotations

from typing import Callable, Sequence

import torch

from .graphs import capture

# More than the L2 cache of any GPU solder runs on (H100: 50 MB), zeroed before each timed call:
# in a forward, a layer's weights come from HBM, not from the L2 the previous call left warm.
_FLUSH_BYTES = 64 << 20
_flush_buffers: dict[torch.device, torch.Tensor] = {}


def event_ms(fn: Callable[[], object]) -> float:
    """Milliseconds of GPU time between two CUDA events around one call of fn (waits for it)."""
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end)


def bench_in_graph(fn: Callable[[], object], quantiles: Sequence[float] | None = None,
                   calls: int = 10, replays: int = 7) -> float | list[float]:
    """Milliseconds per call of fn as a plan runs it: `calls` calls captured in one CUDA graph,
    each after an L2 flush, less a graph of the flushes alone; the median over `replays` (or the
    given quantiles, as Triton's autotuner asks for them). Timed eagerly instead, a small kernel's
    time is mostly its launch from Python (20-40 us for a Triton kernel, a few for cuBLAS), which
    a graph replay never pays: choices at few rows then measured the host, not the GPU."""
    fn()  # compiles and autotunes outside the capture
    device = torch.device("cuda", torch.cuda.current_device())
    if device not in _flush_buffers:  # not setdefault: its default would allocate 64 MB on every call
        _flush_buffers[device] = torch.empty(_FLUSH_BYTES, dtype=torch.uint8, device=device)
    flush = _flush_buffers[device]
    torch.cuda.synchronize()

    def flushes(with_fn: bool) -> None:
        for _ in range(calls):
            flush.zero_()
            if with_fn:
                fn()

    timed, flushes_only = capture(lambda: flushes(True)), capture(lambda: flushes(False))
    timed.replay()  # the first replay also uploads the graph
    flushes_only.replay()
    times = sorted(max(event_ms(timed.replay) - event_ms(flushes_only.replay), 0.0) / calls for _ in range(replays))
    if quantiles is None:
        return times[len(times) // 2]
    return [times[min(len(times) - 1, int(q * len(times)))] for q in quantiles]
