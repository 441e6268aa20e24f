"""Which launch runs the executor takes for an encoder layer (solder_runtime.layer_fusion)."""
import copy

import pytest

from solder_runtime.layer_fusion import find_encoder_layers


def buf(name, view=None):
    return {"buffer": name, **({"view": view} if view else {})}


def weight(name):
    return {"weight": name}


def layer(i, x="x", out=None):
    """The seven launches of layer i as solder plans them (views as the emitter writes them)."""
    p = f"l{i}."
    out = out or f"{p}y2"
    gemm = lambda src, w, dst, **attrs: {"kernel": "gemm", "args": {"x": src, "weight": weight(p + w),
                                                                    "bias": weight(p + w + ".b"), "out": dst},
                                         **({"attrs": attrs} if attrs else {})}
    norm = lambda src, skip, dst: {"kernel": "skip_layer_norm", "args": {"x": src, "skip": skip, "weight": weight(p + "g"),
                                                                         "bias": weight(p + "b"), "out": dst},
                                   "attrs": {"eps": 1e-12}}
    heads = {"shape": ["batch", 12, "seq", 64]}
    return [
        gemm(buf(x), "w_qkv", buf(p + "qkv")),
        {"kernel": "attention", "args": {"q": buf(p + "qkv", heads), "k": buf(p + "qkv", heads),
                                         "v": buf(p + "qkv", heads), "mask": buf("mask"), "out": buf(p + "ctx", heads)},
         "attrs": {"scale": 0.125, "causal": False}},
        gemm(buf(p + "ctx", {"shape": ["batch", "seq", 768]}), "w_o", buf(p + "t1")),
        norm(buf(p + "t1"), buf(x), buf(p + "y1")),
        gemm(buf(p + "y1"), "w_up", buf(p + "u"), activation="gelu"),
        gemm(buf(p + "u"), "w_down", buf(p + "t2")),
        norm(buf(p + "t2"), buf(p + "y1"), buf(out)),
    ]


def mask_kernel():
    return {"kernel": "generated:k2", "args": {"t0": buf("mask"), "t1": {"input": "attention_mask"},
                                               "s0": {"formula": "batch"}}}


def test_finds_consecutive_layers_and_moves_the_mask_conversion_ahead_of_the_first():
    first = layer(0)
    launches = [{"kernel": "embedding", "args": {}}, first[0], mask_kernel(), *first[1:], *layer(1, x="l0.y2")]
    assert find_encoder_layers(launches) == [([2], [1, 3, 4, 5, 6, 7, 8]), ([], list(range(9, 16)))]


@pytest.mark.parametrize("break_it", [
    lambda l: l[3]["args"].update(skip=buf("elsewhere")),  # the first residual is not the layer's input
    lambda l: l[6]["args"].update(skip=buf("l0.t1")),  # the second residual is not the first norm's output
    lambda l: l[5]["args"].update(x=buf("l0.y1")),  # FFN-down does not read FFN-up's output
    lambda l: l[1]["args"].update(k=buf("other_kv")),  # keys from another projection (cross-attention)
    lambda l: l[2]["args"].update(residual=buf("l0.y1")),  # an epilogue the fused kernel does not have
    lambda l: l[5].setdefault("attrs", {}).update(activation="relu"),  # an activation after FFN-down
    lambda l: l[4]["args"].pop("bias"),  # no bias on FFN-up
    lambda l: l[3]["args"].update(sum=buf("l0.s")),  # a norm that also writes its sum
    lambda l: l[0].setdefault("attrs", {}).update(impl="cublas"),  # a GEMM pinned to one implementation
])
def test_declines_runs_that_are_not_one_layer(break_it):
    launches = copy.deepcopy(layer(0))
    break_it(launches)
    assert find_encoder_layers(launches) == []


def test_a_launch_between_that_touches_the_qkv_projection_blocks_the_match():
    first = layer(0)
    reads_qkv = {"kernel": "generated:k9", "args": {"t0": buf("l0.qkv"), "t1": buf("scratch")}}
    assert find_encoder_layers([first[0], reads_qkv, *first[1:]]) == []
    writes_input = {"kernel": "generated:k9", "args": {"t0": buf("x")}}
    assert find_encoder_layers([first[0], writes_input, *first[1:]]) == []


def test_views_do_not_hide_that_two_arguments_are_one_buffer():
    launches = layer(0)
    launches[3]["args"]["x"] = buf("l0.t1", {"shape": ["batch", "seq", 768]})
    assert find_encoder_layers(launches) == [([], list(range(7)))]
