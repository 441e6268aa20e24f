"""Rotary position embedding, half-rotation form: x*cos + rotate_half(x)*sin.

x and out are [batch, heads, seq, head_dim] (any strides; out may be x itself).
cos/sin are tables [max_positions, rot_dim] in the Hugging Face layout (the two
halves repeat the same frequencies); dims past rot_dim pass through unchanged.
positions [batch|1, seq] picks table rows; without it row = sequence index.
"""
from __future__ import annotations

import triton
import triton.language as tl

from .common import interpreting, require


@triton.jit
def _rotary_kernel(x, cos, sin, pos, out, H, S, HALF, D, sxb, sxh, sxs, sxd, sob, soh, sos, sod,
                   scp, spb, sps, HAS_POS: tl.constexpr, BLOCK_S: tl.constexpr, BLOCK_H: tl.constexpr,
                   BLOCK_PASS: tl.constexpr):
    b = tl.program_id(1) // H
    h = tl.program_id(1) % H
    rs = tl.program_id(0) * BLOCK_S + tl.arange(0, BLOCK_S)
    rd = tl.arange(0, BLOCK_H)
    row_ok = rs < S
    if HAS_POS:
        p = tl.load(pos + b * spb + rs * sps, mask=row_ok, other=0).to(tl.int64)
    else:
        p = rs.to(tl.int64)
    m = row_ok[:, None] & (rd < HALF)[None, :]
    x_at = x + b * sxb + h * sxh + rs[:, None] * sxs
    o_at = out + b * sob + h * soh + rs[:, None] * sos
    x1 = tl.load(x_at + rd[None, :] * sxd, mask=m, other=0.0).to(tl.float32)
    x2 = tl.load(x_at + (rd + HALF)[None, :] * sxd, mask=m, other=0.0).to(tl.float32)
    t_at = p[:, None] * scp + rd[None, :]
    c1 = tl.load(cos + t_at, mask=m, other=0.0).to(tl.float32)
    c2 = tl.load(cos + t_at + HALF, mask=m, other=0.0).to(tl.float32)
    s1 = tl.load(sin + t_at, mask=m, other=0.0).to(tl.float32)
    s2 = tl.load(sin + t_at + HALF, mask=m, other=0.0).to(tl.float32)
    y1 = x1 * c1 - x2 * s1
    y2 = x2 * c2 + x1 * s2
    tl.store(o_at + rd[None, :] * sod, y1.to(out.dtype.element_ty), mask=m)
    tl.store(o_at + (rd + HALF)[None, :] * sod, y2.to(out.dtype.element_ty), mask=m)
    if BLOCK_PASS > 0:
        rp = 2 * HALF + tl.arange(0, BLOCK_PASS)
        mp = row_ok[:, None] & (rp < D)[None, :]
        keep = tl.load(x_at + rp[None, :] * sxd, mask=mp, other=0.0)
        tl.store(o_at + rp[None, :] * sod, keep, mask=mp)


def rotary(x, cos, sin, out, positions=None) -> None:
    require(x.dim() == 4 and tuple(out.shape) == tuple(x.shape), "rotary", "x and out must be [batch, heads, seq, head_dim]")
    B, H, S, D = x.shape
    require(cos.dim() == 2 and tuple(sin.shape) == tuple(cos.shape), "rotary", "cos and sin must be [positions, rot_dim]")
    R = cos.shape[1]
    require(R % 2 == 0 and R <= D, "rotary", f"rot_dim {R} must be even and at most head_dim {D}")
    require(cos.stride(1) == 1 and sin.stride() == cos.stride(), "rotary", "cos and sin must be contiguous tables")
    require(positions is not None or S <= cos.shape[0], "rotary", f"seq {S} exceeds the {cos.shape[0]} table rows")
    if positions is not None:
        require(positions.dim() == 2 and positions.shape[1] == S and positions.shape[0] in (1, B), "rotary",
                f"positions must be [batch|1, seq], got {list(positions.shape)}")
    pos = positions if positions is not None else cos
    spb = 0 if positions is None or positions.shape[0] == 1 else positions.stride(0)
    sps = positions.stride(1) if positions is not None else 0
    block_s = 16 if interpreting() else 32
    rest = D - R
    grid = (triton.cdiv(S, block_s), B * H)
    _rotary_kernel[grid](x, cos, sin, pos, out, H, S, R // 2, D, *x.stride(), *out.stride(), cos.stride(0), spb, sps,
                         HAS_POS=positions is not None, BLOCK_S=block_s, BLOCK_H=max(16, triton.next_power_of_2(R // 2)),
                         BLOCK_PASS=triton.next_power_of_2(rest) if rest else 0)
