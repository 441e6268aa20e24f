"""Row softmax over the last dimension: out = softmax(x * scale + mask), float32 inside."""
from __future__ import annotations

import triton
import triton.language as tl

from .common import require, row_block
from .gemm import as_rows


@triton.jit
def _softmax_kernel(x, mask, out, N, scale, sxm, smm, som, HAS_MASK: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    cols = tl.arange(0, BLOCK)
    inside = cols < N
    v = tl.load(x + row * sxm + cols, mask=inside, other=0.0).to(tl.float32) * scale
    if HAS_MASK:
        v += tl.load(mask + row * smm + cols, mask=inside, other=0.0).to(tl.float32)
    v = tl.where(inside, v, float("-inf"))
    top = tl.max(v, 0)
    e = tl.exp(v - tl.where(top == float("-inf"), 0.0, top))
    total = tl.sum(e, 0)
    tl.store(out + row * som + cols, (e / tl.where(total == 0.0, 1.0, total)).to(out.dtype.element_ty), mask=inside)


def softmax(x, out, mask=None, scale=1.0) -> None:
    require(tuple(out.shape) == tuple(x.shape), "softmax", f"out {list(out.shape)} must match x {list(x.shape)}")
    x2, o2 = as_rows(x, "x", "softmax"), as_rows(out, "out", "softmax")
    m2 = mask.expand(x.shape).reshape(-1, x.shape[-1]) if mask is not None else x2  # read-only: a copy is fine
    require(x2.stride(1) == 1 and o2.stride(1) == 1 and (mask is None or m2.stride(1) == 1), "softmax",
            "rows must be contiguous in the last dimension")
    N = x2.shape[1]
    _softmax_kernel[(x2.shape[0],)](x2, m2, o2, N, float(scale), x2.stride(0), m2.stride(0), o2.stride(0),
                                    HAS_MASK=mask is not None, BLOCK=row_block(N))
