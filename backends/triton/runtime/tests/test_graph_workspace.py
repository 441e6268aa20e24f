"""CUDA graphs keep the address of cuBLAS's workspace: it must outlive every graph that uses it."""
import gc

import pytest
import torch

from conftest import ON_GPU, close
from solder_runtime.executor import _Program


def split_k_matmul_program(x, w, out):
    # M=16 with a long K: cuBLAS picks a split-K kernel, which needs its workspace.
    return _Program([("matmul", lambda: torch.matmul(x, w, out=out))], torch.device("cuda"))


@pytest.mark.skipif(not ON_GPU, reason="CUDA graphs and cuBLAS workspaces exist only on a GPU")
def test_replay_survives_another_graphs_pool_and_workspace_churn():
    x = torch.randn(16, 8192, device="cuda", dtype=torch.float16)
    w = torch.randn(8192, 768, device="cuda", dtype=torch.float16) * 0.02
    other = split_k_matmul_program(x, w, torch.empty(16, 768, device="cuda", dtype=torch.float16))
    other.execute()  # captured first: without care, the workspace would live in other's pool
    out = torch.empty(16, 768, device="cuda", dtype=torch.float16)
    ours = split_k_matmul_program(x, w, out)
    ours.execute()
    del other
    gc.collect()
    torch._C._cuda_clearCublasWorkspaces()  # what torch.compile's CUDA graph trees do
    torch.cuda.empty_cache()
    junk = [torch.full((1 << 24,), 7.0, device="cuda") for _ in range(8)]  # reuse whatever was freed
    x.copy_(torch.randn_like(x))
    ours.execute()
    torch.cuda.synchronize()
    close(out, x.double() @ w.double(), dtype=torch.float16, scale=4)
    del junk
