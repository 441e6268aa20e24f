import math

import pytest
import torch

from conftest import ON_GPU, close
from solder_runtime.errors import PlanError
from solder_runtime.kernels.attention import attention, mask_lengths


def reference(q, k, v, lengths=None, mask=None, scale=None, causal=False):
    """Naive float64 attention; all-masked rows give zeros, as the kernel promises."""
    q, k, v = q.double(), k.double(), v.double()
    groups = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(groups, 1), v.repeat_interleave(groups, 1)
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ k.transpose(-1, -2) * scale
    if mask is not None:
        s = s + mask.double()
    allowed = torch.ones_like(s, dtype=torch.bool)
    kv = torch.arange(k.shape[2], device=s.device)
    if lengths is not None:
        allowed &= (kv[None, :] < lengths.reshape(-1, 1).expand(q.shape[0], 1))[:, None, None, :]
    if causal:
        qi = torch.arange(q.shape[2], device=s.device)
        allowed &= (kv[None, :] <= qi[:, None] + k.shape[2] - q.shape[2])[None, None]
    s = s.masked_fill(~allowed, float("-inf"))
    p = torch.softmax(s, -1).nan_to_num(0.0)
    return p @ v


def qkv(device, b, h, hkv, s, skv, d, dtype=torch.float32):
    mk = lambda heads, n: torch.randn(b, heads, n, d, device=device, dtype=dtype)
    return mk(h, s), mk(hkv, skv), mk(hkv, skv)


@pytest.mark.parametrize("b,s,d", [(1, 1, 32), (3, 17, 64), (2, 40, 16)])
@pytest.mark.parametrize("causal", [False, True])
def test_plain_and_causal_at_awkward_lengths(device, b, s, d, causal):
    q, k, v = qkv(device, b, 2, 2, s, s, d)
    out = torch.full_like(q, float("nan"))
    attention(q, k, v, out, causal=causal)
    close(out, reference(q, k, v, causal=causal), scale=5)


def test_grouped_query_heads_and_custom_scale(device):
    q, k, v = qkv(device, 2, 4, 2, 19, 19, 32)
    out = torch.empty_like(q)
    attention(q, k, v, out, scale=1.0, causal=True)
    close(out, reference(q, k, v, scale=1.0, causal=True), scale=5)


def test_key_lengths_mask_padded_keys_and_zero_length_rows(device):
    q, k, v = qkv(device, 3, 2, 2, 21, 21, 32)
    lengths = torch.tensor([21, 9, 0], dtype=torch.int32, device=device)
    out = torch.full_like(q, float("nan"))
    attention(q, k, v, out, key_lengths=lengths)
    want = reference(q, k, v, lengths=lengths)
    close(out, want, scale=5)
    assert out[2].abs().max() == 0  # no keys at all: zeros, not NaN


def test_padding_never_changes_real_rows(device):
    q, k, v = qkv(device, 1, 2, 2, 13, 13, 32)
    out_real = torch.empty_like(q)
    attention(q, k, v, out_real, causal=False)
    pad = lambda t: torch.cat([t, torch.randn(1, 2, 19, 32, device=device) * 100], dim=2)
    qp, kp, vp = pad(q), pad(k), pad(v)
    out_pad = torch.empty_like(qp)
    attention(qp, kp, vp, out_pad, key_lengths=torch.tensor([13], dtype=torch.int32, device=device))
    close(out_pad[:, :, :13], out_real.double())


@pytest.mark.parametrize("mask_shape", [(2, 1, 1, 23), (2, 3, 11, 23), (1, 1, 11, 23)])
def test_additive_mask_broadcasts(device, mask_shape):
    q, k, v = qkv(device, 2, 3, 3, 11, 23, 64)
    mask = torch.randn(mask_shape, device=device)
    mask[..., -4:] = torch.finfo(torch.float32).min  # the Hugging Face padding value
    out = torch.empty_like(q)
    attention(q, k, v, out, mask=mask)
    close(out, reference(q, k, v, mask=mask), scale=5)


@pytest.mark.parametrize("mask_shape", [(3, 1, 1, 70), (3, 2, 37, 70)])
@pytest.mark.parametrize("causal", [False, True])
def test_full_key_blocks_and_tail_with_masks_lengths_and_band(device, mask_shape, causal):
    # 70 keys: whole key blocks (taken without per-key checks) and a ragged tail, under every
    # combination of additive mask, per-row key lengths and a causal band
    q, k, v = qkv(device, 3, 2, 2, 37, 70, 32)
    mask = torch.randn(mask_shape, device=device)
    mask[1, ..., 50:] = torch.finfo(torch.float32).min
    lengths = torch.tensor([70, 64, 33], dtype=torch.int32, device=device)
    out = torch.full_like(q, float("nan"))
    attention(q, k, v, out, key_lengths=lengths, mask=mask, causal=causal)
    close(out, reference(q, k, v, lengths=lengths, mask=mask, causal=causal), scale=5)


def test_strided_views_into_fused_qkv(device):
    b, s, h, d = 2, 9, 2, 32
    fused = torch.randn(b, s, 3, h, d, device=device)  # what one QKV projection writes
    q, k, v = (fused[:, :, i].transpose(1, 2) for i in range(3))
    out_bshd = torch.empty(b, s, h, d, device=device)
    attention(q, k, v, out_bshd.transpose(1, 2), causal=True)
    close(out_bshd.transpose(1, 2), reference(q, k, v, causal=True), scale=5)


@pytest.mark.skipif(ON_GPU, reason="interpreter-sized long sequence; the GPU test below covers real sizes")
def test_seq_513_single_head(device):
    q, k, v = qkv(device, 1, 1, 1, 513, 513, 16)
    out = torch.empty_like(q)
    attention(q, k, v, out, causal=True)
    close(out, reference(q, k, v, causal=True), scale=5)


def test_rejects_bad_shapes(device):
    q, k, v = qkv(device, 1, 3, 2, 4, 4, 32)
    with pytest.raises(PlanError, match="not a multiple"):
        attention(q, k, v, torch.empty_like(q))
    q, k, v = qkv(device, 1, 2, 2, 4, 4, 48)
    with pytest.raises(PlanError, match="head_dim 48"):
        attention(q, k, v, torch.empty_like(q))


def test_mask_lengths_counts_kept_keys(device):
    mask = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], device=device)
    out = torch.full((3,), -1, dtype=torch.int32, device=device)
    mask_lengths(mask, out)
    assert out.tolist() == [3, 1, 0]


@pytest.mark.skipif(not ON_GPU, reason="half precision at real sizes needs a GPU")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("d", [32, 64, 128])
@pytest.mark.parametrize("causal", [False, True])
def test_half_precision_real_sizes(device, dtype, d, causal):
    q, k, v = qkv(device, 3, 8, 2, 513, 513, d, dtype)
    lengths = torch.tensor([513, 300, 1], dtype=torch.int32, device=device)
    out = torch.empty_like(q)
    attention(q, k, v, out, key_lengths=lengths, causal=causal)
    close(out, reference(q, k, v, lengths=lengths, causal=causal), dtype=dtype, scale=2)


def test_autotune_candidates_fit_the_query_length(monkeypatch):
    import triton
    monkeypatch.setenv("SOLDER_AUTOTUNE", "on")
    from solder_runtime.kernels.attention import _fitting_configs
    configs = [triton.Config({"BLOCK_M": m, "BLOCK_N": 32}) for m in (16, 32, 64, 128)]
    rows = lambda q: sorted(c.kwargs["BLOCK_M"] for c in _fitting_configs(configs, {"Q_LEN": q}))
    assert rows(16) == [16, 32]
    assert rows(512) == [64, 128]
    monkeypatch.setenv("SOLDER_AUTOTUNE", "off")  # the GPU test suite's mode: one compile per shape
    assert rows(512) == [64]
