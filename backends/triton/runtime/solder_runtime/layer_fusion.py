"""Runs of a plan's launches that form one post-norm encoder layer, run as one launch when faster.

A plan lists BERT's layer as seven launches (QKV GEMM, attention, output GEMM,
skip-LayerNorm, FFN-up GEMM, FFN-down GEMM, skip-LayerNorm). For few tokens,
kernels.encoder_layer runs the same seven as one launch and writes the same
buffers. Which is faster depends on the GPU and the shape bucket, so the first
call of a bucket times both inside CUDA graphs (kernels.choice, remembered on disk)
and keeps the faster; a bucket the fused kernel does not take (too many tokens,
float32 on the GPU) keeps the seven launches.

SOLDER_FUSE_LAYERS: auto (default: the timed choice), always (whenever the shapes fit;
the interpreter's tests use it), off. The fused kernel's grid barriers assume that
nothing else runs on the GPU beside the plan (one program per SM, all resident):
set off when sharing the GPU with other work (MPS, concurrent streams).
"""
from __future__ import annotations

import os
from typing import Callable

from triton.runtime.errors import OutOfResources

from .errors import PlanError
from .kernels.choice import choose
from .kernels.common import on_gpu
from .kernels.encoder_layer import encoder_layer

LAYER_KERNELS = ("gemm", "attention", "gemm", "skip_layer_norm", "gemm", "gemm", "skip_layer_norm")


def _base(ref: dict | None) -> tuple | None:
    """What memory an argument names, whatever view of it the launch takes."""
    if ref is None:
        return None
    return tuple(sorted((k, str(v)) for k, v in ref.items() if k != "view"))


def _plain_gemm(launch: dict, activation_ok: bool = False) -> bool:
    args, attrs = launch["args"], launch.get("attrs", {})
    return ("bias" in args and "residual" not in args and attrs.get("impl", "auto") == "auto"
            and (activation_ok or attrs.get("activation", "none") == "none"))


def _plain_norm(launch: dict) -> bool:
    return "bias" in launch["args"] and "skip_bias" not in launch["args"] and "sum" not in launch["args"]


def is_encoder_layer(launches: list[dict]) -> bool:
    """Whether these seven launches are one post-norm layer, reading each other's outputs."""
    if tuple(l["kernel"] for l in launches) != LAYER_KERNELS:
        return False
    qkv, _attention, out_proj, norm1, up, down, norm2 = launches
    a = {i: l["args"] for i, l in enumerate(launches)}
    return (_plain_gemm(qkv) and _plain_gemm(out_proj) and _plain_gemm(up, activation_ok=True) and _plain_gemm(down)
            and _plain_norm(norm1) and _plain_norm(norm2)
            and all(_base(a[1][n]) == _base(a[0]["out"]) for n in ("q", "k", "v"))
            and _base(a[2]["x"]) == _base(a[1]["out"]) and _base(a[3]["x"]) == _base(a[2]["out"])
            and _base(a[3]["skip"]) == _base(a[0]["x"]) and _base(a[4]["x"]) == _base(a[3]["out"])
            and _base(a[5]["x"]) == _base(a[4]["out"]) and _base(a[6]["x"]) == _base(a[5]["out"])
            and _base(a[6]["skip"]) == _base(a[3]["out"]))


def _independent(launch: dict, qkv_gemm: dict) -> bool:
    """Whether a launch touches none of the QKV GEMM's tensors, so it may run before it instead of
    after (its tensors are live at the same time as those, so no arena memory is shared either)."""
    theirs = {_base(r) for r in qkv_gemm["args"].values()}
    return all(_base(r) not in theirs for r in launch["args"].values() if "formula" not in r)


def find_encoder_layers(launches: list[dict], max_between: int = 2) -> list[tuple[list[int], list[int]]]:
    """Each encoder layer as (launches moved ahead of it, its seven launches), in order. A few
    launches between the QKV GEMM and attention that touch none of the GEMM's tensors (the first
    layer's mask conversion) move ahead of the layer."""
    found, i = [], 0
    while i + len(LAYER_KERNELS) <= len(launches):
        between = []
        j = i + 1
        while j < len(launches) and len(between) < max_between and launches[j]["kernel"] != "attention" \
                and _independent(launches[j], launches[i]):
            between.append(j)
            j += 1
        core = [i] + list(range(j, j + len(LAYER_KERNELS) - 1))
        if core[-1] < len(launches) and is_encoder_layer([launches[k] for k in core]):
            found.append((between, core))
            i = core[-1] + 1
        else:
            i += 1
    return found


def layer_arguments(bound: list[tuple[dict, dict]]) -> dict:
    """encoder_layer's keyword arguments from the seven launches' bound tensors and attributes."""
    (g0, _), (at, at_attrs), (g2, _), (n1, n1_attrs), (g4, g4_attrs), (g5, _), (n6, n6_attrs) = bound
    same = lambda a, b: a.data_ptr() == b.data_ptr() and a.numel() == b.numel()
    if not (same(g2["out"], n1["x"]) and same(n1["skip"], g0["x"]) and same(g4["x"], n1["out"])
            and same(g5["x"], g4["out"]) and same(n6["x"], g5["out"]) and same(n6["skip"], n1["out"])
            and same(at["out"], g2["x"])):
        raise PlanError("the launches' views do not line up as one layer")
    return dict(x=g0["x"], w_qkv=g0["weight"], b_qkv=g0["bias"], qkv=g0["out"], q=at["q"], k=at["k"], v=at["v"],
                mask=at.get("mask"), key_lengths=at.get("key_lengths"), scale=at_attrs.get("scale"),
                causal=at_attrs.get("causal", False), ctx=at["out"], ctx_rows=g2["x"], w_o=g2["weight"],
                b_o=g2["bias"], t1=g2["out"], g1=n1["weight"], be1=n1["bias"], y1=n1["out"],
                eps1=n1_attrs.get("eps", 1e-5), w_up=g4["weight"], b_up=g4["bias"], u=g4["out"],
                activation=g4_attrs.get("activation", "none"), w_down=g5["weight"], b_down=g5["bias"],
                t2=g5["out"], g2=n6["weight"], be2=n6["bias"], out=n6["out"], eps2=n6_attrs.get("eps", 1e-5))


class EncoderLayerStep:
    """One step of a bucket's program standing for seven launches: the fused launch or the seven,
    decided on the first call (which is eager: the executor runs a bucket once before capture)."""

    def __init__(self, bound: list[tuple[dict, dict]], separate: list[Callable[[], None]]):
        self.separate, self.chosen = separate, None
        try:
            self.args = layer_arguments(bound)
        except PlanError:
            self.args = None

    def _fused(self) -> None:
        encoder_layer(**self.args)

    def _run_separate(self) -> None:
        for step in self.separate:
            step()

    def _choose(self) -> Callable[[], None]:
        mode = os.environ.get("SOLDER_FUSE_LAYERS", "auto")
        if mode == "off" or self.args is None or (mode == "auto" and not on_gpu(self.args["x"].device)):
            return self._run_separate
        a = self.args
        x = a["x"]
        # Trial and timing runs write the plan's own buffers; what the layer only reads may share
        # memory with what it writes (the arena reuses a buffer once it is dead), so those inputs
        # are put back afterwards, before the real run.
        inputs = [t for t in (x, a["mask"], a["key_lengths"]) if t is not None]
        saved = [t.clone() for t in inputs]

        def restore_inputs() -> None:
            for t, s in zip(inputs, saved):
                t.copy_(s)

        try:
            self._fused()  # checks the shapes (PlanError when this bucket does not fit) and compiles
            fits = True
        except (PlanError, OutOfResources):  # out of resources: a GPU with less shared memory
            fits = False
        name = "one_launch" if fits else "separate"
        if fits and mode == "auto":
            key = (f"encoder_layer|{x.numel() // x.shape[-1]}|{x.shape[-1]}|{a['w_up'].shape[1]}|"
                   f"{tuple(a['q'].shape)}|{tuple(a['k'].shape)}|{x.dtype}|{a['mask'] is not None}|"
                   f"{a['key_lengths'] is not None}|{a['causal']}")
            restore_inputs()
            name = choose(key, x.device, {"one_launch": self._fused, "separate": self._run_separate},
                          default="separate")
        restore_inputs()
        return self._fused if name == "one_launch" else self._run_separate

    def __call__(self) -> None:
        if self.chosen is None:
            self.chosen = self._choose()
        self.chosen()
