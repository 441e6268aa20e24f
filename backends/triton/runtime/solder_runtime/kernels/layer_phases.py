"""The phases of encoder_layer's persistent kernel, and the grid barrier between them.

Each phase is a loop over its units of work, `for unit in range(pid, units, nprog)`,
so the same code runs with one program per SM (one launch, barriers between
phases) or with a few programs per launch (one launch per phase: the interpreter).
Activations are read with `.cg` (through L2, past L1): other SMs wrote them during
this launch, after this SM's L1 may have cached the same lines (the arena reuses
memory between buffers).
"""
from __future__ import annotations

import triton
import triton.language as tl

from .attention import finite_max, keys_masked, mask_in_log2, normalized
from .common import apply_activation
from .norm import normalize


@triton.jit
def sync_grid(sync, target):
    """Every program waits here until `target` arrivals in all; writes before are visible after."""
    tl.debug_barrier()
    tl.atomic_add(sync, 1, sem="release", scope="gpu")
    # Polling with atomics: ~1.0 us a barrier on an H100, where plain volatile loads and one
    # acquiring atomic after took 1.3-1.6 us (bench/notes.md, run L6).
    while tl.atomic_add(sync, 0, sem="acquire", scope="gpu") < target:
        pass
    tl.debug_barrier()


@triton.jit
def weight_tile(w, N, K, unit, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    """One unit's weights: rows [k_start, k_start + BLOCK_K) of one BLOCK_N column tile of w [K, N]
    (zeros past the ends, so a unit number past the last loads nothing), in one load."""
    n_tiles = tl.cdiv(N, BLOCK_N)
    kk = (unit // n_tiles) * BLOCK_K + tl.arange(0, BLOCK_K)
    rn = (unit % n_tiles) * BLOCK_N + tl.arange(0, BLOCK_N)
    return tl.load(w + kk[:, None] * N + rn[None, :], mask=(kk < K)[:, None] & (rn < N)[None, :], other=0.0)


@triton.jit
def gemm_phase(x, sx, w, w_first, parts, M, N, K, pid, nprog,
               BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, PRECISION: tl.constexpr):
    """The float32 product x @ w (w [K, N] row-major) in units of (BLOCK_N column tile, BLOCK_K
    slice of K). Each unit stores its partial product to its slice's slab of parts ([BLOCK_M, N]
    each), and a later phase adds the slabs and the bias (sum_parts): no atomics, and no unit
    waits for another. w_first holds this program's first unit's weights, loaded before the
    phase began."""
    n_tiles = tl.cdiv(N, BLOCK_N)
    rm = tl.arange(0, BLOCK_M)
    for unit in range(pid, n_tiles * tl.cdiv(K, BLOCK_K), nprog):
        if unit == pid:
            wt = w_first
        else:  # more units than programs
            wt = weight_tile(w, N, K, unit, BLOCK_N, BLOCK_K)
        kk = (unit // n_tiles) * BLOCK_K + tl.arange(0, BLOCK_K)
        a = tl.load(x + rm[:, None] * sx + kk[None, :], mask=(rm < M)[:, None] & (kk < K)[None, :], other=0.0,
                    cache_modifier=".cg")
        acc = tl.dot(a, wt, input_precision=PRECISION)
        rn = (unit % n_tiles) * BLOCK_N + tl.arange(0, BLOCK_N)
        slab = parts + (unit // n_tiles) * BLOCK_M * N
        tl.store(slab + rm[:, None] * N + rn[None, :], acc, mask=(rm < M)[:, None] & (rn < N)[None, :])


@triton.jit
def sum_parts(parts, bias, rows, cols, N, ok, PARTS: tl.constexpr, BLOCK_M: tl.constexpr):
    """A split GEMM's output at (rows, cols): its PARTS slabs summed, plus bias, in float32."""
    acc = tl.load(bias + cols, mask=ok, other=0.0).to(tl.float32)
    for p in tl.static_range(PARTS):
        acc += tl.load(parts + (p * BLOCK_M + rows) * N + cols, mask=ok, other=0.0, cache_modifier=".cg")
    return acc


@triton.jit
def finish_phase(parts, bias, out, so, M, N, pid, nprog,
                 PARTS: tl.constexpr, ACT: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK: tl.constexpr):
    """out = act(sum of the slabs + bias) in out's dtype, as the GEMM launch would store it; the
    M x N outputs shared out in blocks of BLOCK over every program."""
    for chunk in range(pid, tl.cdiv(M * N, BLOCK), nprog):
        idx = chunk * BLOCK + tl.arange(0, BLOCK)
        rows, cols = idx // N, idx % N
        ok = idx < M * N
        y = apply_activation(sum_parts(parts, bias, rows, cols, N, ok, PARTS, BLOCK_M), ACT)
        tl.store(out + rows * so + cols, y.to(out.dtype.element_ty), mask=ok)


@triton.jit
def attention_out_phase(q, k, v, ctx, lens, mask, w_o, w_first, parts, M, D, H, KV_GROUP, S, qk_scale,
                        sqb, sqh, sqs, sqd, skb, skh, sks, skd, svb, svh, svs, svd, sob, soh, sos, sod,
                        smb, smh, smk, slb, pid, nprog,
                        HAS_LENS: tl.constexpr, HAS_MASK: tl.constexpr, CAUSAL: tl.constexpr, HEAD_D: tl.constexpr,
                        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, PRECISION: tl.constexpr):
    """Attention and the output projection in one phase. A unit is (head h, column tile of w_o):
    it computes head h's attention for every token at once (the batch as one sequence, keys of
    other batch rows masked out; the same masking rules as attention.py, fully masked rows give
    zeros), rounds it to ctx's dtype as the attention launch would store it, and multiplies it by
    rows [h * HEAD_D, +HEAD_D) of w_o, the head's K slice: slab h of parts, added up by the norm
    phase. Units of column tile 0 also store ctx. w_first holds this program's first unit's w_o
    slice, loaded before the phase began (weight_tile with BLOCK_K = HEAD_D)."""
    n_tiles = tl.cdiv(D, BLOCK_N)
    tok = tl.arange(0, BLOCK_M)
    tok_ok = tok < M
    b_t, s_t = tok // S, tok % S  # each token's batch row and position in it
    rd = tl.arange(0, HEAD_D)
    kv_end = tl.zeros((BLOCK_M,), dtype=tl.int32) + S  # per key, its batch row's key count
    if HAS_LENS:
        kv_end = tl.minimum(kv_end, tl.load(lens + b_t * slb, mask=tok_ok, other=0, cache_modifier=".cg").to(tl.int32))
    same_row = b_t[:, None] == b_t[None, :]
    for unit in range(pid, H * n_tiles, nprog):
        h = unit // n_tiles
        tile = unit % n_tiles
        if unit == pid:
            wt = w_first
        else:  # more units than programs
            wt = weight_tile(w_o, D, D, unit, BLOCK_N, HEAD_D)
        kvh = h // KV_GROUP
        q_t = tl.load(q + b_t[:, None] * sqb + h * sqh + s_t[:, None] * sqs + rd[None, :] * sqd, mask=tok_ok[:, None],
                      other=0.0, cache_modifier=".cg")
        k_t = tl.load(k + b_t[None, :] * skb + kvh * skh + s_t[None, :] * sks + rd[:, None] * skd, mask=tok_ok[None, :],
                      other=0.0, cache_modifier=".cg")
        s = tl.dot(q_t, k_t, input_precision=PRECISION) * qk_scale
        if HAS_MASK:
            s += mask_in_log2(tl.load(mask + b_t * smb + h * smh + s_t * smk, mask=tok_ok, other=0.0,
                                      cache_modifier=".cg"))[None, :]
        s = tl.where(same_row, keys_masked(s, s_t, s_t, kv_end, 0, CAUSAL), float("-inf"))
        p = tl.math.exp2(s - finite_max(tl.max(s, 1))[:, None])
        v_t = tl.load(v + b_t[:, None] * svb + kvh * svh + s_t[:, None] * svs + rd[None, :] * svd, mask=tok_ok[:, None],
                      other=0.0, cache_modifier=".cg")
        head = normalized(tl.dot(p.to(v_t.dtype), v_t, input_precision=PRECISION), tl.sum(p, 1))
        head = head.to(ctx.dtype.element_ty)
        if tile == 0:
            tl.store(ctx + b_t[:, None] * sob + h * soh + s_t[:, None] * sos + rd[None, :] * sod, head,
                     mask=tok_ok[:, None])
        acc = tl.dot(head, wt, input_precision=PRECISION)
        rn = tile * BLOCK_N + tl.arange(0, BLOCK_N)
        tl.store(parts + h * BLOCK_M * D + tok[:, None] * D + rn[None, :], acc, mask=tok_ok[:, None] & (rn < D)[None, :])


@triton.jit
def norm_phase(x, sx, skip, sk, gamma, beta, out, so, parts, bias, M, N, eps, pid, nprog,
               BLOCK: tl.constexpr, BLOCK_M: tl.constexpr, PARTS: tl.constexpr):
    """out = LayerNorm(x + skip) * gamma + beta, a row per program, as norm.py computes it. x is
    a split GEMM's output, first completed here (slabs + bias) and stored to x in its dtype (as
    the GEMM launch would have), then normalized from that rounded value."""
    cols = tl.arange(0, BLOCK)
    ok = cols < N
    c2, ok2 = cols[None, :], ok[None, :]
    for r in range(pid, M, nprog):
        r2 = (r + tl.arange(0, 1))[:, None]  # the row as a [1, BLOCK] block, the shape normalize takes
        rounded = sum_parts(parts, bias, r2, c2, N, ok2, PARTS, BLOCK_M).to(x.dtype.element_ty)
        tl.store(x + r2 * sx + c2, rounded, mask=ok2)
        s = rounded.to(tl.float32) + tl.load(skip + r2 * sk + c2, mask=ok2, other=0.0, cache_modifier=".cg").to(tl.float32)
        y = normalize(s, ok2, cols, ok, gamma, beta, N, eps, False, True)
        tl.store(out + r2 * so + c2, y.to(out.dtype.element_ty), mask=ok2)


@triton.jit
def stamp(stamps, pid, slot: tl.constexpr, STAMPS: tl.constexpr):
    """With STAMPS (benchmarks only), the GPU's nanosecond clock for this program at this point."""
    if STAMPS:
        tl.store(stamps + pid * 32 + slot, tl.extra.cuda.globaltimer())


@triton.jit
def between(p, FIRST: tl.constexpr, LAST: tl.constexpr, GRID_SYNC: tl.constexpr, sync, nprog, stamps,
            STAMPS: tl.constexpr):
    """The barrier after phase p, when this launch also runs phase p + 1 (stamped before and after)."""
    stamp(stamps, tl.program_id(0), 2 * p + 1, STAMPS)
    if GRID_SYNC and FIRST <= p and p < LAST:
        sync_grid(sync, (p - FIRST + 1) * nprog)
    stamp(stamps, tl.program_id(0), 2 * p + 2, STAMPS)
