import pytest
import torch

from conftest import ON_GPU, close
from solder_runtime.errors import PlanError
from solder_runtime.kernels.encoder_layer import MAX_TOKENS, encoder_layer, gemm_tiling, head_tiling


# On the GPU the fused layer takes 16-bit plans only; the interpreter checks float32 at tight tolerances.
DTYPE = torch.float16 if ON_GPU else torch.float32


def make_layer(batch, seq, hidden=64, heads=4, ffn=96, dtype=DTYPE, device="cpu"):
    """Random weights and the layer's buffers, laid out as a plan binds them: q/k/v are views into
    the fused QKV rows, ctx a [B, H, S, D] view of [B, S, H*D] rows."""
    g = torch.Generator().manual_seed(batch * 100 + seq)
    rnd = lambda *s, scale=1.0: (torch.randn(*s, generator=g) * scale).to(dtype).to(device)
    d, m = hidden // heads, batch * seq
    t = dict(x=rnd(m, hidden), w_qkv=rnd(hidden, 3 * hidden, scale=0.15), b_qkv=rnd(3 * hidden, scale=0.1),
             w_o=rnd(hidden, hidden, scale=0.15), b_o=rnd(hidden, scale=0.1), g1=1 + rnd(hidden, scale=0.1),
             be1=rnd(hidden, scale=0.1), w_up=rnd(hidden, ffn, scale=0.15), b_up=rnd(ffn, scale=0.1),
             w_down=rnd(ffn, hidden, scale=0.15), b_down=rnd(hidden, scale=0.1), g2=1 + rnd(hidden, scale=0.1),
             be2=rnd(hidden, scale=0.1))
    nan = lambda *s: torch.full(s, float("nan"), dtype=dtype, device=device)
    t.update(qkv=nan(m, 3 * hidden), ctx_rows=nan(m, hidden), t1=nan(m, hidden), y1=nan(m, hidden), u=nan(m, ffn),
             t2=nan(m, hidden), out=nan(m, hidden))
    heads_view = t["qkv"].view(batch, seq, 3, heads, d).permute(2, 0, 3, 1, 4)
    t.update(q=heads_view[0], k=heads_view[1], v=heads_view[2],
             ctx=t["ctx_rows"].view(batch, seq, heads, d).transpose(1, 2))
    return t


def reference(t, mask=None, lengths=None, causal=False, act=torch.nn.functional.gelu, eps=1e-5):
    f = {n: v.double().cpu() for n, v in t.items() if isinstance(v, torch.Tensor)}
    B, H, S, D = t["q"].shape
    qkv = f["x"] @ f["w_qkv"] + f["b_qkv"]
    q, k, v = qkv.view(B, S, 3, H, D).permute(2, 0, 3, 1, 4)
    s = q @ k.transpose(-1, -2) / D ** 0.5
    if mask is not None:
        s = s + mask.double().cpu().clamp(min=-1e30)
    keys = torch.arange(S)
    if lengths is not None:
        s = s.masked_fill(keys[None, None, None, :] >= lengths.cpu()[:, None, None, None], float("-inf"))
    if causal:
        s = s.masked_fill(keys[None, :] > keys[:, None], float("-inf"))
    p = torch.softmax(s, -1).nan_to_num(0.0)
    ctx = (p @ v).transpose(1, 2).reshape(B * S, H * D)
    norm = lambda z, g, b: torch.nn.functional.layer_norm(z, z.shape[-1:], g, b, eps)
    t1 = ctx @ f["w_o"] + f["b_o"]
    y1 = norm(t1 + f["x"], f["g1"], f["be1"])
    u = act(y1 @ f["w_up"] + f["b_up"])
    t2 = u @ f["w_down"] + f["b_down"]
    return dict(qkv=qkv, ctx_rows=ctx, t1=t1, y1=y1, u=u, t2=t2, out=norm(t2 + y1, f["g2"], f["be2"]))


def run(t, **kw):
    names = ("x", "w_qkv", "b_qkv", "qkv", "q", "k", "v", "ctx", "ctx_rows", "w_o", "b_o", "t1", "g1", "be1", "y1",
             "w_up", "b_up", "u", "w_down", "b_down", "t2", "g2", "be2", "out")
    encoder_layer(**{n: t[n] for n in names}, **kw)


# 2 programs: several units each, K mostly whole; 16: K in slices; narrow slices forced: more
# units than programs, every K in 4 to 6 slices whose partial products a later phase adds up
@pytest.mark.parametrize("programs,tilings", [(2, None), (16, None),
                                              (16, {"QKV": (32, 16), "O": (16, 16), "UP": (16, 16), "DOWN": (32, 16)})])
@pytest.mark.parametrize("batch,seq", [(1, 16), (3, 5), (1, 1), (2, 8)])
def test_every_buffer_matches_the_reference(device, batch, seq, programs, tilings):
    t = make_layer(batch, seq, device=device)
    mask = torch.zeros(batch, 1, 1, seq, device=device, dtype=DTYPE)
    mask[0, ..., seq // 2 + 1:] = torch.finfo(DTYPE).min  # right padding in the first row
    run(t, mask=mask, eps1=1e-5, eps2=1e-5, programs=programs, tilings_override=tilings)
    want = reference(t, mask=mask)
    for name in want:  # every intermediate: later launches of the plan may read any of them
        close(t[name], want[name], dtype=DTYPE, scale=10)


def test_key_lengths_grouped_heads_and_causality(device):
    # four query heads share two key/value heads: QKV rows are [q: 4 heads | k: 2 | v: 2]
    B, S, H, HKV, D = 2, 8, 4, 2, 16
    t = make_layer(B, S, device=device)
    g = torch.Generator().manual_seed(5)
    t["w_qkv"] = (torch.randn(H * D, (H + 2 * HKV) * D, generator=g) * 0.15).to(DTYPE).to(device)
    t["b_qkv"] = (torch.randn((H + 2 * HKV) * D, generator=g) * 0.1).to(DTYPE).to(device)
    t["qkv"] = torch.full((B * S, (H + 2 * HKV) * D), float("nan"), device=device, dtype=DTYPE)
    rows = t["qkv"].view(B, S, H + 2 * HKV, D).transpose(1, 2)
    t["q"], t["k"], t["v"] = rows[:, :H], rows[:, H:H + HKV], rows[:, H + HKV:]
    lengths = torch.tensor([8, 3], device=device)
    run(t, key_lengths=lengths, causal=True, activation="relu")
    f = {n: v.double().cpu() for n, v in t.items()}
    qkv = f["x"] @ f["w_qkv"] + f["b_qkv"]
    close(t["qkv"], qkv, dtype=DTYPE, scale=10)
    heads = qkv.view(B, S, H + 2 * HKV, D).transpose(1, 2)
    q, k, v = heads[:, :H], heads[:, H:H + HKV].repeat_interleave(2, 1), heads[:, H + HKV:].repeat_interleave(2, 1)
    s = (q @ k.transpose(-1, -2) / D ** 0.5)
    keys = torch.arange(S)
    s = s.masked_fill((keys[None, :] > keys[:, None]) | (keys >= torch.tensor([8, 3])[:, None, None, None]), float("-inf"))
    ctx = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B * S, H * D)
    close(t["ctx_rows"], ctx, dtype=DTYPE, scale=10)


@pytest.mark.skipif(not ON_GPU, reason="grid barriers need a GPU (the interpreter runs programs one by one)")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_one_launch_matches_a_launch_per_phase_and_repeats(dtype):
    t = make_layer(1, 16, hidden=768, heads=12, ffn=3072, dtype=dtype, device="cuda")
    mask = torch.zeros(1, 1, 1, 16, device="cuda", dtype=dtype)
    run(t, mask=mask, one_launch=False)
    want = {n: t[n].clone() for n in ("qkv", "ctx_rows", "t1", "y1", "u", "t2", "out")}
    for _ in range(3):  # the barrier's counters and the workspace must be left clean for the next launch
        for n in want:
            t[n].fill_(float("nan"))
        run(t, mask=mask, one_launch=True)
        torch.cuda.synchronize()
        for n in want:
            close(t[n], want[n].double(), dtype=dtype, scale=5)
    close(t["out"], reference(t, mask=mask)["out"], dtype=dtype, scale=10)


def test_tiling_takes_the_smallest_slices_that_leave_a_unit_per_program():
    assert gemm_tiling(2304, 768, 2, 132) == (128, 128)  # BERT-base QKV on an H100: 108 units of 32 KB
    assert gemm_tiling(768, 768, 2, 132) == (128, 64)  # a 768 x 768 weight: 72 units of 16 KB
    assert gemm_tiling(3072, 768, 2, 132) == (128, 128)  # FFN-up: no 32 KB tiling has <= 132 units: fewest
    assert gemm_tiling(96, 40, 4, 2) == (128, 32)  # equal sizes: the wider tile


def test_attention_and_output_projection_units_are_heads_by_column_tiles():
    assert head_tiling(768, 12, 132) == 128  # BERT-base on an H100: 12 heads x 6 tiles = 72 units
    assert head_tiling(768, 12, 100) == 128
    assert head_tiling(1024, 16, 132) == 128  # BERT-large: 128 units
    assert head_tiling(64, 4, 16) == 64  # no wider than the hidden size: 4 heads x 1 tile
    assert head_tiling(64, 4, 3) == 16  # more units than programs: the narrowest tile


def test_refuses_more_tokens_than_it_holds(device):
    t = make_layer(1, MAX_TOKENS + 1, device=device)
    with pytest.raises(PlanError, match="tokens"):
        run(t)
