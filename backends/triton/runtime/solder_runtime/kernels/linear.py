"""Plan-facing GEMM entry points that pick Triton, split-K Triton (few rows) or cuBLAS per shape."""
from __future__ import annotations

import torch

from ..errors import PlanError
from .choice import choose
from .gated_mlp import gated_triton
from .gemm import gemm_triton
from .gemm_skinny import MAX_ROWS, gemm_skinny
from .gemm_torch import gated_cublas, gemm_cublas

IMPLS = ("auto", "triton", "cublas", "skinny")


def _run(kind, impls, x, weight, out, flags, impl):
    if impl not in IMPLS:
        raise PlanError(f"kernel {kind}: impl must be one of {', '.join(IMPLS)}, got {impl!r}")
    if impl != "auto" and impl not in impls:
        raise PlanError(f"kernel {kind}: impl {impl!r} does not fit this shape (these do: {', '.join(impls)})")
    if impl == "auto":
        M = x.numel() // x.shape[-1]
        key = f"{kind}|{M}|{weight.shape[1]}|{weight.shape[0]}|{x.dtype}|{flags}"
        scratch = {}

        def timed(fn):
            def call():
                if "out" not in scratch:  # allocated once, and only when a choice is timed
                    scratch["out"] = torch.empty_like(out)
                fn(scratch["out"])
            return call

        impl = choose(key, out.device, {n: timed(f) for n, f in impls.items()}, default="triton")
    impls[impl](out)


def gemm(x, weight, out, bias=None, residual=None, activation="none", impl="auto") -> None:
    """out = act(x @ weight + bias) + residual, weight [K, N]."""
    impls = {"triton": lambda o: gemm_triton(x, weight, o, bias, residual, activation),
             "cublas": lambda o: gemm_cublas(x, weight, o, bias, residual, activation)}
    if x.numel() // x.shape[-1] <= MAX_ROWS:
        impls["skinny"] = lambda o: gemm_skinny(x, weight, o, bias, residual, activation)
    _run("gemm", impls, x, weight, out, f"{bias is not None}{residual is not None}{activation}", impl)


def gated_mlp(x, weight, out, bias=None, activation="silu", impl="auto") -> None:
    """out = act(x @ Wg + bg) * (x @ Wu + bu), weight [K, 2N] = [Wg | Wu]."""
    impls = {"triton": lambda o: gated_triton(x, weight, o, bias, activation),
             "cublas": lambda o: gated_cublas(x, weight, o, bias, activation)}
    _run("gated_mlp", impls, x, weight, out, f"{bias is not None}{activation}", impl)
