"""Flash attention forward: online softmax over key blocks, nothing [q, kv]-sized in memory.

q [batch, heads, q_len, head_dim], k/v [batch, kv_heads, kv_len, head_dim] (any
strides, so q/k/v can be views into a fused QKV projection), heads a multiple of
kv_heads (grouped-query attention). Keys are masked by per-row key lengths, an
additive mask [batch|1, heads|1, q_len|1, kv_len], causality (bottom-right
aligned: query i sees keys j <= i + kv_len - q_len) and the sequence tails.
Rows whose keys are all masked produce zeros instead of NaN.
"""
from __future__ import annotations

import math

import torch
import triton
import triton.language as tl

from .common import autotune_candidates, autotune_timer, dot_precision, interpreting, require

LOG2E = 1.4426950408889634


@triton.jit
def mask_in_log2(extra):
    """An additive mask in the kernel's log2 units, clamped first so that finfo.min masks stay
    finite after the log2(e) factor (as they do in eager softmax)."""
    return tl.maximum(extra.to(tl.float32), -1.0e30) * 1.4426950408889634


@triton.jit
def keys_masked(s, rows, cols, kv_end, diagonal, CAUSAL: tl.constexpr):
    """Scores s [rows, cols] with keys at or past kv_end, and with CAUSAL keys past each query's
    diagonal (bottom-right aligned: key j <= query i + diagonal), set to -inf."""
    valid = (cols < kv_end)[None, :]
    if CAUSAL:
        valid = valid & (cols[None, :] <= rows[:, None] + diagonal)
    return tl.where(valid, s, float("-inf"))


@triton.jit
def finite_max(m):
    """A row maximum to subtract before exp2: 0 for rows with every key masked so far, so that
    their exponents give 0 instead of NaN."""
    return tl.where(m == float("-inf"), 0.0, m)


@triton.jit
def normalized(acc, l_sum):
    """acc / row sums; rows with every key masked (sum 0) give zeros."""
    return acc / tl.where(l_sum == 0.0, 1.0, l_sum)[:, None]


def _configs() -> list:
    if interpreting():
        return [triton.Config({"BLOCK_M": 32, "BLOCK_N": 32}, num_warps=1)]
    return [triton.Config({"BLOCK_M": m, "BLOCK_N": n}, num_warps=w, num_stages=s)
            for m, n, w, s in [(128, 64, 4, 3), (128, 64, 8, 3), (128, 128, 8, 3), (64, 64, 4, 3), (64, 128, 4, 3),
                                (128, 32, 4, 4), (16, 32, 4, 2), (32, 32, 4, 2), (32, 64, 4, 3)]]


def _fitting_configs(configs: list, named_args: dict, **_) -> list:
    """Short queries get small row tiles (a 128-row tile over 16 queries is 7/8 idle), long ones
    large tiles; fewer candidates also means fewer compiles on a cold start."""
    short = named_args["Q_LEN"] <= 32
    fit = [c for c in configs if (c.kwargs["BLOCK_M"] <= 32) == short]
    return autotune_candidates(fit or configs)


@triton.autotune(configs=_configs(), key=["BATCH", "Q_LEN", "KV_LEN", "HEAD_D", "CAUSAL", "HAS_MASK", "MASK_PER_KEY", "HAS_LENS"],
                 prune_configs_by={"early_config_prune": _fitting_configs}, **autotune_timer())
@triton.jit
def _attention_kernel(q, k, v, out, lens, mask, BATCH, H, KV_GROUP, Q_LEN, KV_LEN, qk_scale,
                      sqb, sqh, sqs, sqd, skb, skh, sks, skd, svb, svh, svs, svd,
                      sob, soh, sos, sod, smb, smh, smq, smk, slb,
                      HAS_LENS: tl.constexpr, HAS_MASK: tl.constexpr, MASK_PER_KEY: tl.constexpr, CAUSAL: tl.constexpr,
                      PRECISION: tl.constexpr, HEAD_D: tl.constexpr,
                      BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    start_m = tl.program_id(0)
    b = tl.program_id(1) // H
    h = tl.program_id(1) % H
    kvh = h // KV_GROUP
    rm = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = tl.arange(0, BLOCK_N)
    rd = tl.arange(0, HEAD_D)
    q_tile = tl.load(q + b * sqb + h * sqh + rm[:, None] * sqs + rd[None, :] * sqd, mask=(rm < Q_LEN)[:, None], other=0.0)
    k_base = k + b * skb + kvh * skh
    v_base = v + b * svb + kvh * svh
    diagonal = KV_LEN - Q_LEN
    kv_end = KV_LEN
    if HAS_LENS:
        kv_end = tl.minimum(kv_end, tl.load(lens + b * slb).to(tl.int32))
    if CAUSAL:
        kv_end = tl.minimum(kv_end, (start_m + 1) * BLOCK_M + diagonal)
    m_i = tl.full((BLOCK_M,), float("-inf"), dtype=tl.float32)
    l_i = tl.zeros((BLOCK_M,), dtype=tl.float32)
    acc = tl.zeros((BLOCK_M, HEAD_D), dtype=tl.float32)
    for n0 in range(0, kv_end, BLOCK_N):
        cols = n0 + rn
        in_range = cols < kv_end
        k_tile = tl.load(k_base + cols[None, :] * sks + rd[:, None] * skd, mask=in_range[None, :], other=0.0)
        s = tl.dot(q_tile, k_tile, input_precision=PRECISION) * qk_scale
        if HAS_MASK and MASK_PER_KEY:
            s += mask_in_log2(tl.load(mask + b * smb + h * smh + cols * smk, mask=in_range, other=0.0))[None, :]
        elif HAS_MASK:
            m_at = mask + b * smb + h * smh + rm[:, None] * smq + cols[None, :] * smk
            s += mask_in_log2(tl.load(m_at, mask=(rm < Q_LEN)[:, None] & in_range[None, :], other=0.0))
        s = keys_masked(s, rm, cols, kv_end, diagonal, CAUSAL)
        m_new = tl.maximum(m_i, tl.max(s, 1))
        m_safe = finite_max(m_new)
        p = tl.math.exp2(s - m_safe[:, None])
        alpha = tl.math.exp2(m_i - m_safe)
        l_i = l_i * alpha + tl.sum(p, 1)
        v_tile = tl.load(v_base + cols[:, None] * svs + rd[None, :] * svd, mask=in_range[:, None], other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v_tile.dtype), v_tile, input_precision=PRECISION)
        m_i = m_new
    acc = normalized(acc, l_i)
    o_at = out + b * sob + h * soh + rm[:, None] * sos + rd[None, :] * sod
    tl.store(o_at, acc.to(out.dtype.element_ty), mask=(rm < Q_LEN)[:, None])


def attention(q, k, v, out, key_lengths=None, mask=None, scale=None, causal=False) -> None:
    """out = softmax(q k^T * scale + mask, masked) v; see the module doc for shapes."""
    require(q.dim() == 4 and k.dim() == 4 and v.dim() == 4, "attention", "q, k, v must be 4-D [batch, heads, seq, head_dim]")
    B, H, S, D = q.shape
    _, HKV, SKV, _ = k.shape
    require(D in (16, 32, 64, 128, 256), "attention", f"head_dim {D} not supported (16, 32, 64, 128, 256)")
    require(k.shape[0] == B and k.shape[3] == D and tuple(v.shape) == tuple(k.shape), "attention",
            f"k {list(k.shape)} / v {list(v.shape)} do not fit q {list(q.shape)}")
    require(H % HKV == 0, "attention", f"{H} query heads are not a multiple of {HKV} key/value heads")
    require(tuple(out.shape) == tuple(q.shape), "attention", f"out {list(out.shape)} must match q {list(q.shape)}")
    scale = 1.0 / math.sqrt(D) if scale is None else float(scale)
    if mask is not None:
        require(mask.dim() == 4, "attention", f"mask must be 4-D [batch|1, heads|1, q|1, kv], got {list(mask.shape)}")
        try:
            mask = mask.expand(B, H, S, SKV)
        except RuntimeError:
            require(False, "attention", f"mask {list(mask.shape)} does not broadcast to {[B, H, S, SKV]}")
    if key_lengths is not None:
        require(key_lengths.numel() in (1, B), "attention", f"key_lengths must have 1 or {B} entries")
    lens = key_lengths if key_lengths is not None else q
    len_stride = 0 if key_lengths is None or key_lengths.numel() == 1 else key_lengths.stride(0)
    m = mask if mask is not None else q
    ms = mask.stride() if mask is not None else (0, 0, 0, 0)
    grid = lambda meta: (triton.cdiv(S, meta["BLOCK_M"]), B * H)
    _attention_kernel[grid](q, k, v, out, lens, m, B, H, H // HKV, S, SKV, scale * LOG2E,
                            *q.stride(), *k.stride(), *v.stride(), *out.stride(), *ms, len_stride,
                            HAS_LENS=key_lengths is not None, HAS_MASK=mask is not None,
                            MASK_PER_KEY=mask is not None and ms[2] == 0, CAUSAL=bool(causal),
                            PRECISION=dot_precision(q.dtype), HEAD_D=D)


def mask_lengths(mask, out) -> None:
    """out[b] = number of nonzero entries of mask[b, :] (for right-padded attention masks)."""
    require(mask.dim() == 2 and out.numel() == mask.shape[0], "mask_lengths", "mask must be [batch, kv], out [batch]")
    out.view(-1).copy_((mask != 0).sum(dim=1))
