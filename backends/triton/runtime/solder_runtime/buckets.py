"""Shape buckets: each symbol's value is rounded up so few CUDA graphs cover all inputs.

pow2   -> next power of two (1, 2, 4, 8, ...), the default for batch-like symbols.
mult64 -> powers of two below 64, then multiples of 64 (seq 17 -> 32, 100 -> 128,
          513 -> 576): at most 1/64 + a bit of padding for long sequences.
exact  -> no rounding (one graph per distinct value).
Every bucket is capped at the symbol's max, which is always a valid bucket.
"""
from __future__ import annotations

from .errors import PlanError

POLICIES = ("pow2", "mult64", "exact")


def bucket(value: int, policy: str, max_value: int) -> int:
    if policy not in POLICIES:
        raise PlanError(f"unknown bucket policy {policy!r} (known: {', '.join(POLICIES)})")
    if policy == "exact":
        rounded = value
    elif policy == "pow2" or value <= 64:
        rounded = 1 << max(0, value - 1).bit_length()
    else:
        rounded = -(-value // 64) * 64
    return min(rounded, max_value)


def default_policy(symbol: str) -> str:
    """seq-like symbols (names containing 'seq' or 'len') use mult64, others pow2."""
    lowered = symbol.lower()
    return "mult64" if "seq" in lowered or "len" in lowered else "pow2"
