"""Shared fixtures: kernels run on CUDA when present, else on Triton's CPU interpreter."""
import os

import pytest
import torch

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")  # must precede the first kernel import
os.environ.setdefault("SOLDER_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".pytest_cache", "solder"))

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
ON_GPU = DEVICE == "cuda"


@pytest.fixture
def device():
    return DEVICE


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(1234)


def close(got, want, dtype=torch.float32, scale=1.0):
    """Assert got matches a float64 reference within the tolerance of dtype (never on all-zero references)."""
    want = want.double()
    assert want.abs().max() > 0, "reference is all zeros: the comparison would prove nothing"
    tol = {torch.float32: 2e-5, torch.float16: 2e-3, torch.bfloat16: 1.6e-2}[dtype] * scale
    got = got.double().cpu()
    assert not got.isnan().any(), "NaN in output"
    err = (got - want.cpu()).abs().max().item()
    bound = tol * max(1.0, want.abs().max().item())
    assert err <= bound, f"max abs error {err:.3e} > {bound:.3e}"
