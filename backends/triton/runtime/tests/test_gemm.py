import pytest
import torch

from conftest import ON_GPU, close
from solder_runtime.kernels.common import torch_activation
from solder_runtime.kernels.gated_mlp import gated_triton
from solder_runtime.kernels.gemm import gemm_triton
from solder_runtime.kernels.gemm_torch import gated_cublas, gemm_cublas
from solder_runtime.kernels.linear import gemm, gated_mlp

ACTS = ["none", "relu", "gelu", "gelu_tanh", "silu"]


def reference(x, w, bias, residual, act):
    y = x.double() @ w.double()
    if bias is not None:
        y = y + bias.double()
    y = torch_activation(y, act)
    return y + residual.double() if residual is not None else y


@pytest.mark.parametrize("impl", [gemm_triton, gemm_cublas])
@pytest.mark.parametrize("act", ACTS)
def test_gemm_epilogue_each_activation(device, impl, act):
    x, w = torch.randn(3, 17, 40, device=device), torch.randn(40, 33, device=device) * 0.2
    bias, residual = torch.randn(33, device=device), torch.randn(3, 17, 33, device=device)
    out = torch.full((3, 17, 33), float("nan"), device=device)
    impl(x, w, out, bias, residual, act)
    close(out, reference(x, w, bias, residual, act), scale=5)


@pytest.mark.parametrize("impl", [gemm_triton, gemm_cublas])
@pytest.mark.parametrize("m", [1, 19])
def test_gemm_without_bias_or_residual_and_odd_rows(device, impl, m):
    x, w = torch.randn(m, 24, device=device), torch.randn(24, 50, device=device)
    out = torch.full((m, 50), float("nan"), device=device)
    impl(x, w, out)
    close(out, reference(x, w, None, None, "none"), scale=5)


@pytest.mark.parametrize("impl", [gemm_triton, gemm_cublas])
def test_gemm_residual_may_alias_out(device, impl):
    x, w, bias = torch.randn(9, 16, device=device), torch.randn(16, 16, device=device), torch.randn(16, device=device)
    acc = torch.randn(9, 16, device=device)
    want = reference(x, w, bias, acc, "relu")
    impl(x, w, acc, bias, acc, "relu")
    close(acc, want, scale=5)


def test_gemm_reads_strided_input_rows(device):
    wide = torch.randn(10, 64, device=device)
    x = wide[:, 8:40]  # row stride 64, not 32: a slice of a fused projection
    w = torch.randn(32, 20, device=device)
    out = torch.empty(10, 20, device=device)
    gemm_triton(x, w, out, activation="gelu")
    close(out, reference(x, w, None, None, "gelu"), scale=5)


@pytest.mark.parametrize("impl", ["triton", "cublas", "auto"])
def test_plan_entry_point_honours_impl(device, impl):
    x, w, bias = torch.randn(2, 5, 32, device=device), torch.randn(32, 48, device=device), torch.randn(48, device=device)
    out = torch.empty(2, 5, 48, device=device)
    gemm(x, w, out, bias=bias, activation="silu", impl=impl)
    close(out, reference(x, w, bias, None, "silu"), scale=5)


def gated_reference(x, w, bias, act):
    n = w.shape[1] // 2
    y = x.double() @ w.double() + (bias.double() if bias is not None else 0)
    return torch_activation(y[..., :n], act) * y[..., n:]


@pytest.mark.parametrize("impl", [gated_triton, gated_cublas])
@pytest.mark.parametrize("act,with_bias", [("silu", False), ("gelu", True), ("gelu_tanh", False)])
def test_gated_mlp_matches_two_gemms(device, impl, act, with_bias):
    x, w = torch.randn(3, 7, 48, device=device), torch.randn(48, 2 * 40, device=device) * 0.3
    bias = torch.randn(80, device=device) if with_bias else None
    out = torch.full((3, 7, 40), float("nan"), device=device)
    impl(x, w, out, bias, act)
    close(out, gated_reference(x, w, bias, act), scale=10)


def test_gated_entry_point(device):
    x, w = torch.randn(4, 32, device=device), torch.randn(32, 64, device=device)
    out = torch.empty(4, 32, device=device)
    gated_mlp(x, w, out)
    close(out, gated_reference(x, w, None, "silu"), scale=10)


@pytest.mark.skipif(not ON_GPU, reason="half precision GEMMs at real sizes need a GPU")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("impl", [gemm_triton, gemm_cublas])
def test_gemm_half_precision_real_size(device, dtype, impl):
    x, w = torch.randn(1000, 1024, device=device, dtype=dtype), (torch.randn(1024, 4096, device=device) * 0.03).to(dtype)
    bias, residual = torch.randn(4096, device=device, dtype=dtype), torch.randn(1000, 4096, device=device, dtype=dtype)
    out = torch.empty(1000, 4096, device=device, dtype=dtype)
    impl(x, w, out, bias, residual, "gelu")
    close(out, reference(x, w, bias, residual, "gelu"), dtype=dtype, scale=2)


def test_autotune_candidates_fit_the_row_count(monkeypatch):
    import triton
    monkeypatch.setenv("SOLDER_AUTOTUNE", "on")
    from solder_runtime.kernels.gemm import fitting_configs
    configs = [triton.Config({"BLOCK_M": m, "BLOCK_N": 64, "BLOCK_K": 64, "GROUP_M": 8}) for m in (16, 32, 64, 128)]
    rows = lambda M: sorted(c.kwargs["BLOCK_M"] for c in fitting_configs(configs, {"M": M}))
    assert rows(1) == [16]
    assert rows(16) == [16]
    assert rows(40) == [16, 32, 64]
    assert rows(16384) == [64, 128]
