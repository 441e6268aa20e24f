"""Plan dtype names (the IR's spelling) to torch dtypes."""
from __future__ import annotations

import torch

TORCH_DTYPES = {
    "float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8,
    "uint8": torch.uint8, "bool": torch.bool,
}


def kind_of(dtype: torch.dtype) -> str:
    """'float', 'int' or 'bool': inputs convert freely within a kind, never across."""
    if dtype == torch.bool:
        return "bool"
    return "float" if dtype.is_floating_point else "int"
