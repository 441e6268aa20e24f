"""solder_runtime: executes solder plans (plan.json + weights.safetensors) with Triton kernels.

Importing the package sets TRITON_CACHE_DIR (unless set) so compiled kernels
persist. Plan is imported lazily: on the CPU, set TRITON_INTERPRET=1 before
first touching it, since Triton fixes interpreter mode when kernels are defined.
"""
from .cache import configure_triton_cache
from .errors import InputError, PlanError

configure_triton_cache()

__all__ = ["Plan", "PlanError", "InputError"]


def __getattr__(name):
    if name == "Plan":
        from .plan import Plan
        return Plan
    raise AttributeError(name)
