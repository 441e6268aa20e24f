"""The hand-written tiny plan in fixtures/tiny_encoder and its float64 torch reference."""
import json
import shutil
from pathlib import Path

import torch

from solder_runtime import safetensors_io

FIXTURE = Path(__file__).parent / "fixtures" / "tiny_encoder"


def make_plan_dir(tmp_path: Path, edit=None) -> tuple[Path, dict]:
    """Copy the fixture plan (optionally edited) next to fresh random weights."""
    spec = json.loads((FIXTURE / "plan.json").read_text())
    if edit:
        edit(spec)
    gen = torch.Generator().manual_seed(7)
    weights = {n: torch.randn(w["shape"], generator=gen) * (0.3 if len(w["shape"]) == 2 else 1.0)
               for n, w in spec["weights"].items()}
    weights["ln0.w"] += 1.0
    weights["ln1.w"] += 1.0
    (tmp_path / "plan.json").write_text(json.dumps(spec))
    safetensors_io.write(tmp_path / "weights.safetensors", weights)
    return tmp_path, weights


def reference(w: dict, ids: torch.Tensor, mask: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The same network written directly in float64 (mask None: every real key visible)."""
    w = {k: v.double() for k, v in w.items()}
    b, s = ids.shape
    ln = lambda x, g, beta: torch.nn.functional.layer_norm(x, (32,), g, beta, 1e-12)
    h1 = ln(w["emb.word"][ids] + w["emb.pos"][:s], w["ln0.w"], w["ln0.b"])
    h2 = torch.nn.functional.gelu(h1 @ w["ffn.w"] + w["ffn.b"])
    qkv = (h2 @ w["qkv.w"] + w["qkv.b"]).view(b, s, 3, 2, 16)
    q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
    scores = q @ k.transpose(-1, -2) * 0.25
    if mask is not None:
        scores = scores + (1.0 - mask.double())[:, None, None, :] * -10000.0
    attn = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(b, s, 32)
    total = attn @ w["o.w"] + w["o.b"] + h1
    return ln(total, w["ln1.w"], w["ln1.b"]), total


def inputs(batch: int, seq: int, padded_rows: dict[int, int] | None = None, seed: int = 0):
    """Random ids and a right-padded mask (padded_rows: row -> number of padding positions)."""
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, 50, (batch, seq), generator=gen)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    for row, count in (padded_rows or {}).items():
        mask[row, seq - count:] = 0
        ids[row, seq - count:] = 0
    return ids, mask
