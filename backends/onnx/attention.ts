// Lowering of Attention to ONNX Attention (opset 23), which ONNX Runtime's CPU provider runs
// on [batch, heads, seq, head_dim] inputs with grouped-query kv heads, a bool or additive
// mask and a scale. Two differences are bridged here (both found by running ORT 1.32):
// - ORT requires the mask's second-last dim to be q_seq itself (no broadcast there), so a
//   padding mask [b, 1, 1, kv] is expanded to [.., q_seq, kv] first;
// - its is_causal is aligned top-left, solder's bottom-right: they agree when q_seq equals
//   kv_seq; otherwise the band j <= i + (kv_seq - q_seq) is built with Trilu and merged
//   into the mask.
// Rows whose every key is masked give 0 in ORT and NaN in the reference (eager softmax):
// fully_masked_rows='zero' is ORT's own answer, for the bool keep-masks it allows, whether
// the mask, is_causal or the Trilu band masks the row (attention-masked-rows.test.ts).
// With fully_masked_rows='average' they are the average of v over every key: no ORT op says
// that (its Attention gives 0 there, even for an additive finfo.min mask), so ORT's result
// is kept where a row keeps a key and replaced by ReduceMean(v) where none is kept.
import { floatAttr } from '../../ir/attrs.js';
import { type Dim, dimEq } from '../../ir/dim.js';
import { onnxCode } from '../../ir/dtype.js';
import { Attention } from '../../ir/ops/fused/attention.js';
import { readAttrs } from '../../ir/ops/spec.js';
import { makeTensor } from '../../ir/tensor.js';
import { type LoweringContext, inputName, inputType, requiredName } from './context.js';

const ATTENTION_OPSET = 23;

export function lowerAttention(ctx: LoweringContext): string {
  const { scale, causal, fully_masked_rows: fullyMaskedRows } = readAttrs(Attention, ctx.node);
  const [q, k, v] = [requiredName(ctx.node, 0), requiredName(ctx.node, 1), requiredName(ctx.node, 2)];
  const [qSeq, kvSeq] = [seqDim(ctx, 0), seqDim(ctx, 1)];
  const squareCausal = causal === 1 && qSeq !== undefined && kvSeq !== undefined && dimEq(qSeq, kvSeq);
  const parts = ['Attention'];
  let mask = inputName(ctx.node, 3);
  if (mask !== undefined && !maskHasQueryDim(ctx, qSeq, kvSeq)) {
    mask = ctx.emit.one('Expand', [mask, queryKeyShape(ctx, q, k, [1, 1])]);
    parts.push('Expand(mask)');
  }
  if (causal === 1 && !squareCausal) {
    mask = withCausalBand(ctx, q, k, mask);
    parts.push('Trilu causal band');
  }
  // A row can be fully masked only by a mask or the causal band.
  const average = fullyMaskedRows === 'average' && (mask !== undefined || causal === 1);
  const out = ctx.node.outputs[0]!;
  const attended = average ? ctx.emit.fresh('attention') : out;
  ctx.emit.node('Attention', [q, k, v, ...(mask === undefined ? [] : [mask])], { scale: floatAttr(scale), is_causal: squareCausal ? 1 : 0 }, {
    outputs: [attended],
    opset: ATTENTION_OPSET,
  });
  if (average) {
    // The mask already holds the band unless is_causal carried it.
    const keep = squareCausal ? (mask === undefined ? causalBand(ctx, q, k) : ctx.emit.one('And', [mask, causalBand(ctx, q, k)])) : mask!;
    ctx.emit.node('Where', [keepsAKey(ctx, keep), attended, valueMeanPerHead(ctx, q, v)], {}, { outputs: [out] });
    parts.push('average of v in fully masked rows');
  }
  return parts.join(' + ');
}

/** [..., q_seq, 1]: whether the bool keep-mask keeps any key of the row. */
function keepsAKey(ctx: LoweringContext, keep: string): string {
  const { emit } = ctx;
  const counts = emit.one('Cast', [keep], { to: onnxCode('int32') });
  const any = emit.one('ReduceMax', [counts, emit.int64('last_axis', [-1])], { keepdims: 1 }, { opset: 18 });
  return emit.one('Cast', [any], { to: onnxCode('bool') });
}

/** [batch, q_heads, 1, v_dim]: the mean of v over every key, repeated to the q heads (GQA). */
function valueMeanPerHead(ctx: LoweringContext, q: string, v: string): string {
  const { emit } = ctx;
  const mean = emit.one('ReduceMean', [v, emit.int64('seq_axis', [2])], { keepdims: 1 }, { opset: 18 });
  const [qHeads, kvHeads] = [inputType(ctx, 0)?.shape?.[1], inputType(ctx, 2)?.shape?.[1]];
  if (qHeads !== undefined && kvHeads !== undefined && dimEq(qHeads, kvHeads)) return mean;
  // q head h reads kv head floor(h / group): [b, kv, 1, 1, d] -> [b, kv, group, 1, d] -> [b, q, 1, d].
  const headsOf = (x: string) => emit.one('Shape', [x], { start: 1, end: 2 });
  const group = emit.one('Div', [headsOf(q), headsOf(v)]);
  const grouped = emit.one('Expand', [emit.one('Unsqueeze', [mean, emit.int64('group_axis', [2])]), emit.one('Concat', [emit.int64('ones', [1, 1]), group, emit.int64('ones', [1, 1])], { axis: 0 })]);
  const target = emit.one('Concat', [emit.int64('batch_heads_one', [0, -1, 1]), emit.one('Shape', [v], { start: 3, end: 4 })], { axis: 0 });
  return emit.one('Reshape', [grouped, target]);
}

/** The seq dim (index 2) of input i, when its shape is known. */
function seqDim(ctx: LoweringContext, i: number): Dim | undefined {
  const shape = inputType(ctx, i)?.shape;
  return shape === undefined || shape.length !== 4 ? undefined : shape[2];
}

/** Whether the mask's last two dims are [q_seq, kv_seq] already (ORT's requirement). */
function maskHasQueryDim(ctx: LoweringContext, qSeq: Dim | undefined, kvSeq: Dim | undefined): boolean {
  const shape = inputType(ctx, 3)?.shape;
  if (shape === undefined || shape.length < 2 || qSeq === undefined || kvSeq === undefined) return false;
  return dimEq(shape[shape.length - 2]!, qSeq) && dimEq(shape[shape.length - 1]!, kvSeq);
}

/** [...lead, q_seq, kv_seq] read from q's and k's shapes at run time. */
function queryKeyShape(ctx: LoweringContext, q: string, k: string, lead: readonly number[]): string {
  const seqOf = (x: string) => ctx.emit.one('Shape', [x], { start: 2, end: 3 });
  const parts = [...(lead.length > 0 ? [ctx.emit.int64('lead', lead)] : []), seqOf(q), seqOf(k)];
  return ctx.emit.one('Concat', parts, { axis: 0 });
}

/** [q_seq, kv_seq] bool: key j is in query i's causal band iff j <= i + (kv_seq - q_seq). */
function causalBand(ctx: LoweringContext, q: string, k: string): string {
  const { emit } = ctx;
  const ones = emit.one('ConstantOfShape', [queryKeyShape(ctx, q, k, [])], { value: makeTensor('bool', [1], [1]) });
  const seqOf = (x: string) => emit.one('Shape', [x], { start: 2, end: 3 });
  const offset = emit.one('Squeeze', [emit.one('Sub', [seqOf(k), seqOf(q)]), emit.int64('axis0', [0])]);
  return emit.one('Trilu', [ones, offset], { upper: 0 });
}

/** The mask with keys j > i + (kv_seq - q_seq) masked out: And for bool masks, -inf added otherwise. */
function withCausalBand(ctx: LoweringContext, q: string, k: string, mask: string | undefined): string {
  const { emit } = ctx;
  const band = causalBand(ctx, q, k);
  if (mask === undefined) return band;
  if (inputType(ctx, 3)?.dtype === 'bool') return emit.one('And', [mask, band]);
  const dtype = inputType(ctx, 0)?.dtype ?? 'float32';
  return emit.one('Where', [band, mask, emit.constant('minus_inf', dtype, [-Infinity], [])]);
}
