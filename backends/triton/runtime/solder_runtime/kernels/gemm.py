"""GEMM with a fused epilogue: out = act(x @ w + bias) + residual.

Weights are stored [K, N] row-major (the plan's layout contract), so y = x @ W
with no transpose at run time. Accumulation is float32 whatever the dtype.
"""
from __future__ import annotations

import torch
import triton
import triton.language as tl

from .common import activation_code, apply_activation, autotune_candidates, autotune_timer, dot_precision, interpreting, require


def gemm_configs() -> list:
    if interpreting():
        return [triton.Config({"BLOCK_M": 32, "BLOCK_N": 64, "BLOCK_K": 32, "GROUP_M": 4}, num_warps=1)]
    shapes = [(128, 128, 64, 3, 8), (128, 256, 64, 3, 8), (64, 128, 64, 4, 4),
              (128, 64, 64, 4, 4), (64, 64, 64, 4, 4), (32, 64, 64, 4, 4), (16, 64, 128, 4, 4)]
    return [triton.Config({"BLOCK_M": m, "BLOCK_N": n, "BLOCK_K": k, "GROUP_M": 8}, num_stages=s, num_warps=w)
            for m, n, k, s, w in shapes]


def fitting_configs(configs: list, named_args: dict, **_) -> list:
    """Row tiles no taller than needed for few rows, none of the thin ones for many: each
    candidate left out is one compile fewer on a cold start."""
    M = named_args["M"]
    fit = [c for c in configs
           if (c.kwargs["BLOCK_M"] <= max(16, triton.next_power_of_2(M)) if M <= 64 else c.kwargs["BLOCK_M"] >= 64)]
    return autotune_candidates(fit or configs)


@triton.jit
def tile_of(pid, M, N, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, GROUP_M: tl.constexpr):
    """Grouped tile order: GROUP_M row-tiles share each column sweep, so W tiles stay in L2."""
    num_m = tl.cdiv(M, BLOCK_M)
    num_n = tl.cdiv(N, BLOCK_N)
    group = GROUP_M * num_n
    first_m = (pid // group) * GROUP_M
    size_m = min(num_m - first_m, GROUP_M)
    pid_m = first_m + (pid % group) % size_m
    pid_n = (pid % group) // size_m
    return pid_m, pid_n


@triton.jit
def store_epilogue(acc, rm, rn, M, N, bias, res, out, srm, srn, som, son,
                   HAS_BIAS: tl.constexpr, ACT: tl.constexpr, HAS_RES: tl.constexpr):
    """Bias, activation and residual on a float32 tile, then one store in out's dtype."""
    mask = (rm < M)[:, None] & (rn < N)[None, :]
    if HAS_BIAS:
        acc += tl.load(bias + rn, mask=rn < N, other=0.0).to(tl.float32)[None, :]
    acc = apply_activation(acc, ACT)
    if HAS_RES:
        acc += tl.load(res + rm[:, None] * srm + rn[None, :] * srn, mask=mask, other=0.0).to(tl.float32)
    tl.store(out + rm[:, None] * som + rn[None, :] * son, acc.to(out.dtype.element_ty), mask=mask)


# restore_value: out may alias residual (in-place accumulate); tuning runs must not compound it
@triton.autotune(configs=gemm_configs(), key=["M", "N", "K", "HAS_BIAS", "ACT", "HAS_RES"], restore_value=["out"],
                 prune_configs_by={"early_config_prune": fitting_configs}, **autotune_timer())
@triton.jit
def _gemm_kernel(x, w, bias, res, out, M, N, K, sxm, sxk, swk, swn, srm, srn, som, son,
                 HAS_BIAS: tl.constexpr, ACT: tl.constexpr, HAS_RES: tl.constexpr, PRECISION: tl.constexpr,
                 BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr):
    pid_m, pid_n = tile_of(tl.program_id(0), M, N, BLOCK_M, BLOCK_N, GROUP_M)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    rk = tl.arange(0, BLOCK_K)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        kk = k0 + rk
        a = tl.load(x + rm[:, None] * sxm + kk[None, :] * sxk, mask=(rm < M)[:, None] & (kk < K)[None, :], other=0.0)
        b = tl.load(w + kk[:, None] * swk + rn[None, :] * swn, mask=(kk < K)[:, None] & (rn < N)[None, :], other=0.0)
        acc = tl.dot(a, b, acc, input_precision=PRECISION)
    store_epilogue(acc, rm, rn, M, N, bias, res, out, srm, srn, som, son, HAS_BIAS, ACT, HAS_RES)


def as_rows(t: torch.Tensor, name: str, kernel: str = "gemm") -> torch.Tensor:
    """[..., C] as a 2-D [rows, C] view (never a copy, since out tensors must be written in place)."""
    require(t.dim() >= 1, kernel, f"{name} must have at least one dimension")
    try:
        return t.view(-1, t.shape[-1]) if t.dim() != 2 else t
    except RuntimeError:
        require(False, kernel, f"{name} of shape {list(t.shape)} and strides {list(t.stride())} "
                "cannot be flattened to rows without a copy")


def contiguous_rows(t: torch.Tensor, name: str, kernel: str) -> torch.Tensor:
    """as_rows, for kernels that also need each row contiguous."""
    r = as_rows(t, name, kernel)
    require(r.stride(1) == 1, kernel, f"{name} must be contiguous in its last dimension")
    return r


def check_gemm(x: torch.Tensor, w: torch.Tensor, out: torch.Tensor, n_out: int, kernel: str) -> None:
    require(w.dim() == 2, kernel, f"weight must be 2-D [K, N], got {list(w.shape)}")
    require(x.shape[-1] == w.shape[0], kernel, f"x has K={x.shape[-1]} but weight is {list(w.shape)} ([K, N] expected)")
    require(out.shape[-1] == n_out and out.shape[:-1] == x.shape[:-1], kernel,
            f"out shape {list(out.shape)} does not match x {list(x.shape)} and N={n_out}")


def gemm_triton(x, w, out, bias=None, residual=None, activation=None) -> None:
    """out = act(x @ w + bias) + residual with the Triton kernel."""
    check_gemm(x, w, out, w.shape[1], "gemm")
    x2, o2 = as_rows(x, "x"), as_rows(out, "out")
    r2 = as_rows(residual, "residual") if residual is not None else o2
    M, K = x2.shape
    N = w.shape[1]
    grid = lambda meta: (triton.cdiv(M, meta["BLOCK_M"]) * triton.cdiv(N, meta["BLOCK_N"]),)
    _gemm_kernel[grid](x2, w, bias if bias is not None else o2, r2, o2, M, N, K,
                       x2.stride(0), x2.stride(1), w.stride(0), w.stride(1), r2.stride(0), r2.stride(1),
                       o2.stride(0), o2.stride(1), HAS_BIAS=bias is not None, ACT=activation_code(activation),
                       HAS_RES=residual is not None, PRECISION=dot_precision(x.dtype))
