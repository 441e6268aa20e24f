"""Writes nn-cases.json: conformance cases for the nn ops (MatMul ... Einsum), with
expected outputs computed by ONNX's own reference implementation (onnx.reference), or by
ONNX Runtime where the reference is wrong (grouped ConvTranspose, MaxPool storage_order=1,
LpNormalization p=1). A causal Attention mask that broadcasts over queries is left to the
property tests: the reference takes the query length from the mask there, and ONNX
Runtime rejects it..
Run from the repository root: python3 ir/ops/conformance/nn/generate.py"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

rng = np.random.default_rng(20240523)
CASES = []
DTYPES = {np.float32: 'float32', np.int64: 'int64', np.longlong: 'int64', np.int32: 'int32', np.bool_: 'bool'}


def rand(*shape):
    # Away from zero on purpose: cases never rest on all-zero inputs.
    return (rng.standard_normal(shape) + 0.1).astype(np.float32)


def attr_json(k, v):
    if isinstance(v, bool) or isinstance(v, (int, np.integer)):
        return {'kind': 'int', 'value': int(v)}
    if isinstance(v, float):
        return {'kind': 'float', 'value': v}
    if isinstance(v, str):
        return {'kind': 'string', 'value': v}
    if isinstance(v, (list, tuple)) and all(isinstance(x, int) for x in v):
        return {'kind': 'ints', 'value': list(v)}
    raise ValueError((k, v))


def tensor_json(a):
    a = np.asarray(a)
    dtype = DTYPES[a.dtype.type]
    return {'dtype': dtype, 'shape': list(a.shape), 'values': [float(x) for x in a.reshape(-1).astype(np.float64)]}


def case(name, op, inputs, attrs=None, outputs=1, opset=23, ort=False):
    """Runs one node through onnx.reference (or ONNX Runtime, where the reference has a
    bug) and records it; None marks an absent input."""
    attrs = attrs or {}
    in_names = ['' if x is None else f'in{i}' for i, x in enumerate(inputs)]
    out_names = [f'out{i}' for i in range(outputs)]
    node = helper.make_node(op, in_names, out_names, **attrs)
    graph_inputs = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(np.asarray(x).dtype), None)
                    for n, x in zip(in_names, inputs) if x is not None]
    graph_outputs = [helper.make_tensor_value_info(n, (TensorProto.INT64 if (op, i) == ('MaxPool', 1) else TensorProto.FLOAT) if ort else TensorProto.UNDEFINED, None)
                     for i, n in enumerate(out_names)]
    model = helper.make_model(helper.make_graph([node], name, graph_inputs, graph_outputs),
                              opset_imports=[helper.make_opsetid('', opset)])
    feeds = {n: np.asarray(x) for n, x in zip(in_names, inputs) if x is not None}
    if ort:
        import onnxruntime
        model.ir_version = 10
        got = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider']).run(None, feeds)
    else:
        got = ReferenceEvaluator(model).run(None, feeds)
    CASES.append({
        'name': name, 'op': op, 'source': 'onnxruntime' if ort else 'onnx.reference',
        'attrs': {k: attr_json(k, v) for k, v in attrs.items()},
        'inputs': [None if x is None else tensor_json(x) for x in inputs],
        'expect': [tensor_json(g) for g in got],
    })


def matmul_cases():
    case('matmul_2d', 'MatMul', [rand(2, 3), rand(3, 4)])
    case('matmul_1d_left', 'MatMul', [rand(3), rand(3, 4)])
    case('matmul_1d_right', 'MatMul', [rand(2, 3, 4), rand(4)])
    case('matmul_1d_both', 'MatMul', [rand(5), rand(5)])
    case('matmul_batch_broadcast', 'MatMul', [rand(2, 1, 3, 4), rand(3, 4, 5)])
    case('matmul_int32', 'MatMul', [rng.integers(-5, 6, (2, 3)).astype(np.int32), rng.integers(-5, 6, (3, 2)).astype(np.int32)])
    case('gemm_bias_row', 'Gemm', [rand(3, 4), rand(4, 5), rand(5)])
    case('gemm_transA', 'Gemm', [rand(4, 3), rand(4, 5), rand(3, 5)], {'transA': 1})
    case('gemm_transB_alpha_beta', 'Gemm', [rand(3, 4), rand(5, 4), rand(3, 1)], {'transB': 1, 'alpha': 0.5, 'beta': 2.0})
    case('gemm_both_trans_scalar_c', 'Gemm', [rand(4, 3), rand(5, 4), rand(1)], {'transA': 1, 'transB': 1, 'alpha': -1.5})
    case('gemm_no_c', 'Gemm', [rand(2, 6), rand(6, 3), None], {'alpha': 3.0})


def conv_cases():
    case('conv_2d_basic', 'Conv', [rand(1, 2, 5, 5), rand(3, 2, 3, 3)])
    case('conv_2d_groups_dilation_pads', 'Conv', [rand(2, 4, 7, 6), rand(6, 2, 3, 2), rand(6)],
         {'group': 2, 'dilations': [2, 1], 'pads': [1, 0, 2, 1], 'strides': [1, 2]})
    case('conv_2d_depthwise_same_upper', 'Conv', [rand(1, 3, 6, 5), rand(3, 1, 3, 3)], {'group': 3, 'auto_pad': 'SAME_UPPER', 'strides': [2, 2]})
    case('conv_2d_same_lower', 'Conv', [rand(1, 2, 5, 6), rand(2, 2, 2, 4)], {'auto_pad': 'SAME_LOWER'})
    case('conv_2d_valid_stride', 'Conv', [rand(1, 1, 7, 7), rand(2, 1, 3, 3)], {'auto_pad': 'VALID', 'strides': [2, 3]})
    case('conv_1d_bias', 'Conv', [rand(2, 3, 9), rand(4, 3, 3), rand(4)], {'pads': [2, 1], 'dilations': [2]})
    case('conv_3d', 'Conv', [rand(1, 2, 4, 4, 3), rand(2, 2, 2, 3, 2)], {'pads': [1, 1, 0, 0, 1, 1]})
    case('conv_patch_embedding', 'Conv', [rand(2, 3, 8, 8), rand(4, 3, 4, 4), rand(4)], {'kernel_shape': [4, 4], 'strides': [4, 4]})
    case('convtranspose_2d_stride', 'ConvTranspose', [rand(1, 2, 3, 3), rand(2, 3, 3, 3)], {'strides': [2, 2]})
    case('convtranspose_pads_outpad', 'ConvTranspose', [rand(1, 2, 3, 4), rand(2, 2, 3, 3), rand(2)],
         {'strides': [2, 3], 'pads': [1, 0, 1, 1], 'output_padding': [1, 2]})
    case('convtranspose_group_dilation', 'ConvTranspose', [rand(2, 4, 3), rand(4, 1, 2)], {'group': 2, 'dilations': [2]}, ort=True)
    case('convtranspose_output_shape', 'ConvTranspose', [rand(1, 1, 3, 3), rand(1, 2, 3, 3)], {'strides': [3, 2], 'output_shape': [10, 8]})


def pool_cases():
    case('maxpool_2d', 'MaxPool', [rand(1, 2, 5, 5)], {'kernel_shape': [2, 2]})
    case('maxpool_pads_strides_indices', 'MaxPool', [rand(2, 2, 5, 6)], {'kernel_shape': [3, 3], 'pads': [1, 1, 1, 1], 'strides': [2, 2]}, outputs=2)
    case('maxpool_ceil', 'MaxPool', [rand(1, 1, 6, 6)], {'kernel_shape': [3, 3], 'strides': [2, 2], 'ceil_mode': 1}, outputs=2)
    case('maxpool_dilations', 'MaxPool', [rand(1, 2, 6, 5)], {'kernel_shape': [2, 2], 'dilations': [2, 2]})
    case('maxpool_storage_order', 'MaxPool', [rand(1, 1, 4, 5)], {'kernel_shape': [2, 2], 'storage_order': 1}, outputs=2, ort=True)
    case('maxpool_same_upper', 'MaxPool', [rand(1, 1, 5, 5)], {'kernel_shape': [2, 3], 'strides': [2, 2], 'auto_pad': 'SAME_UPPER'})
    case('maxpool_1d', 'MaxPool', [rand(2, 3, 8)], {'kernel_shape': [3], 'strides': [2]})
    case('avgpool_2d', 'AveragePool', [rand(1, 2, 4, 4)], {'kernel_shape': [2, 2]})
    case('avgpool_pads_exclude', 'AveragePool', [rand(1, 2, 5, 5)], {'kernel_shape': [3, 3], 'pads': [1, 1, 1, 1]})
    case('avgpool_pads_include', 'AveragePool', [rand(1, 2, 5, 5)], {'kernel_shape': [3, 3], 'pads': [1, 1, 1, 1], 'count_include_pad': 1})
    case('avgpool_ceil_include', 'AveragePool', [rand(1, 1, 6, 6)], {'kernel_shape': [3, 3], 'strides': [2, 2], 'pads': [1, 1, 0, 0], 'ceil_mode': 1, 'count_include_pad': 1})
    case('avgpool_ceil_exclude', 'AveragePool', [rand(1, 1, 7, 7)], {'kernel_shape': [2, 2], 'strides': [2, 2], 'ceil_mode': 1})
    case('avgpool_dilations', 'AveragePool', [rand(1, 1, 6, 6)], {'kernel_shape': [2, 2], 'dilations': [2, 2], 'pads': [1, 1, 1, 1]})
    case('avgpool_same_lower', 'AveragePool', [rand(1, 1, 5, 5)], {'kernel_shape': [3, 3], 'strides': [2, 2], 'auto_pad': 'SAME_LOWER'})
    case('global_avgpool', 'GlobalAveragePool', [rand(2, 3, 4, 5)])
    case('global_maxpool', 'GlobalMaxPool', [rand(2, 3, 4, 5)])


def softmax_cases():
    case('softmax_last', 'Softmax', [rand(3, 5)])
    case('softmax_axis0', 'Softmax', [rand(3, 4)], {'axis': 0})
    case('softmax_3d_axis1', 'Softmax', [rand(2, 3, 4) * 4], {'axis': 1})
    case('logsoftmax_last', 'LogSoftmax', [rand(2, 6) * 3])
    case('logsoftmax_axis_neg2', 'LogSoftmax', [rand(2, 3, 4)], {'axis': -2})
    case('hardmax_last', 'Hardmax', [rand(3, 4)])
    case('hardmax_ties_first', 'Hardmax', [np.array([[1, 3, 3, 2], [0, 0, 0, 0]], np.float32) + 0.5])
    case('hardmax_axis0', 'Hardmax', [rand(3, 2, 2)], {'axis': 0})


def norm_cases():
    case('layernorm_last_bias', 'LayerNormalization', [rand(2, 3, 8), rand(8), rand(8)], outputs=3)
    case('layernorm_axis1_stats', 'LayerNormalization', [rand(2, 3, 4), rand(3, 4), None], {'axis': 1, 'epsilon': 1e-3}, outputs=3)
    case('layernorm_broadcast_scale', 'LayerNormalization', [rand(2, 4, 6), rand(1, 6), rand(6)], {'axis': -2})
    case('rmsnorm_last', 'RMSNormalization', [rand(2, 3, 8), rand(8)])
    case('rmsnorm_axis1', 'RMSNormalization', [rand(2, 3, 4), rand(3, 4)], {'axis': 1, 'epsilon': 1e-2})
    case('groupnorm_per_channel', 'GroupNormalization', [rand(2, 4, 3, 2), rand(4), rand(4)], {'num_groups': 2}, opset=21)
    case('groupnorm_one_group', 'GroupNormalization', [rand(1, 3, 5), rand(3), rand(3)], {'num_groups': 1, 'epsilon': 1e-3}, opset=21)
    case('instancenorm', 'InstanceNormalization', [rand(2, 3, 4, 2), rand(3), rand(3)])
    var = np.abs(rand(3)) + 0.5
    case('batchnorm_inference', 'BatchNormalization', [rand(2, 3, 2, 2), rand(3), rand(3), rand(3), var], {'epsilon': 1e-3})
    case('lpnorm_p2', 'LpNormalization', [rand(3, 4)])
    case('lpnorm_p1_axis0', 'LpNormalization', [rand(3, 4)], {'p': 1, 'axis': 0}, ort=True)


def attention_cases():
    case('attention_4d', 'Attention', [rand(2, 3, 4, 8), rand(2, 3, 6, 8), rand(2, 3, 6, 8)])
    case('attention_3d_heads', 'Attention', [rand(2, 4, 12), rand(2, 5, 12), rand(2, 5, 6)], {'q_num_heads': 3, 'kv_num_heads': 3})
    case('attention_bool_mask', 'Attention', [rand(2, 2, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 4), rng.random((2, 1, 3, 5)) > 0.3])
    case('attention_additive_mask', 'Attention', [rand(1, 2, 3, 4), rand(1, 2, 4, 4), rand(1, 2, 4, 4), rand(3, 4) * 2])
    case('attention_causal_q_shorter', 'Attention', [rand(1, 2, 3, 4), rand(1, 2, 5, 4), rand(1, 2, 5, 4)], {'is_causal': 1})
    case('attention_causal_q_longer', 'Attention', [rand(1, 1, 4, 4), rand(1, 1, 2, 4), rand(1, 1, 2, 4)], {'is_causal': 1})
    case('attention_causal_past', 'Attention', [rand(1, 2, 2, 4), rand(1, 2, 2, 4), rand(1, 2, 2, 4), None, rand(1, 2, 3, 4), rand(1, 2, 3, 4)], {'is_causal': 1}, outputs=3)
    case('attention_gqa', 'Attention', [rand(2, 4, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 4)])
    case('attention_gqa_3d', 'Attention', [rand(1, 3, 16), rand(1, 4, 8), rand(1, 4, 8)], {'q_num_heads': 4, 'kv_num_heads': 2})
    case('attention_scale_softcap', 'Attention', [rand(1, 2, 3, 4) * 3, rand(1, 2, 3, 4) * 3, rand(1, 2, 3, 4)], {'scale': 0.7, 'softcap': 2.0})
    case('attention_qk_output', 'Attention', [rand(1, 2, 3, 4), rand(1, 2, 4, 4), rand(1, 2, 4, 4), rand(1, 2, 3, 4)], {'qk_matmul_output_mode': 0}, outputs=4)
    case('attention_v_head_size', 'Attention', [rand(1, 2, 3, 4), rand(1, 2, 5, 4), rand(1, 2, 5, 6)])
    case('attention_short_mask_padded', 'Attention', [rand(1, 1, 2, 4), rand(1, 1, 3, 4), rand(1, 1, 3, 4), None, rand(1, 1, 2, 4), rand(1, 1, 2, 4)], outputs=3)
    case('attention_short_mask_with_past', 'Attention', [rand(1, 1, 2, 4), rand(1, 1, 3, 4), rand(1, 1, 3, 4), rng.random((2, 4)) > 0.2, rand(1, 1, 2, 4), rand(1, 1, 2, 4)])
    case('attention_causal_and_mask', 'Attention', [rand(2, 1, 4, 4), rand(2, 1, 4, 4), rand(2, 1, 4, 4), np.broadcast_to(np.array([[[[1, 1, 1, 0]]], [[[1, 1, 1, 1]]]], bool), (2, 1, 4, 4)).copy()], {'is_causal': 1})


def rotary_cases():
    x = rand(2, 3, 4, 8)
    theta = rng.random((2, 4, 4)).astype(np.float32) * 3
    case('rotary_4d_caches', 'RotaryEmbedding', [x, np.cos(theta), np.sin(theta)])
    angles = rng.random((10, 3)).astype(np.float32) * 3
    ids = rng.integers(0, 10, (2, 5)).astype(np.int64)
    case('rotary_3d_ids_interleaved', 'RotaryEmbedding', [rand(2, 5, 12), np.cos(angles), np.sin(angles), ids], {'num_heads': 2, 'interleaved': 1})
    case('rotary_partial', 'RotaryEmbedding', [rand(1, 2, 3, 8), np.cos(angles[:, :2]), np.sin(angles[:, :2]), ids[:1, :3]], {'rotary_embedding_dim': 4})
    case('rotary_partial_interleaved', 'RotaryEmbedding', [rand(1, 3, 6), np.cos(angles[:, :1]), np.sin(angles[:, :1]), ids[:1, :3]], {'rotary_embedding_dim': 2, 'num_heads': 2, 'interleaved': 1})


def einsum_cases():
    case('einsum_matmul', 'Einsum', [rand(2, 3), rand(3, 4)], {'equation': 'ij,jk->ik'})
    case('einsum_implicit', 'Einsum', [rand(2, 3), rand(3, 4)], {'equation': 'ij,jk'})
    case('einsum_transpose', 'Einsum', [rand(2, 3, 4)], {'equation': 'abc->cab'})
    case('einsum_trace', 'Einsum', [rand(4, 4)], {'equation': 'ii'})
    case('einsum_diagonal', 'Einsum', [rand(3, 3)], {'equation': 'ii->i'})
    case('einsum_batch_ellipsis', 'Einsum', [rand(2, 1, 3, 4), rand(5, 4, 2)], {'equation': '...ij,...jk->...ik'})
    case('einsum_sum_all', 'Einsum', [rand(3, 4)], {'equation': 'ij->'})
    case('einsum_outer', 'Einsum', [rand(3), rand(4)], {'equation': 'i,j->ij'})
    case('einsum_bilinear', 'Einsum', [rand(2, 3), rand(5, 3, 4), rand(2, 4)], {'equation': 'bn,anm,bm->ba'})
    case('einsum_attention_scores', 'Einsum', [rand(2, 3, 4, 5), rand(2, 3, 6, 5)], {'equation': 'bhqd,bhkd->bhqk'})
    case('einsum_implicit_ellipsis', 'Einsum', [rand(2, 3, 3)], {'equation': '...ii'})


for group in [matmul_cases, conv_cases, pool_cases, softmax_cases, norm_cases, attention_cases, rotary_cases, einsum_cases]:
    group()
out = os.path.join(os.path.dirname(__file__), 'nn-cases.json')
with open(out, 'w') as f:
    json.dump({'generator': 'ir/ops/conformance/nn/generate.py', 'onnx': onnx.__version__, 'cases': CASES}, f, separators=(',', ':'))
print(f'{len(CASES)} cases -> {out} ({os.path.getsize(out)} bytes)')
