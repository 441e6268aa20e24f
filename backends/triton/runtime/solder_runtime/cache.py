"""Where solder keeps compiled kernels and per-shape GEMM choices between runs."""
from __future__ import annotations

import json
import os
from pathlib import Path


def cache_root() -> Path:
    """$SOLDER_CACHE_DIR, else ~/.cache/solder."""
    return Path(os.environ.get("SOLDER_CACHE_DIR") or Path.home() / ".cache" / "solder")


def configure_triton_cache() -> None:
    """Point Triton's on-disk kernel cache into solder's folder unless the user chose one.

    Must run before Triton compiles anything: a second start then loads the
    compiled kernels instead of compiling them again.
    """
    if not os.environ.get("TRITON_CACHE_DIR"):
        os.environ["TRITON_CACHE_DIR"] = str(cache_root() / "triton")


def load_json(name: str) -> dict:
    try:
        return json.loads((cache_root() / name).read_text())
    except (OSError, ValueError):
        return {}


def save_json(name: str, data: dict) -> None:
    """Write atomically, so two processes never leave a half-written file."""
    path = cache_root() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        tmp.replace(path)
    except OSError:
        pass  # a read-only home only costs re-timing on the next start
