import pytest
import torch

from conftest import close
from solder_runtime.errors import PlanError
from solder_runtime.kernels.embedding import embedding
from solder_runtime.kernels.rotary import rotary
from solder_runtime.kernels.softmax import softmax


def tables(positions, rot_dim, device):
    inv = 1.0 / (10000 ** (torch.arange(0, rot_dim, 2, dtype=torch.float64) / rot_dim))
    freqs = torch.outer(torch.arange(positions, dtype=torch.float64), inv)
    emb = torch.cat([freqs, freqs], -1)  # Hugging Face layout
    return emb.cos().float().to(device), emb.sin().float().to(device)


def ref_rotary(x, cos, sin, pos):
    x = x.double()
    r = cos.shape[1]
    c, s = cos.double()[pos][:, None], sin.double()[pos][:, None]  # [b, 1, seq, r]
    rot, rest = x[..., :r], x[..., r:]
    half = torch.cat([-rot[..., r // 2:], rot[..., : r // 2]], -1)
    return torch.cat([rot * c + half * s, rest], -1)


@pytest.mark.parametrize("b,h,s,d,r", [(1, 1, 1, 32, 32), (3, 2, 17, 64, 64), (2, 3, 5, 32, 16)])
def test_rotary_default_positions(device, b, h, s, d, r):
    x = torch.randn(b, h, s, d, device=device)
    cos, sin = tables(40, r, device)
    out = torch.full_like(x, float("nan"))
    rotary(x, cos, sin, out)
    pos = torch.arange(s).expand(b, s)
    close(out, ref_rotary(x, cos, sin, pos))


def test_rotary_explicit_positions_in_place_on_a_view(device):
    fused = torch.randn(2, 7, 3, 2, 32, device=device)
    q = fused[:, :, 0].transpose(1, 2)  # [b, h, s, d] view with odd strides
    before = q.clone()
    cos, sin = tables(64, 32, device)
    pos = torch.tensor([[5, 6, 7, 8, 9, 10, 11], [0, 0, 1, 2, 3, 4, 5]], device=device)
    rotary(q, cos, sin, q, positions=pos)
    close(q, ref_rotary(before, cos, sin, pos.cpu()))
    close(fused[:, :, 1:], fused[:, :, 1:].double())  # neighbours untouched


def test_embedding_with_positions_and_token_types(device):
    ids = torch.tensor([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0]], device=device)
    tt = torch.tensor([[0, 0, 1, 1, 1], [0, 1, 1, 0, 0]], device=device)
    table, ptab, ttab = (torch.randn(n, 24, device=device) for n in (10, 8, 2))
    out = torch.full((2, 5, 24), float("nan"), device=device)
    embedding(ids, table, out, position_table=ptab, token_type_ids=tt, token_type_table=ttab)
    want = table.double()[ids] + ptab.double()[:5][None] + ttab.double()[tt]
    close(out, want)


def test_embedding_plain_and_with_position_ids(device):
    ids = torch.randint(0, 50, (3, 17), device=device)
    pids = torch.randint(0, 30, (1, 17), device=device)
    table, ptab = torch.randn(50, 40, device=device), torch.randn(30, 40, device=device)
    out = torch.empty(3, 17, 40, device=device)
    embedding(ids, table, out)
    close(out, table.double()[ids])
    embedding(ids, table, out, position_table=ptab, position_ids=pids)
    close(out, table.double()[ids] + ptab.double()[pids])


def test_embedding_rejects_mismatched_out(device):
    with pytest.raises(PlanError, match="out must be"):
        embedding(torch.zeros(2, 3, dtype=torch.long, device=device), torch.randn(5, 8, device=device),
                  torch.empty(2, 3, 9, device=device))


@pytest.mark.parametrize("n", [1, 17, 130])
def test_softmax_with_scale_and_mask(device, n):
    x = torch.randn(3, 5, n, device=device)
    mask = torch.randn(3, 1, n, device=device)
    out = torch.full_like(x, float("nan"))
    softmax(x, out, mask=mask, scale=0.5)
    close(out, torch.softmax(x.double() * 0.5 + mask.double(), -1))
