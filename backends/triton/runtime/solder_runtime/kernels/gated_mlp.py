"""Gated MLP projection: out = act(x @ Wg + bg) * (x @ Wu + bu).

The weight is [K, 2N] = [Wg | Wu] (gate columns first). One kernel keeps two
accumulators per output tile, so each tile of x is read once for both GEMMs.
"""
from __future__ import annotations

import triton
import triton.language as tl

from .common import activation_code, apply_activation, autotune_timer, dot_precision, require
from .gemm import as_rows, check_gemm, fitting_configs, gemm_configs, tile_of


@triton.autotune(configs=gemm_configs(), key=["M", "N", "K", "HAS_BIAS", "ACT"],
                 prune_configs_by={"early_config_prune": fitting_configs}, **autotune_timer())
@triton.jit
def _gated_kernel(x, w, bias, out, M, N, K, sxm, sxk, swk, swn, som, son,
                  HAS_BIAS: tl.constexpr, ACT: tl.constexpr, PRECISION: tl.constexpr,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr):
    pid_m, pid_n = tile_of(tl.program_id(0), M, N, BLOCK_M, BLOCK_N, GROUP_M)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    rk = tl.arange(0, BLOCK_K)
    gate = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    up = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        kk = k0 + rk
        a = tl.load(x + rm[:, None] * sxm + kk[None, :] * sxk, mask=(rm < M)[:, None] & (kk < K)[None, :], other=0.0)
        w_mask = (kk < K)[:, None] & (rn < N)[None, :]
        w_at = w + kk[:, None] * swk + rn[None, :] * swn
        gate = tl.dot(a, tl.load(w_at, mask=w_mask, other=0.0), gate, input_precision=PRECISION)
        up = tl.dot(a, tl.load(w_at + N * swn, mask=w_mask, other=0.0), up, input_precision=PRECISION)
    if HAS_BIAS:
        gate += tl.load(bias + rn, mask=rn < N, other=0.0).to(tl.float32)[None, :]
        up += tl.load(bias + N + rn, mask=rn < N, other=0.0).to(tl.float32)[None, :]
    y = apply_activation(gate, ACT) * up
    mask = (rm < M)[:, None] & (rn < N)[None, :]
    tl.store(out + rm[:, None] * som + rn[None, :] * son, y.to(out.dtype.element_ty), mask=mask)


def gated_triton(x, w, out, bias=None, activation="silu") -> None:
    require(w.dim() == 2 and w.shape[1] % 2 == 0, "gated_mlp", f"weight must be [K, 2N], got {list(w.shape)}")
    check_gemm(x, w, out, w.shape[1] // 2, "gated_mlp")
    x2, o2 = as_rows(x, "x", "gated_mlp"), as_rows(out, "out", "gated_mlp")
    M, K = x2.shape
    N = o2.shape[1]
    grid = lambda meta: (triton.cdiv(M, meta["BLOCK_M"]) * triton.cdiv(N, meta["BLOCK_N"]),)
    _gated_kernel[grid](x2, w, bias if bias is not None else o2, o2, M, N, K, x2.stride(0), x2.stride(1),
                        w.stride(0), w.stride(1), o2.stride(0), o2.stride(1), HAS_BIAS=bias is not None,
                        ACT=activation_code(activation), PRECISION=dot_precision(x.dtype))
