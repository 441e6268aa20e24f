// Reference kernels: Softmax, LogSoftmax, Hardmax along one axis, in float64.
import { Hardmax, LogSoftmax, Softmax } from '../../../ir/ops/softmax.js';
import { normalizeAxis } from '../../../ir/ops/shape-util.js';
import type { Node } from '../../../ir/graph.js';
import type { Tensor } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { required } from './args.js';
import { spanSize, tensorOf } from './nn-args.js';

/** The rows a [outer, length, inner] view visits along `axis`: row r starts at `start(r)` and steps by `stride`. */
interface AxisRows {
  readonly count: number;
  readonly length: number;
  readonly stride: number;
  start(row: number): number;
}

export function axisRows(node: Node, shape: readonly number[], axisAttr: number): AxisRows {
  const rank = Math.max(1, shape.length);
  const axis = normalizeAxis(node, axisAttr, rank);
  const length = shape.length === 0 ? 1 : shape[axis]!;
  const inner = spanSize(shape, axis + 1);
  const outer = spanSize(shape, 0, axis);
  return { count: outer * inner, length, stride: inner, start: (r) => Math.floor(r / inner) * length * inner + (r % inner) };
}

/** Applies `fill(values, out)` to every row along the axis; values are float64 copies of the row. */
function mapRows(node: Node, x: Tensor, axis: number, fill: (row: Float64Array, out: Float64Array) => void): Tensor {
  const rows = axisRows(node, x.shape, axis);
  const out = new Float64Array(x.data.length);
  const row = new Float64Array(rows.length);
  const result = new Float64Array(rows.length);
  for (let r = 0; r < rows.count; r++) {
    const s = rows.start(r);
    for (let i = 0; i < rows.length; i++) row[i] = x.data[s + i * rows.stride]!;
    fill(row, result);
    for (let i = 0; i < rows.length; i++) out[s + i * rows.stride] = result[i]!;
  }
  return tensorOf(x.dtype, x.shape, out);
}

/** max(row) and log(sum(exp(row - max))). */
function logSumExp(row: Float64Array): { max: number; lse: number } {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return { max, lse: Math.log(sum) };
}

defineKernel(Softmax, (inputs, attrs, node) => [mapRows(node, required(inputs, 0, node), attrs.axis, (row, out) => {
  const { max } = logSumExp(row);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += (out[i] = Math.exp(row[i]! - max));
  for (let i = 0; i < row.length; i++) out[i]! /= sum;
})]);

defineKernel(LogSoftmax, (inputs, attrs, node) => [mapRows(node, required(inputs, 0, node), attrs.axis, (row, out) => {
  const { max, lse } = logSumExp(row);
  for (let i = 0; i < row.length; i++) out[i] = row[i]! - max - lse;
})]);

defineKernel(Hardmax, (inputs, attrs, node) => [mapRows(node, required(inputs, 0, node), attrs.axis, (row, out) => {
  let at = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[at]!) at = i;
  out.fill(0);
  if (row.length > 0) out[at] = 1;
})]);
