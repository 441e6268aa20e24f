"""Kernels emitted by the TypeScript backend as Triton source text.

Triton reads a jit function's source back from its file, so each source is
written to the solder cache (named by its hash) and imported from there.
"""
from __future__ import annotations

import hashlib
import importlib.util
import sys

from ..cache import cache_root
from ..errors import PlanError


def load_generated(kernel_id: str, source: str, entry: str):
    """The @triton.jit entry function defined by source."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    module_name = f"solder_generated_{digest}"
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        folder = cache_root() / "generated"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{module_name}.py"
        if not path.exists():
            path.write_text(source)
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as e:  # the source is plan data: report it as a plan error, one line
            raise PlanError(f"generated kernel {kernel_id}: source does not load: {type(e).__name__}: {e}") from None
        sys.modules[module_name] = module
    fn = getattr(module, entry, None)
    if fn is None or not hasattr(fn, "run"):
        raise PlanError(f"generated kernel {kernel_id}: no @triton.jit function named {entry!r} in its source")
    return fn
