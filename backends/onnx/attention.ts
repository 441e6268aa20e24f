// Lowering of Attention to ONNX Attention (opset 23), which ONNX Runtime's CPU provider runs
// on [batch, heads, seq, head_dim] inputs with grouped-query kv heads, a bool or additive
// mask and a scale. Two differences are bridged here (both found by running ORT 1.32):
// - ORT requires the mask's second-last dim to be q_seq itself (no broadcast there), so a
//   padding mask [b, 1, 1, kv] is expanded to [.., q_seq, kv] first;
// - its is_causal is aligned top-left, solder's bottom-right: they agree when q_seq equals
//   kv_seq; otherwise the band j <= i + (kv_seq - q_seq) is built with Trilu and merged
//   into the mask.
// Rows whose every key is masked give 0 in ORT and NaN in the reference (eager softmax).
import { floatAttr } from '../../ir/attrs.js';
import { type Dim, dimEq } from '../../ir/dim.js';
import { Attention } from '../../ir/ops/fused/attention.js';
import { readAttrs } from '../../ir/ops/spec.js';
import { makeTensor } from '../../ir/tensor.js';
import { type LoweringContext, inputName, inputType, requiredName } from './context.js';

const ATTENTION_OPSET = 23;

export function lowerAttention(ctx: LoweringContext): string {
  const { scale, causal } = readAttrs(Attention, ctx.node);
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
  ctx.emit.node('Attention', [q, k, v, ...(mask === undefined ? [] : [mask])], { scale: floatAttr(scale), is_causal: squareCausal ? 1 : 0 }, {
    outputs: [ctx.node.outputs[0]!],
    opset: ATTENTION_OPSET,
  });
  return parts.join(' + ');
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

/** The mask with keys j > i + (kv_seq - q_seq) masked out: And for bool masks, -inf added otherwise. */
function withCausalBand(ctx: LoweringContext, q: string, k: string, mask: string | undefined): string {
  const { emit } = ctx;
  const ones = emit.one('ConstantOfShape', [queryKeyShape(ctx, q, k, [])], { value: makeTensor('bool', [1], [1]) });
  const seqOf = (x: string) => emit.one('Shape', [x], { start: 2, end: 3 });
  const offset = emit.one('Squeeze', [emit.one('Sub', [seqOf(k), seqOf(q)]), emit.int64('axis0', [0])]);
  const band = emit.one('Trilu', [ones, offset], { upper: 0 });
  if (mask === undefined) return band;
  if (inputType(ctx, 3)?.dtype === 'bool') return emit.one('And', [mask, band]);
  const dtype = inputType(ctx, 0)?.dtype ?? 'float32';
  return emit.one('Where', [band, mask, emit.constant('minus_inf', dtype, [-Infinity], [])]);
}
