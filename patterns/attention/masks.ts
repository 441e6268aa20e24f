// Fully masked rows: solder::Attention gives NaN for a query row whose every key is masked
// (what eager softmax gives), while ONNX's Attention and sdpa's NaN guard give 0. A rule
// that maps the latter keeps their result either by proving the mask never masks a whole
// row, or by zeroing such rows after the fused node.
import type { DType } from '../../ir/dtype.js';
import { makeTensor, type Tensor } from '../../ir/tensor.js';
import type { NewNode, RewriteContext } from '../rule.js';
import type { GraphView } from '../working-graph.js';

/**
 * What can be proven about a mask (additive float or boolean keep-mask):
 * - 'never-masks': no -inf anywhere / every entry true (so causal rows keep their keys too);
 * - 'keeps-a-key-per-row': along the last axis, every row keeps at least one key;
 * - 'unknown'.
 */
export type MaskCoverage = 'never-masks' | 'keeps-a-key-per-row' | 'unknown';

/** Proves what it can from constants, Where(cond, a, b) over constants, and Expand. */
export function maskCoverage(g: GraphView, mask: string): MaskCoverage {
  const t = g.constant(mask);
  if (t !== undefined) return constantCoverage(t);
  const p = g.producer(mask)?.node;
  if (p === undefined || p.domain !== '') return 'unknown';
  // Expand copies rows (and broadcasts a [.., 1] column across keys): what holds per row still holds.
  if (p.op === 'Expand') return maskCoverage(g, p.inputs[0]!);
  if (p.op === 'Where' && g.typeOf(mask)?.dtype !== 'bool') {
    const [kept, dropped] = [g.constant(p.inputs[1]!), g.constant(p.inputs[2]!)];
    if (kept === undefined || dropped === undefined || !allFinite(kept)) return 'unknown';
    if (allFinite(dropped)) return 'never-masks';
    // Where(keep, finite, -inf) masks exactly where `keep` is false.
    return dropped.data.every((x) => x === -Infinity) ? maskCoverage(g, p.inputs[0]!) : 'unknown';
  }
  return 'unknown';
}

function constantCoverage(t: Tensor): MaskCoverage {
  const keeps = (x: number) => (t.dtype === 'bool' ? x !== 0 : x !== -Infinity && !Number.isNaN(x));
  if (t.dtype !== 'bool' ? allFinite(t) : t.data.every(keeps)) return 'never-masks';
  const row = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
  if (row === 0) return 'unknown';
  for (let start = 0; start < t.data.length; start += row) {
    if (!t.data.subarray(start, start + row).some(keeps)) return 'unknown';
  }
  return 'keeps-a-key-per-row';
}

function allFinite(t: Tensor): boolean {
  return t.data.every((x) => Number.isFinite(x));
}

/**
 * Nodes computing `out` = `attention` with every fully masked row set to 0, as ONNX's
 * Attention and the NaN guard define it. A bool mask row is fully masked when no entry is
 * true; an additive one when its largest entry is -inf (the scores themselves are finite).
 */
export function zeroFullyMaskedRows(ctx: RewriteContext, mask: string, attention: string, out: string, dtype: DType): NewNode[] {
  const zero = ctx.initializer('zero', makeTensor(dtype, [], [0]));
  const lastAxis = ctx.initializer('last_axis', makeTensor('int64', [1], [-1]));
  const rowMax = ctx.fresh('mask_row_max');
  const reduce: NewNode = { op: 'ReduceMax', inputs: [mask, lastAxis], outputs: [rowMax], attrs: { keepdims: { kind: 'int', value: 1 } } };
  if (ctx.typeOf(mask)?.dtype === 'bool') {
    return [reduce, { op: 'Where', inputs: [rowMax, attention, zero], outputs: [out] }];
  }
  const allMasked = ctx.fresh('row_fully_masked');
  return [
    reduce,
    { op: 'IsInf', inputs: [rowMax], outputs: [allMasked], attrs: { detect_positive: { kind: 'int', value: 0 }, detect_negative: { kind: 'int', value: 1 } } },
    { op: 'Where', inputs: [allMasked, zero, attention], outputs: [out] },
  ];
}
