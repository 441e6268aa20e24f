// Op specs: Attention (opset 23) and RotaryEmbedding (opset 23).
import { attr } from '../attrs.js';
import { type Dim, dimAdd, dimDiv, dimMul, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { optionalInput, requireRank, requireSameDim, typedInput } from './nn-checks.js';
import { freshDim } from './shape-inputs.js';
import { opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** Q, K or V seen as [batch, heads, seq, head_size], whatever its 3-D or 4-D layout. */
export interface HeadsLayout {
  readonly batch: Dim;
  readonly heads: Dim;
  readonly seq: Dim;
  readonly headSize: Dim;
}

/** The heads layout of a 3-D [B, S, heads*size] or 4-D [B, heads, S, size] input. */
export function headsLayout(node: Node, what: string, shape: readonly Dim[], heads: number | undefined): HeadsLayout {
  if (shape.length === 4) {
    requireSameDim(node, shape[1], heads, `${what} has a different head count than its num_heads attribute`);
    return { batch: shape[0]!, heads: shape[1]!, seq: shape[2]!, headSize: shape[3]! };
  }
  if (shape.length !== 3) throw opError(node, `${what} must be 3-D or 4-D, found ${shapeString(shape)}`);
  if (heads === undefined || heads < 1) throw opError(node, `${what} is 3-D, so the head count attribute (q_num_heads/kv_num_heads/num_heads) is required`);
  const size = dimDiv(shape[2]!, heads);
  if (size === undefined && isKnown(shape[2]!)) throw opError(node, `${what} hidden size ${shape[2]} is not divisible by ${heads} heads`);
  return { batch: shape[0]!, heads, seq: shape[1]!, headSize: size ?? freshDim(node, `${what}_head_size`) };
}

export const QK_OUTPUT_MODES_SUPPORTED = [0] as const;

export const Attention = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Attention',
  inputs: [
    { name: 'Q' }, { name: 'K' }, { name: 'V' },
    { name: 'attn_mask', optional: true }, { name: 'past_key', optional: true }, { name: 'past_value', optional: true },
  ],
  outputs: [
    { name: 'Y' }, { name: 'present_key', optional: true }, { name: 'present_value', optional: true },
    { name: 'qk_matmul_output', optional: true },
  ],
  attrs: {
    is_causal: attr.int.default(0),
    kv_num_heads: attr.int.optional(),
    q_num_heads: attr.int.optional(),
    qk_matmul_output_mode: attr.int.default(0),
    scale: attr.float.optional(),
    softcap: attr.float.default(0),
    softmax_precision: attr.int.optional(),
  },
  doc: 'softmax(Q K^T * scale + mask) V with causal masking, grouped-query heads, softcap and a KV cache.',
  infer: (ctx) => {
    const { node, attrs } = ctx;
    const q = typedInput(ctx, 0, 'Q');
    const k = optionalInput(ctx, 1, 'K', q.dtype) ?? typedInput(ctx, 1, 'K');
    const v = optionalInput(ctx, 2, 'V', q.dtype) ?? typedInput(ctx, 2, 'V');
    const mask = ctx.inputs[3];
    if (mask !== undefined && mask.dtype !== 'bool' && mask.dtype !== q.dtype) throw opError(node, `attn_mask is ${mask.dtype}, expected bool or ${q.dtype}`);
    const pastK = optionalInput(ctx, 4, 'past_key', q.dtype);
    const pastV = optionalInput(ctx, 5, 'past_value', q.dtype);
    if ((pastK === undefined) !== (pastV === undefined)) throw opError(node, 'past_key and past_value must be given together');
    if (!(QK_OUTPUT_MODES_SUPPORTED as readonly number[]).includes(attrs.qk_matmul_output_mode) && node.outputs[3]) {
      throw opError(node, `qk_matmul_output_mode ${attrs.qk_matmul_output_mode} is not supported (only 0, the scaled Q K^T)`);
    }
    requireRank(node, pastK?.shape, [4], 'past_key');
    requireRank(node, pastV?.shape, [4], 'past_value');
    const unknown = [tensorType(q.dtype), tensorType(q.dtype), tensorType(q.dtype), tensorType(q.dtype)];
    if (q.shape === undefined || k.shape === undefined || v.shape === undefined) return unknown;
    if (q.shape.length !== k.shape.length || q.shape.length !== v.shape.length) {
      throw opError(node, `Q, K and V must share a rank, found ${shapeString(q.shape)}, ${shapeString(k.shape)}, ${shapeString(v.shape)}`);
    }
    const lq = headsLayout(node, 'Q', q.shape, attrs.q_num_heads);
    const lk = headsLayout(node, 'K', k.shape, attrs.kv_num_heads);
    const lv = headsLayout(node, 'V', v.shape, attrs.kv_num_heads);
    requireSameDim(node, lq.headSize, lk.headSize, 'Q and K head sizes differ');
    requireSameDim(node, lk.heads, lv.heads, 'K and V head counts differ');
    requireSameDim(node, lk.seq, lv.seq, 'K and V sequence lengths differ');
    if (isKnown(lq.heads) && isKnown(lk.heads) && lq.heads % lk.heads !== 0) {
      throw opError(node, `Q heads ${lq.heads} are not a multiple of K/V heads ${lk.heads}`);
    }
    const past = pastK?.shape?.[2] ?? 0;
    const total = dimAdd(past, lk.seq);
    const y = q.shape.length === 3
      ? [lq.batch, lq.seq, dimMul(lq.heads, lv.headSize)]
      : [lq.batch, lq.heads, lq.seq, lv.headSize];
    return [
      tensorType(q.dtype, y),
      tensorType(q.dtype, [lk.batch, lk.heads, total, lk.headSize]),
      tensorType(q.dtype, [lv.batch, lv.heads, total, lv.headSize]),
      tensorType(q.dtype, [lq.batch, lq.heads, lq.seq, total]),
    ];
  },
});

export const RotaryEmbedding = defineOp({
  domain: ONNX_DOMAIN,
  name: 'RotaryEmbedding',
  inputs: [{ name: 'X' }, { name: 'cos_cache' }, { name: 'sin_cache' }, { name: 'position_ids', optional: true }],
  outputs: [{ name: 'Y' }],
  attrs: { interleaved: attr.int.default(0), num_heads: attr.int.default(0), rotary_embedding_dim: attr.int.default(0) },
  doc: 'Rotates (pairs of) the first rotary_embedding_dim features of each head by position-dependent angles.',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'X');
    const cos = optionalInput(ctx, 1, 'cos_cache', x.dtype) ?? typedInput(ctx, 1, 'cos_cache');
    const sin = optionalInput(ctx, 2, 'sin_cache', x.dtype) ?? typedInput(ctx, 2, 'sin_cache');
    const ids = ctx.inputs[3];
    if (ids !== undefined && ids.dtype !== 'int64') throw opError(ctx.node, `position_ids must be int64, found ${ids.dtype}`);
    requireRank(ctx.node, cos.shape, ids === undefined ? [3] : [2], 'cos_cache');
    requireRank(ctx.node, sin.shape, ids === undefined ? [3] : [2], 'sin_cache');
    requireRank(ctx.node, ids?.shape, [2], 'position_ids');
    if (x.shape === undefined) return [tensorType(x.dtype)];
    const heads = ctx.attrs.num_heads === 0 ? undefined : ctx.attrs.num_heads;
    const layout = headsLayout(ctx.node, 'X', x.shape, heads);
    const rotary = ctx.attrs.rotary_embedding_dim === 0 ? layout.headSize : ctx.attrs.rotary_embedding_dim;
    if (isKnown(rotary) && rotary % 2 !== 0) throw opError(ctx.node, `rotary_embedding_dim ${rotary} must be even`);
    if (isKnown(rotary) && isKnown(layout.headSize) && rotary > layout.headSize) throw opError(ctx.node, `rotary_embedding_dim ${rotary} exceeds head size ${layout.headSize}`);
    const half = dimDiv(rotary, 2);
    requireSameDim(ctx.node, cos.shape?.at(-1), half, 'cos_cache last dim must be rotary_embedding_dim / 2');
    requireSameDim(ctx.node, sin.shape?.at(-1), half, 'sin_cache last dim must be rotary_embedding_dim / 2');
    return [tensorType(x.dtype, x.shape)];
  },
});
