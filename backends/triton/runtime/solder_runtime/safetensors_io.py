"""A tiny safetensors reader/writer on top of torch, so the runtime needs no other package.

Format: 8-byte little-endian header length, a JSON header mapping each name to
{dtype, shape, data_offsets}, then the raw little-endian tensor bytes.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import torch

from .errors import PlanError

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
CODES = {v: k for k, v in DTYPES.items()}


def read(path: str | Path) -> dict[str, torch.Tensor]:
    """All tensors of a safetensors file, on the CPU, in file order."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise PlanError(f"{path}: cannot read ({e.strerror})") from None
    if len(raw) < 8:
        raise PlanError(f"{path}: not a safetensors file (too short)")
    (header_len,) = struct.unpack("<Q", raw[:8])
    if 8 + header_len > len(raw):
        raise PlanError(f"{path}: not a safetensors file (header length {header_len} past end)")
    try:
        header = json.loads(raw[8:8 + header_len])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PlanError(f"{path}: not a safetensors file (header is not JSON)") from None
    body = memoryview(raw)[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info.get("dtype") not in DTYPES:
            raise PlanError(f"{path}: tensor {name!r} has unsupported dtype {info.get('dtype')!r}")
        begin, end = info["data_offsets"]
        dtype, shape = DTYPES[info["dtype"]], info["shape"]
        count = 1
        for d in shape:
            count *= d
        if end > len(body) or end - begin != count * torch.empty((), dtype=dtype).element_size():
            raise PlanError(f"{path}: tensor {name!r} has data_offsets that do not match its shape")
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(shape)
    return tensors


def write(path: str | Path, tensors: dict[str, torch.Tensor]) -> None:
    """Write tensors (moved to the CPU, made contiguous) as a safetensors file."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().to("cpu").contiguous()
        data = bytearray(t.numel() * t.element_size())
        if data:  # copy through a uint8 view: works for bfloat16 and needs no numpy
            torch.frombuffer(data, dtype=torch.uint8).copy_(t.reshape(-1).view(torch.uint8))
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(blob)) + blob + b"".join(bytes(c) for c in chunks))
