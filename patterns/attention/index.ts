// The attention rules, in the order the driver tries them at a node: sdpa's flattened kᵀ
// becomes a Transpose first, the softmax clusters and ONNX's Attention become
// solder::Attention, a row guard after one becomes its fully_masked_rows='zero', and
// repeat_kv copies in front of a fused node are then dropped.
import type { Rule } from '../rule.js';
import { eagerAttention, eagerMaskBeforeScale } from './eager.js';
import { groupedQueryAttention } from './gqa.js';
import { paddingCausalMask } from './masks-padding-causal.js';
import { flattenedKeyTranspose } from './key-transpose.js';
import { onnxAttention } from './onnx-attention.js';
import { sdpaSplitScale } from './sdpa.js';
import { zeroMaskedRows } from './zero-masked-rows.js';

export const ATTENTION_RULES: readonly Rule[] = [
  flattenedKeyTranspose,
  eagerAttention,
  eagerMaskBeforeScale,
  sdpaSplitScale,
  onnxAttention,
  zeroMaskedRows,
  groupedQueryAttention,
  paddingCausalMask,
];
