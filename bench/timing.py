"""Summaries of repeated timings shared by the device benchmarks."""
from __future__ import annotations


def spread(times: list[float]) -> dict:
    """Median, 10th and 90th percentile (by rank) of a list of milliseconds, and its length."""
    times = sorted(times)
    n = len(times)
    return {"median": times[n // 2], "p10": times[n // 10], "p90": times[(9 * n) // 10], "reps": n}
