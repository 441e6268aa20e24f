"""BERT-base with random weights, built the same way in every process of the GPU bench.

The seed fixes the weights, so the exporting process and the timing process
hold the same model without shipping 440 MB of weights between them. Biases
and LayerNorm parameters are drawn too: Hugging Face initialises them to
0 and 1, which would let a kernel that drops a bias or a norm weight pass.
"""
from __future__ import annotations

import torch

SEED = 1234


def bert_base(dtype=torch.float32, device="cpu"):
    from transformers import BertConfig, BertModel

    torch.manual_seed(SEED)
    model = BertModel._from_config(BertConfig(), attn_implementation="sdpa").eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.normal_(0.0, 0.02)
            elif "LayerNorm.weight" in name:
                p.normal_(1.0, 0.05)
    return model.to(device=device, dtype=dtype)


def bert_inputs(batch: int, seq: int, device="cpu", seed: int = 0, vocab: int = 30522):
    """Token ids, token types and a right-padded mask: row 0 full, the others 50..100% long."""
    g = torch.Generator().manual_seed(seed * 1000 + batch * 7 + seq)
    ids = torch.randint(0, vocab, (batch, seq), generator=g)
    types = torch.randint(0, 2, (batch, seq), generator=g)
    lengths = torch.randint(max(1, seq // 2), seq + 1, (batch,), generator=g)
    lengths[0] = seq
    mask = (torch.arange(seq)[None, :] < lengths[:, None]).to(torch.int64)
    return {k: v.to(device) for k, v in
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}.items()}


def export_onnx(path: str) -> None:
    """torch.onnx.export with dynamic batch/seq, the way the shared fixtures were exported."""
    model = bert_base()
    x = bert_inputs(2, 16)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(model, tuple(x[n] for n in names), path, input_names=names,
                      output_names=["last_hidden_state", "pooler_output"],
                      dynamic_axes={n: {0: "batch", 1: "seq"} for n in names}, external_data=True)
