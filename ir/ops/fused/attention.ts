// Op spec: solder::Attention, scaled dot-product attention over [batch, heads, seq, head_dim].
//
// out = softmax(scale * q·kᵀ + mask [+ causal]) · v, per (batch, q head), where
// - k and v may have fewer heads than q (grouped-query attention): q head h reads kv head
//   floor(h / (q_heads / kv_heads)), the layout HF's `repeat_kv` produces;
// - mask is additive (float, added after scaling) or boolean (true = keep, false = -inf),
//   broadcastable to [batch, q_heads, q_seq, kv_seq];
// - causal=1 lets query i see key j iff j <= i + (kv_seq - q_seq): the causal band is aligned
//   bottom-right, so the last query sees every key (decoding with a KV cache, q_seq < kv_seq);
// - fully_masked_rows says what a query row whose every key is masked (false, -inf, or outside
//   the causal band) becomes: 'nan' (default), what eager softmax over all -inf gives, or
//   'average', the average of v over ALL kv_seq keys, what HF's finfo.min masks compute (every
//   score of such a row rounds to the same finfo.min, and softmax over equal values is
//   uniform), or 'zero', what ONNX's Attention and sdpa's NaN guard give (torch.export's sdpa
//   archives). 'average' and 'zero' need a bool keep-mask (or none), so that which rows are
//   fully masked never depends on rounding, as it would with finite additive entries (ONNX
//   Runtime's Attention zeroes a row of float32 finfo.min entries too, not only of -inf).
import { attr } from '../../attrs.js';
import { isKnown } from '../../dim.js';
import { SOLDER_DOMAIN } from '../../graph.js';
import { tensorType } from '../../types.js';
import { opError } from '../shape-util.js';
import { defineOp } from '../spec.js';
import { dims4, floatInput, oneOf, requireBroadcastsTo, requireFlag, requireRank, requireSameDim } from './checks.js';

/** What a query row whose every key is masked becomes (see above). */
export const FULLY_MASKED_ROWS = ['nan', 'average', 'zero'] as const;

export const Attention = defineOp({
  domain: SOLDER_DOMAIN,
  name: 'Attention',
  inputs: [{ name: 'q' }, { name: 'k' }, { name: 'v' }, { name: 'mask', optional: true }],
  outputs: [{ name: 'output' }],
  attrs: { scale: attr.float.required(), causal: attr.int.default(0), fully_masked_rows: attr.string.default('nan') },
  doc: 'softmax(scale * q·kᵀ + mask) · v over [batch, heads, seq, head_dim]; grouped-query kv heads, bottom-right causal, fully masked rows NaN, averaged or zero.',
  infer: (ctx) => {
    const { node } = ctx;
    const q = floatInput(ctx, 0, 'q');
    const k = floatInput(ctx, 1, 'k');
    const v = floatInput(ctx, 2, 'v');
    for (const [what, t] of [['k', k], ['v', v]] as const) {
      if (t.dtype !== q.dtype) throw opError(node, `${what} is ${t.dtype}, q is ${q.dtype}`);
    }
    requireFlag(node, 'causal', ctx.attrs.causal);
    const rows = oneOf(node, 'fully_masked_rows', ctx.attrs.fully_masked_rows, FULLY_MASKED_ROWS);
    if (!Number.isFinite(ctx.attrs.scale)) throw opError(node, `scale must be finite, found ${ctx.attrs.scale}`);
    const mask = ctx.inputs[3];
    if (mask !== undefined && mask.dtype !== 'bool' && mask.dtype !== q.dtype) {
      throw opError(node, `mask must be bool or ${q.dtype} like q, found ${mask.dtype}`);
    }
    if (rows !== 'nan' && mask !== undefined && mask.dtype !== 'bool') {
      throw opError(node, `fully_masked_rows='${rows}' needs a bool keep-mask (or none), found a ${mask.dtype} mask`);
    }
    for (const [what, t] of [['q', q], ['k', k], ['v', v]] as const) requireRank(node, what, t.shape, [4]);
    if (q.shape === undefined || k.shape === undefined || v.shape === undefined) return [tensorType(q.dtype)];
    const [batch, qHeads, qSeq, headDim] = dims4(q.shape);
    const [kBatch, kvHeads, kvSeq, kHeadDim] = dims4(k.shape);
    const [vBatch, vHeads, vSeq, vHeadDim] = dims4(v.shape);
    requireSameDim(node, 'q and k batch', batch, kBatch);
    requireSameDim(node, 'q and v batch', batch, vBatch);
    requireSameDim(node, 'q and k head_dim', headDim, kHeadDim);
    requireSameDim(node, 'k and v heads', kvHeads, vHeads);
    requireSameDim(node, 'k and v seq', kvSeq, vSeq);
    if (isKnown(qHeads) && isKnown(kvHeads) && (kvHeads === 0 || qHeads % kvHeads !== 0)) {
      throw opError(node, `q heads (${qHeads}) must be a multiple of kv heads (${kvHeads})`);
    }
    if (mask !== undefined) requireRank(node, 'mask', mask.shape, [0, 1, 2, 3, 4]);
    requireBroadcastsTo(node, 'mask', mask?.shape, [batch, qHeads, qSeq, kvSeq]);
    return [tensorType(q.dtype, [batch, qHeads, qSeq, vHeadDim])];
  },
});
