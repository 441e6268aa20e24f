// Normalisations, embedding lookup and scaled dot-product attention.
import { floatAttr, intAttr } from '../../../attrs.js';
import { type DType } from '../../../dtype.js';
import { numel } from '../../../tensor.js';
import { tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { lowering } from './registry.js';

/** A given affine parameter, or a constant filled with `fill` over `shape` (ONNX needs Scale). */
function parameterOrFill(n: AtenNode, name: string, role: string, dtype: DType, shape: readonly number[], fill: number): string {
  const given = n.optTensor(name);
  if (given !== undefined) return given;
  return n.b.constant(`${n.name}/${role}`, dtype, shape, new Array<number>(numel(shape)).fill(fill));
}

// layer_norm over the trailing normalized_shape dims; native_layer_norm also returns mean and 1/std.
lowering(['aten.layer_norm.default', 'aten.native_layer_norm.default'], (n) => {
  const x = n.tensor('input');
  const dims = n.ints('normalized_shape');
  const dtype = n.typeOf(x).dtype;
  const scale = parameterOrFill(n, 'weight', 'ones', dtype, dims, 1);
  const bias = n.optTensor('bias');
  const inputs = bias === undefined ? [x, scale] : [x, scale, bias];
  const attrs = { axis: intAttr(-dims.length), epsilon: floatAttr(n.float('eps', 1e-5)) };
  n.emit('LayerNormalization', inputs, attrs);
});

// PyTorch's default epsilon for rms_norm is the dtype's machine epsilon.
const MACHINE_EPSILON: Partial<Record<DType, number>> = {
  float32: 2 ** -23, float16: 2 ** -10, bfloat16: 2 ** -7, float64: 2 ** -52,
};

lowering(['aten.rms_norm.default'], (n) => {
  const x = n.tensor('input');
  const dims = n.ints('normalized_shape');
  const dtype = n.typeOf(x).dtype;
  const scale = parameterOrFill(n, 'weight', 'ones', dtype, dims, 1);
  const eps = n.optFloat('eps') ?? MACHINE_EPSILON[dtype] ?? 2 ** -23;
  n.emit('RMSNormalization', [x, scale], { axis: intAttr(-dims.length), epsilon: floatAttr(eps) });
});

// group_norm: GroupNormalization (opset 21) takes per-channel scale and bias, both required.
lowering(['aten.group_norm.default'], (n) => {
  const x = n.tensor('input');
  const t = n.typeOf(x);
  const channels = t.shape?.[1];
  const needsFill = !n.has('weight') || !n.has('bias');
  if (needsFill && typeof channels !== 'number') throw n.fail('group_norm without weight or bias needs a known channel count');
  const c = typeof channels === 'number' ? [channels] : [];
  const scale = parameterOrFill(n, 'weight', 'ones', t.dtype, c, 1);
  const bias = parameterOrFill(n, 'bias', 'zeros', t.dtype, c, 0);
  n.emit('GroupNormalization', [x, scale, bias], {
    num_groups: intAttr(n.int('num_groups')),
    epsilon: floatAttr(n.float('eps', 1e-5)),
  });
});

// embedding(W, ids) = W[ids]; padding_idx and max-norm flags only matter for training.
lowering(['aten.embedding.default'], (n) => {
  n.emit('Gather', [n.tensor('weight'), n.tensor('indices')], { axis: intAttr(0) });
});

// scaled_dot_product_attention onto ONNX Attention (opset 23), whose 4-D form is PyTorch's
// (batch, heads, seq, head_dim) layout: a bool mask means "may attend", a float mask is added,
// is_causal is the upper-left aligned causal mask, and fewer key/value heads than query heads
// is grouped-query attention. 3-D inputs (batch, seq, dim) get a heads axis of 1.
lowering(['aten.scaled_dot_product_attention.default', 'aten._scaled_dot_product_flash_attention_for_cpu.default'], (n) => {
  if (n.float('dropout_p', 0) !== 0) throw n.fail('attention dropout is not supported at inference; export the model in eval mode');
  let q = n.tensor('query');
  let k = n.tensor('key');
  let v = n.tensor('value');
  let mask = n.optTensor('attn_mask');
  const rank = n.rankOf(q);
  if (rank !== 3 && rank !== 4) throw n.fail(`supports 3-D and 4-D query/key/value, found rank ${rank}`);
  if (n.rankOf(k) !== rank || n.rankOf(v) !== rank) throw n.fail('query, key and value must have the same rank');
  const qType = n.typeOf(q);
  if (mask !== undefined && n.typeOf(mask).dtype !== 'bool') mask = n.cast(mask, qType.dtype, 'mask_cast');
  if (rank === 3) {
    q = withHeadsAxis(n, q, 'query');
    k = withHeadsAxis(n, k, 'key');
    v = withHeadsAxis(n, v, 'value');
    if (mask !== undefined && n.rankOf(mask) === 3) mask = withHeadsAxis(n, mask, 'mask');
  }
  const scale = n.optFloat('scale');
  const attrs: Record<string, ReturnType<typeof intAttr>> = {};
  if (n.bool('is_causal', false)) attrs.is_causal = intAttr(1);
  if (scale !== undefined) attrs.scale = floatAttr(scale);
  const inputs = mask === undefined ? [q, k, v] : [q, k, v, mask];
  if (rank === 4) {
    n.emit('Attention', inputs, attrs, { outputs: [0] });
    return;
  }
  const out = n.outType(0);
  const shape4 = out.shape === undefined ? undefined : [out.shape[0] ?? 1, 1, ...out.shape.slice(1)];
  const y = n.helper('attention', 'Attention', inputs, attrs, tensorType(out.dtype, shape4));
  n.emit('Squeeze', [y, n.constInt64('heads_axis', [1])], {}, { outputs: [0] });
});

function withHeadsAxis(n: AtenNode, value: string, role: string): string {
  const t = n.typeOf(value);
  const shape = t.shape === undefined ? undefined : [t.shape[0] ?? 1, 1, ...t.shape.slice(1)];
  return n.helper(`${role}_4d`, 'Unsqueeze', [value, n.constInt64(`${role}_axis`, [1])], {}, tensorType(t.dtype, shape));
}
