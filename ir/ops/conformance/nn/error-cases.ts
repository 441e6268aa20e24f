// Conformance cases the nn ops must reject, each with a fragment of the one-line error.
import { floatAttr, intAttr, intsAttr, stringAttr } from '../../../attrs.js';
import { type OpCase, bool, f32, iota } from '../case.js';

const ones = (shape: readonly number[]) => f32(shape, new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0.5));

export const NN_ERROR_CASES: OpCase[] = [
  { name: 'matmul_inner_mismatch', op: 'MatMul', inputs: [iota([2, 3]), iota([4, 2])], expect: { error: 'inner dims differ' } },
  { name: 'matmul_batch_mismatch', op: 'MatMul', inputs: [iota([2, 2, 3]), iota([3, 3, 2])], expect: { error: 'cannot broadcast' } },
  { name: 'matmul_scalar', op: 'MatMul', inputs: [f32([], [1]), iota([2])], expect: { error: 'rank >= 1' } },
  { name: 'gemm_3d', op: 'Gemm', inputs: [iota([1, 2, 3]), iota([3, 2])], expect: { error: 'A must have rank 2' } },
  { name: 'gemm_bad_c', op: 'Gemm', inputs: [iota([2, 3]), iota([3, 4]), iota([3])], expect: { error: 'does not broadcast' } },
  { name: 'conv_group_channels', op: 'Conv', attrs: { group: intAttr(2) }, inputs: [iota([1, 3, 4, 4]), ones([2, 1, 2, 2])], expect: { error: 'channels' } },
  { name: 'conv_pads_and_auto_pad', op: 'Conv', attrs: { auto_pad: stringAttr('SAME_UPPER'), pads: intsAttr([1, 1, 1, 1]) }, inputs: [iota([1, 1, 4, 4]), ones([1, 1, 2, 2])], expect: { error: 'cannot both be given' } },
  { name: 'conv_kernel_too_big', op: 'Conv', inputs: [iota([1, 1, 2, 2]), ones([1, 1, 3, 3])], expect: { error: 'larger than the padded input' } },
  { name: 'maxpool_kernel_rank', op: 'MaxPool', attrs: { kernel_shape: intsAttr([2]) }, inputs: [iota([1, 1, 4, 4])], expect: { error: 'does not fit' } },
  { name: 'softmax_axis', op: 'Softmax', attrs: { axis: intAttr(2) }, inputs: [iota([2, 3])], expect: { error: 'axis 2 out of range' } },
  { name: 'layernorm_int', op: 'LayerNormalization', inputs: [{ dtype: 'int32', shape: [2], values: [1, 2] }, ones([2])], expect: { error: 'is int32' } },
  { name: 'groupnorm_groups', op: 'GroupNormalization', attrs: { num_groups: intAttr(3) }, inputs: [iota([1, 4, 2]), ones([4]), ones([4])], expect: { error: 'not divisible by num_groups 3' } },
  { name: 'batchnorm_training', op: 'BatchNormalization', attrs: { training_mode: intAttr(1) }, inputs: [iota([1, 2, 2]), ones([2]), ones([2]), ones([2]), ones([2])], expect: { error: 'training_mode=1' } },
  { name: 'attention_qk_mode', op: 'Attention', outputs: 4, attrs: { qk_matmul_output_mode: intAttr(3) }, inputs: [iota([1, 1, 2, 2]), iota([1, 1, 2, 2]), iota([1, 1, 2, 2])], expect: { error: 'qk_matmul_output_mode 3 is not supported' } },
  { name: 'attention_gqa_heads', op: 'Attention', inputs: [iota([1, 3, 2, 2]), iota([1, 2, 2, 2]), iota([1, 2, 2, 2])], expect: { error: 'not a multiple' } },
  { name: 'attention_3d_no_heads', op: 'Attention', inputs: [iota([1, 2, 4]), iota([1, 2, 4]), iota([1, 2, 4])], expect: { error: 'head count attribute' } },
  { name: 'attention_mask_shape', op: 'Attention', inputs: [iota([1, 1, 2, 2]), iota([1, 1, 3, 2]), iota([1, 1, 3, 2]), bool([2, 4], [1, 1, 1, 1, 1, 1, 1, 1])], expect: { error: 'does not broadcast' } },
  { name: 'attention_softcap_scale_ok_but_mask_dtype', op: 'Attention', attrs: { softcap: floatAttr(1) }, inputs: [iota([1, 1, 2, 2]), iota([1, 1, 2, 2]), iota([1, 1, 2, 2]), { dtype: 'int32', shape: [2, 2], values: [0, 0, 0, 0] }], expect: { error: 'attn_mask is int32' } },
  { name: 'rotary_odd_dim', op: 'RotaryEmbedding', attrs: { rotary_embedding_dim: intAttr(3) }, inputs: [iota([1, 1, 2, 4]), ones([1, 2, 1]), ones([1, 2, 1])], expect: { error: 'must be even' } },
  { name: 'einsum_bad_letter', op: 'Einsum', attrs: { equation: stringAttr('i1,j->ij') }, inputs: [iota([2]), iota([2])], expect: { error: "has '1'" } },
  { name: 'einsum_size_mismatch', op: 'Einsum', attrs: { equation: stringAttr('ij,jk->ik') }, inputs: [iota([2, 3]), iota([4, 2])], expect: { error: "label 'j' has size 3" } },
  { name: 'einsum_output_letter', op: 'Einsum', attrs: { equation: stringAttr('ij->k') }, inputs: [iota([2, 3])], expect: { error: "output letter 'k'" } },
];
