import pytest
import torch

from conftest import ON_GPU, close
from solder_runtime.kernels.norm import layer_norm, rms_norm, skip_layer_norm, skip_rms_norm


def ref_norm(s, weight, bias, eps, rms):
    s = s.double()
    if not rms:
        s = s - s.mean(-1, keepdim=True)
    y = s / torch.sqrt((s * s).mean(-1, keepdim=True) + eps) * weight.double()
    return y + bias.double() if bias is not None else y


@pytest.mark.parametrize("shape", [(1, 1, 8), (3, 17, 40), (5, 100)])
def test_layer_norm(device, shape):
    x = torch.randn(shape, device=device) * 3 + 1
    w, b = torch.randn(shape[-1], device=device), torch.randn(shape[-1], device=device)
    out = torch.full_like(x, float("nan"))
    layer_norm(x, w, out, bias=b, eps=1e-5)
    close(out, ref_norm(x, w, b, 1e-5, False), scale=5)


@pytest.mark.parametrize("shape", [(1, 1, 8), (3, 17, 40)])
def test_rms_norm(device, shape):
    x = torch.randn(shape, device=device) * 2
    w = torch.randn(shape[-1], device=device)
    out = torch.full_like(x, float("nan"))
    rms_norm(x, w, out, eps=1e-6)
    close(out, ref_norm(x, w, None, 1e-6, True), scale=5)


@pytest.mark.parametrize("rms", [False, True])
@pytest.mark.parametrize("with_sum,with_skip_bias", [(True, True), (False, False), (True, False)])
def test_skip_norms_with_optional_sum(device, rms, with_sum, with_skip_bias):
    x, skip = torch.randn(3, 17, 24, device=device), torch.randn(3, 17, 24, device=device)
    w, b, sb = (torch.randn(24, device=device) for _ in range(3))
    out = torch.full_like(x, float("nan"))
    total = torch.full_like(x, float("nan")) if with_sum else None
    s_bias = sb if with_skip_bias else None
    if rms:
        skip_rms_norm(x, skip, w, out, skip_bias=s_bias, sum=total, eps=1e-6)
    else:
        skip_layer_norm(x, skip, w, out, bias=b, skip_bias=s_bias, sum=total, eps=1e-5)
    s = x.double() + skip.double() + (sb.double() if with_skip_bias else 0)
    close(out, ref_norm(s, w, None if rms else b, 1e-6 if rms else 1e-5, rms), scale=5)
    if with_sum:
        close(total, s)


def test_skip_layer_norm_in_place_over_its_input(device):
    x, skip = torch.randn(4, 33, device=device), torch.randn(4, 33, device=device)
    w, b = torch.randn(33, device=device), torch.randn(33, device=device)
    want = ref_norm(x.double() + skip.double(), w, b, 1e-5, False)
    skip_layer_norm(x, skip, w, x, bias=b, sum=skip)
    close(x, want, scale=5)


@pytest.mark.skipif(not ON_GPU, reason="real sizes need a GPU")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("n", [768, 4096, 8192])
def test_half_precision_real_rows(device, dtype, n):
    x, skip = torch.randn(1000, n, device=device, dtype=dtype), torch.randn(1000, n, device=device, dtype=dtype)
    w, b = torch.randn(n, device=device, dtype=dtype), torch.randn(n, device=device, dtype=dtype)
    out = torch.empty_like(x)
    skip_layer_norm(x, skip, w, out, bias=b)
    close(out, ref_norm(x.double() + skip.double(), w, b, 1e-5, False), dtype=dtype, scale=4)
