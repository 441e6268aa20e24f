"""LayerNorm / RMSNorm and their Skip variants in one row-wise kernel.

Skip variants: s = x + skip (+ skip_bias); out = norm(s) * weight (+ bias), and
the optional `sum` output receives s (the residual stream for the next block).
Each program normalizes a few rows held whole in registers, in float32, so out may
alias x or skip (in-place is allowed).
"""
from __future__ import annotations

import triton
import triton.language as tl

from .common import require, row_block, rows_per_program
from .gemm import contiguous_rows


@triton.jit
def normalize(s, inside, cols, col_ok, weight, bias, N, eps, IS_RMS: tl.constexpr, HAS_BIAS: tl.constexpr):
    """LayerNorm (or RMSNorm) of the float32 rows s [R, BLOCK] (entries outside `inside` ignored)
    times weight, plus bias: what every norm kernel, fused or not, computes once s is summed."""
    if IS_RMS:
        centered = s
    else:
        centered = tl.where(inside, s - (tl.sum(s, 1) / N)[:, None], 0.0)
    rstd = 1.0 / tl.sqrt(tl.sum(centered * centered, 1) / N + eps)
    y = centered * rstd[:, None] * tl.load(weight + cols, mask=col_ok, other=0.0).to(tl.float32)[None, :]
    if HAS_BIAS:
        y += tl.load(bias + cols, mask=col_ok, other=0.0).to(tl.float32)[None, :]
    return y


@triton.jit
def _norm_kernel(x, skip, skip_bias, weight, bias, out, sum_out, M, N, eps,
                 sxm, skm, som, ssm,
                 IS_RMS: tl.constexpr, HAS_SKIP: tl.constexpr, HAS_SKIP_BIAS: tl.constexpr,
                 HAS_BIAS: tl.constexpr, WRITE_SUM: tl.constexpr, ROWS: tl.constexpr, BLOCK: tl.constexpr):
    rows = (tl.program_id(0) * ROWS + tl.arange(0, ROWS)).to(tl.int64)
    cols = tl.arange(0, BLOCK)
    col_ok = cols < N
    inside = (rows < M)[:, None] & col_ok[None, :]
    r, c = rows[:, None], cols[None, :]
    s = tl.load(x + r * sxm + c, mask=inside, other=0.0).to(tl.float32)
    if HAS_SKIP:
        s += tl.load(skip + r * skm + c, mask=inside, other=0.0).to(tl.float32)
    if HAS_SKIP_BIAS:
        s += tl.load(skip_bias + cols, mask=col_ok, other=0.0).to(tl.float32)[None, :]
    if WRITE_SUM:
        tl.store(sum_out + r * ssm + c, s.to(sum_out.dtype.element_ty), mask=inside)
    y = normalize(s, inside, cols, col_ok, weight, bias, N, eps, IS_RMS, HAS_BIAS)
    tl.store(out + r * som + c, y.to(out.dtype.element_ty), mask=inside)


def norm(x, weight, out, bias=None, skip=None, skip_bias=None, sum=None, eps=1e-5, rms=False, kernel="layer_norm"):
    """Shared launcher behind layer_norm, rms_norm, skip_layer_norm and skip_rms_norm."""
    N = x.shape[-1]
    require(weight.numel() == N, kernel, f"weight has {weight.numel()} elements, rows have {N}")
    require(tuple(out.shape) == tuple(x.shape), kernel, f"out {list(out.shape)} must match x {list(x.shape)}")
    x2, o2 = contiguous_rows(x, "x", kernel), contiguous_rows(out, "out", kernel)
    k2 = contiguous_rows(skip, "skip", kernel) if skip is not None else x2
    s2 = contiguous_rows(sum, "sum", kernel) if sum is not None else o2
    if skip is not None:
        require(tuple(skip.shape) == tuple(x.shape), kernel, f"skip {list(skip.shape)} must match x {list(x.shape)}")
    block = row_block(N)
    rows = rows_per_program(block)
    M = x2.shape[0]
    _norm_kernel[(triton.cdiv(M, rows),)](x2, k2, skip_bias if skip_bias is not None else weight, weight,
                                          bias if bias is not None else weight, o2, s2, M, N, float(eps),
                                          x2.stride(0), k2.stride(0), o2.stride(0), s2.stride(0),
                                          IS_RMS=rms, HAS_SKIP=skip is not None, HAS_SKIP_BIAS=skip_bias is not None,
                                          HAS_BIAS=bias is not None, WRITE_SUM=sum is not None, ROWS=rows, BLOCK=block,
                                          num_warps=min(16, max(1, rows * block // 512)))


def layer_norm(x, weight, out, bias=None, eps=1e-5):
    norm(x, weight, out, bias=bias, eps=eps, kernel="layer_norm")


def rms_norm(x, weight, out, eps=1e-6):
    norm(x, weight, out, eps=eps, rms=True, kernel="rms_norm")


def skip_layer_norm(x, skip, weight, out, bias=None, skip_bias=None, sum=None, eps=1e-5):
    norm(x, weight, out, bias=bias, skip=skip, skip_bias=skip_bias, sum=sum, eps=eps, kernel="skip_layer_norm")


def skip_rms_norm(x, skip, weight, out, skip_bias=None, sum=None, eps=1e-6):
    norm(x, weight, out, skip=skip, skip_bias=skip_bias, sum=sum, eps=eps, rms=True, kernel="skip_rms_norm")
