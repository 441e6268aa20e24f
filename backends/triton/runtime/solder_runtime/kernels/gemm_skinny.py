"""GEMM for a few rows (M <= 16: short prompts, decode steps), split over K.

At M=16 a BERT-base GEMM is a stream of 1-5 MB of weights. Tiling M and N alone
gives 12-48 programs, too few to pull weights at HBM speed, so each program here
takes one BLOCK_N slice of columns and one of SPLIT_K slices of K. Partial sums
go to a float32 workspace with atomics; the program that arrives last at a column
slice (an atomic counter) applies the epilogue, stores, and leaves the workspace
and the counter at zero for the next call: no memset launch, and CUDA graph
replays stay correct.
"""
from __future__ import annotations

import torch
import triton
import triton.language as tl

from .common import activation_code, autotune_candidates, autotune_timer, dot_precision, interpreting, require
from .gemm import as_rows, check_gemm, store_epilogue

MAX_ROWS = 16
MIN_BLOCK_N = 32

_workspaces: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}


def _configs() -> list:
    if interpreting():
        return [triton.Config({"BLOCK_N": 32, "BLOCK_K": 64, "SPLIT_K": 3}, num_warps=1)]
    # From one program per column slice over the whole K (no atomics, fewest dependent steps)
    # to many K slices per column slice (more weight bytes in flight on more SMs).
    return [triton.Config({"BLOCK_N": n, "BLOCK_K": k, "SPLIT_K": s}, num_warps=4, num_stages=3)
            for n, k, s in [(32, 128, 1), (64, 128, 1), (32, 128, 2), (64, 128, 3), (64, 128, 6), (32, 64, 4),
                            (64, 64, 8), (128, 128, 4)]]


# restore_value: out may alias residual (in-place accumulate); tuning runs must not compound it
@triton.autotune(configs=_configs(), key=["M", "N", "K", "HAS_BIAS", "ACT", "HAS_RES"], restore_value=["out"],
                 prune_configs_by={"early_config_prune": lambda configs, named_args, **_: autotune_candidates(configs)},
                 **autotune_timer())
@triton.jit
def _skinny_kernel(x, w, bias, res, out, ws, counters, M, N, K,
                   sxm, sxk, swk, swn, srm, srn, som, son,
                   HAS_BIAS: tl.constexpr, ACT: tl.constexpr, HAS_RES: tl.constexpr, PRECISION: tl.constexpr,
                   BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, SPLIT_K: tl.constexpr):
    pid_n = tl.program_id(0)
    rm = tl.arange(0, BLOCK_M)
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    k_per_split = tl.cdiv(tl.cdiv(K, BLOCK_K), SPLIT_K) * BLOCK_K
    k_start = tl.program_id(1) * k_per_split
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(k_start, k_start + k_per_split, BLOCK_K):
        kk = k0 + tl.arange(0, BLOCK_K)
        a = tl.load(x + rm[:, None] * sxm + kk[None, :] * sxk, mask=(rm < M)[:, None] & (kk < K)[None, :], other=0.0)
        b = tl.load(w + kk[:, None] * swk + rn[None, :] * swn, mask=(kk < K)[:, None] & (rn < N)[None, :], other=0.0)
        acc = tl.dot(a, b, acc, input_precision=PRECISION)
    if SPLIT_K == 1:
        store_epilogue(acc, rm, rn, M, N, bias, res, out, srm, srn, som, son, HAS_BIAS, ACT, HAS_RES)
    else:
        mask = (rm < M)[:, None] & (rn < N)[None, :]
        tile = ws + rm[:, None] * N + rn[None, :]
        tl.atomic_add(tile, acc, mask=mask, sem="relaxed")
        # Every thread's partial sums must be in before the counter says so.
        tl.debug_barrier()
        arrived = tl.atomic_add(counters + pid_n, 1, sem="acq_rel")
        if arrived == SPLIT_K - 1:
            # Read the sums through L2 with atomics (plain loads may hit a stale L1), then clear them.
            total = tl.atomic_add(tile, tl.zeros_like(acc), mask=mask, sem="acquire")
            tl.store(tile, tl.zeros_like(acc), mask=mask)
            tl.atomic_xchg(counters + pid_n, 0, sem="relaxed")
            store_epilogue(total, rm, rn, M, N, bias, res, out, srm, srn, som, son, HAS_BIAS, ACT, HAS_RES)


def _workspace(device: torch.device, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Zeroed float32 partial sums and counters, shared by every launch with this N (launches run
    in order, and each leaves them zeroed); counters for the narrowest column slice any config uses."""
    key = (device, n)
    if key not in _workspaces:
        _workspaces[key] = (torch.zeros(MAX_ROWS * n, dtype=torch.float32, device=device),
                            torch.zeros(triton.cdiv(n, MIN_BLOCK_N), dtype=torch.int32, device=device))
    return _workspaces[key]


def gemm_skinny(x, w, out, bias=None, residual=None, activation=None, config: dict | None = None) -> None:
    """out = act(x @ w + bias) + residual for at most MAX_ROWS rows. Autotuned, unless config
    ({"BLOCK_N", "BLOCK_K", "SPLIT_K"}) names one (tests reach every path that way)."""
    check_gemm(x, w, out, w.shape[1], "gemm")
    x2, o2 = as_rows(x, "x"), as_rows(out, "out")
    r2 = as_rows(residual, "residual") if residual is not None else o2
    M, K = x2.shape
    N = w.shape[1]
    require(M <= MAX_ROWS, "gemm", f"the split-K path takes at most {MAX_ROWS} rows, got {M}")
    ws, counters = _workspace(x2.device, N)
    require(config is None or config.get("BLOCK_N", 0) >= MIN_BLOCK_N, "gemm", f"BLOCK_N must be >= {MIN_BLOCK_N}")
    grid = lambda meta: (triton.cdiv(N, meta["BLOCK_N"]), meta["SPLIT_K"])
    kernel = _skinny_kernel if config is None else _skinny_kernel.fn
    kernel[grid](
        x2, w, bias if bias is not None else o2, r2, o2, ws, counters, M, N, K,
        x2.stride(0), x2.stride(1), w.stride(0), w.stride(1), r2.stride(0), r2.stride(1), o2.stride(0), o2.stride(1),
        HAS_BIAS=bias is not None, ACT=activation_code(activation), HAS_RES=residual is not None,
        PRECISION=dot_precision(x.dtype), BLOCK_M=MAX_ROWS, **(config or {}))
