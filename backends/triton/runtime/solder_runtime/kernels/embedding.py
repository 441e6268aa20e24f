"""Embedding gather with optional position and token-type embeddings summed in.

out[b, s] = table[ids[b, s]] + position_table[pos[b, s]] + token_type_table[tt[b, s]],
pos = position_ids[b, s] when given, else s. Out-of-range ids are clamped into
the table rather than read out of bounds (padding uses id 0).
"""
from __future__ import annotations

import triton
import triton.language as tl

from .common import require, row_block, rows_per_program


@triton.jit
def _embedding_kernel(ids, table, pos_ids, pos_table, tt_ids, tt_table, out, M, S, Hd, V, P, T,
                      sib, sis, spb, sps, stb, sts, som,
                      HAS_POS: tl.constexpr, HAS_POS_IDS: tl.constexpr, HAS_TT: tl.constexpr,
                      ROWS: tl.constexpr, BLOCK: tl.constexpr):
    rows = tl.program_id(0) * ROWS + tl.arange(0, ROWS)
    row_ok = rows < M
    b = rows // S
    s = rows % S
    cols = tl.arange(0, BLOCK)[None, :]
    inside = row_ok[:, None] & (cols < Hd)
    tok = tl.load(ids + b * sib + s * sis, mask=row_ok, other=0).to(tl.int64)
    tok = tl.minimum(tl.maximum(tok, 0), V - 1)
    acc = tl.load(table + tok[:, None] * Hd + cols, mask=inside, other=0.0).to(tl.float32)
    if HAS_POS:
        if HAS_POS_IDS:
            p = tl.load(pos_ids + b * spb + s * sps, mask=row_ok, other=0).to(tl.int64)
        else:
            p = s.to(tl.int64)
        p = tl.minimum(tl.maximum(p, 0), P - 1)
        acc += tl.load(pos_table + p[:, None] * Hd + cols, mask=inside, other=0.0).to(tl.float32)
    if HAS_TT:
        t = tl.load(tt_ids + b * stb + s * sts, mask=row_ok, other=0).to(tl.int64)
        t = tl.minimum(tl.maximum(t, 0), T - 1)
        acc += tl.load(tt_table + t[:, None] * Hd + cols, mask=inside, other=0.0).to(tl.float32)
    tl.store(out + rows.to(tl.int64)[:, None] * som + cols, acc.to(out.dtype.element_ty), mask=inside)


def _index_strides(t, B, S, name):
    require(t.dim() == 2 and t.shape[1] == S and t.shape[0] in (1, B), "embedding",
            f"{name} must be [batch|1, seq] = [{B}, {S}], got {list(t.shape)}")
    return (0 if t.shape[0] == 1 else t.stride(0)), t.stride(1)


def embedding(ids, table, out, position_table=None, position_ids=None, token_type_ids=None, token_type_table=None):
    require(ids.dim() == 2, "embedding", f"ids must be [batch, seq], got {list(ids.shape)}")
    B, S = ids.shape
    V, Hd = table.shape
    require(table.is_contiguous(), "embedding", "table must be contiguous")
    require(tuple(out.shape) == (B, S, Hd) and out.stride(2) == 1 and out.stride(0) == S * out.stride(1),
            "embedding", f"out must be a [batch, seq, hidden] = {[B, S, Hd]} row-major tensor")
    require(position_ids is None or position_table is not None, "embedding", "position_ids given without position_table")
    require((token_type_ids is None) == (token_type_table is None), "embedding",
            "token_type_ids and token_type_table come together")
    for t, name in ((position_table, "position_table"), (token_type_table, "token_type_table")):
        require(t is None or (t.dim() == 2 and t.shape[1] == Hd and t.is_contiguous()), "embedding",
                f"{name} must be a contiguous [rows, {Hd}] table")
    require(position_table is None or position_ids is not None or S <= position_table.shape[0], "embedding",
            f"seq {S} exceeds the position table's {position_table.shape[0] if position_table is not None else 0} rows")
    spb, sps = _index_strides(position_ids, B, S, "position_ids") if position_ids is not None else (0, 0)
    stb, sts = _index_strides(token_type_ids, B, S, "token_type_ids") if token_type_ids is not None else (0, 0)
    sib, sis = ids.stride()
    block = row_block(Hd)
    rows = rows_per_program(block)
    _embedding_kernel[(triton.cdiv(B * S, rows),)](
        ids, table, position_ids if position_ids is not None else ids, position_table if position_table is not None else table,
        token_type_ids if token_type_ids is not None else ids, token_type_table if token_type_table is not None else table,
        out, B * S, S, Hd, V, position_table.shape[0] if position_table is not None else 1,
        token_type_table.shape[0] if token_type_table is not None else 1, sib, sis, spb, sps, stb, sts, out.stride(1),
        HAS_POS=position_table is not None, HAS_POS_IDS=position_ids is not None, HAS_TT=token_type_ids is not None,
        ROWS=rows, BLOCK=block)
