import pytest
import torch

from conftest import ON_GPU, close
from test_gemm import ACTS, reference
from solder_runtime.errors import PlanError
from solder_runtime.kernels.gemm_skinny import MAX_ROWS, gemm_skinny

# one program per column slice (direct store); K in 3 slices (atomics); more slices than K has blocks
CONFIGS = [{"BLOCK_N": 32, "BLOCK_K": 64, "SPLIT_K": 1}, {"BLOCK_N": 32, "BLOCK_K": 64, "SPLIT_K": 3},
           {"BLOCK_N": 64, "BLOCK_K": 64, "SPLIT_K": 8}]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("m,k", [(1, 300), (7, 520), (16, 40)])
def test_every_split_matches_reference_with_every_epilogue(device, config, act, m, k):
    x, w = torch.randn(m, k, device=device), torch.randn(k, 70, device=device) * 0.1
    bias, residual = torch.randn(70, device=device), torch.randn(m, 70, device=device)
    out = torch.full((m, 70), float("nan"), device=device)
    gemm_skinny(x, w, out, bias, residual, act, config=config)
    close(out, reference(x, w, bias, residual, act), scale=5)


def test_autotuned_launch(device):
    x, w = torch.randn(5, 200, device=device), torch.randn(200, 96, device=device) * 0.1
    out = torch.empty(5, 96, device=device)
    gemm_skinny(x, w, out, activation="silu")
    close(out, reference(x, w, None, None, "silu"), scale=5)


def test_workspace_is_left_clean_for_the_next_call(device):
    # A second call with other values must not see the first call's partial sums.
    w = torch.randn(520, 70, device=device) * 0.1
    for config in CONFIGS[1:] * 2:
        x = torch.randn(5, 520, device=device)
        out = torch.empty(5, 70, device=device)
        gemm_skinny(x, w, out, config=config)
        close(out, reference(x, w, None, None, "none"), scale=5)


def test_residual_may_alias_out(device):
    x, w, bias = torch.randn(3, 400, device=device), torch.randn(400, 64, device=device) * 0.1, torch.randn(64, device=device)
    acc = torch.randn(3, 64, device=device)
    want = reference(x, w, bias, acc, "gelu")
    gemm_skinny(x, w, acc, bias, acc, "gelu", config=CONFIGS[1])
    close(acc, want, scale=5)


def test_refuses_more_rows_than_it_holds(device):
    x, w = torch.randn(MAX_ROWS + 1, 8, device=device), torch.randn(8, 8, device=device)
    with pytest.raises(PlanError, match="at most 16 rows"):
        gemm_skinny(x, w, torch.empty(MAX_ROWS + 1, 8, device=device))


@pytest.mark.skipif(not ON_GPU, reason="half precision at BERT-base sizes needs a GPU")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("k,n", [(768, 768), (768, 3072), (3072, 768), (768, 2304)])
def test_half_precision_bert_sizes(device, dtype, k, n):
    x, w = torch.randn(16, k, device=device, dtype=dtype), (torch.randn(k, n, device=device) * 0.03).to(dtype)
    bias = torch.randn(n, device=device, dtype=dtype)
    out = torch.empty(16, n, device=device, dtype=dtype)
    gemm_skinny(x, w, out, bias, None, "gelu")
    close(out, reference(x, w, bias, None, "gelu"), dtype=dtype, scale=2)
