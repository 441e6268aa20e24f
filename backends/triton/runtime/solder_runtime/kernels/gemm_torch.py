"""The cuBLAS path: torch.addmm (bias in cuBLASLt's epilogue), then a Triton pass only
for what cuBLASLt cannot fuse (erf GELU, SiLU, a residual)."""
from __future__ import annotations

import torch
import triton
import triton.language as tl

from .common import activation_code, apply_activation
from .gemm import as_rows, check_gemm, store_epilogue


@triton.jit
def _epilogue_kernel(acc_ptr, bias, res, out, M, N, sam, san, srm, srn, som, son,
                     HAS_BIAS: tl.constexpr, ACT: tl.constexpr, HAS_RES: tl.constexpr,
                     BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rm = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    mask = (rm < M)[:, None] & (rn < N)[None, :]
    acc = tl.load(acc_ptr + rm[:, None] * sam + rn[None, :] * san, mask=mask, other=0.0).to(tl.float32)
    store_epilogue(acc, rm, rn, M, N, bias, res, out, srm, srn, som, son, HAS_BIAS, ACT, HAS_RES)


@triton.jit
def _gated_epilogue_kernel(acc_ptr, bias, out, M, N, sam, san, som, son,
                           HAS_BIAS: tl.constexpr, ACT: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rm = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    mask = (rm < M)[:, None] & (rn < N)[None, :]
    gate_at = acc_ptr + rm[:, None] * sam + rn[None, :] * san
    gate = tl.load(gate_at, mask=mask, other=0.0).to(tl.float32)
    up = tl.load(gate_at + N * san, mask=mask, other=0.0).to(tl.float32)
    if HAS_BIAS:
        gate += tl.load(bias + rn, mask=rn < N, other=0.0).to(tl.float32)[None, :]
        up += tl.load(bias + N + rn, mask=rn < N, other=0.0).to(tl.float32)[None, :]
    y = apply_activation(gate, ACT) * up
    tl.store(out + rm[:, None] * som + rn[None, :] * son, y.to(out.dtype.element_ty), mask=mask)


# Activations torch hands to cuBLASLt's epilogue with a bias: ReLU, and GELU's tanh approximation.
LT_EPILOGUES = frozenset({"relu", "gelu_tanh"})


def _overlaps(a: torch.Tensor, b: torch.Tensor) -> bool:
    a0, b0 = a.data_ptr(), b.data_ptr()
    a1 = a0 + a.numel() * a.element_size()
    b1 = b0 + b.numel() * b.element_size()
    return a.device == b.device and a0 < b1 and b0 < a1


def _epilogue_grid(M: int, N: int) -> tuple:
    return (triton.cdiv(M, 32), triton.cdiv(N, 128))


def gemm_cublas(x, w, out, bias=None, residual=None, activation=None) -> None:
    """Same result as gemm_triton, through cuBLAS: the bias (with a ReLU or tanh GELU) in
    cuBLASLt's epilogue, then one Triton pass only for what is left (erf GELU, SiLU, residual)."""
    check_gemm(x, w, out, w.shape[1], "gemm")
    x2, o2 = as_rows(x, "x"), as_rows(out, "out")
    r2 = as_rows(residual, "residual") if residual is not None else o2
    act = activation or "none"
    direct = o2.is_contiguous() and (residual is None or not _overlaps(o2, r2))
    acc = o2 if direct else torch.empty_like(o2)
    if bias is None:
        torch.matmul(x2, w, out=acc)
    elif act in LT_EPILOGUES:
        torch._addmm_activation(bias, x2, w, use_gelu=act == "gelu_tanh", out=acc)
        act = "none"
    else:
        torch.addmm(bias, x2, w, out=acc)
    if act == "none" and residual is None and direct:
        return
    M, N = o2.shape
    _epilogue_kernel[_epilogue_grid(M, N)](
        acc, acc, r2, o2, M, N, acc.stride(0), acc.stride(1), r2.stride(0), r2.stride(1),
        o2.stride(0), o2.stride(1), HAS_BIAS=False, ACT=activation_code(act), HAS_RES=residual is not None,
        BLOCK_M=32, BLOCK_N=128)


def gated_cublas(x, w, out, bias=None, activation="silu") -> None:
    """out = act(x @ Wg + bg) * (x @ Wu + bu) with w = [Wg | Wu] as one [K, 2N] matmul."""
    check_gemm(x, w, out, w.shape[1] // 2, "gated_mlp")
    x2, o2 = as_rows(x, "x", "gated_mlp"), as_rows(out, "out", "gated_mlp")
    acc = torch.matmul(x2, w)
    M, N = o2.shape
    _gated_epilogue_kernel[_epilogue_grid(M, N)](
        acc, bias if bias is not None else acc, o2, M, N, acc.stride(0), acc.stride(1), o2.stride(0), o2.stride(1),
        HAS_BIAS=bias is not None, ACT=activation_code(activation), BLOCK_M=32, BLOCK_N=128)
