// Numpy broadcasting for the reference kernels: concrete output shapes, per-element source
// offsets, and the unary/binary loops with fast paths for same-shape and scalar operands.
// Other kernel families may import these; the API is deliberately small:
//   broadcastShape(shapes, node)           the broadcast of concrete shapes
//   broadcastOffsets(shape, outShape)      where each output element reads a broadcast input
//   alignedStrides + forEachRow            the same walk without the offsets array
//   mapUnary(x, outDtype, fn)              fn over every element
//   broadcastBinary(a, b, outDtype, fn)    fn over broadcast pairs
import type { DType } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import type { Node } from '../../ir/graph.js';
import { type Tensor, allocData, numel } from '../../ir/tensor.js';

/** The numpy broadcast of concrete shapes; a user error naming the node when they do not broadcast. */
export function broadcastShape(shapes: readonly (readonly number[])[], node?: Node): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const lead = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[lead + i]!;
      if (d === o || d === 1) continue;
      if (o !== 1) {
        const problem = `cannot broadcast shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')}`;
        throw new SolderError(problem, node === undefined ? {} : { node: node.name, op: node.op });
      }
      out[lead + i] = d;
    }
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * For each element of `outShape` in row-major order, the flat offset of the element it reads
 * in a tensor of `shape` broadcast to `outShape` (which must be a valid broadcast target).
 * Reductions use it the other way round: the keepdims output shape broadcast to the input
 * shape gives, for each input element, the output element it accumulates into.
 */
export function broadcastOffsets(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const offsets = new Int32Array(numel(outShape));
  const strides = alignedStrides(shape, outShape.length);
  forEachRow(outShape, [strides], (start, length, [base]) => {
    const step = strides[strides.length - 1] ?? 0;
    for (let j = 0; j < length; j++) offsets[start + j] = base! + j * step;
  });
  return offsets;
}

/** Element strides of `shape` aligned to the trailing dims of a rank-`rank` shape; 0 where it is broadcast. */
export function alignedStrides(shape: readonly number[], rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) {
    if (shape[d] !== 1) strides[rank - shape.length + d] = acc;
    acc *= shape[d]!;
  }
  return strides;
}

/**
 * Walks outShape one innermost row at a time, in row-major order: visit gets the row's flat
 * start, its length, and each operand's offset of the row's first element under its strides.
 * The caller loops over the row with the innermost strides; nothing is allocated per row.
 */
export function forEachRow(
  outShape: readonly number[],
  strides: readonly (readonly number[])[],
  visit: (start: number, length: number, bases: readonly number[]) => void,
): void {
  const n = numel(outShape);
  if (n === 0) return;
  const rank = outShape.length;
  const inner = rank === 0 ? 1 : outShape[rank - 1]!;
  const coord = new Array<number>(rank).fill(0);
  const bases = strides.map(() => 0);
  for (let start = 0; start < n; start += inner) {
    visit(start, inner, bases);
    // Step the outer dims like an odometer, moving every operand's base along.
    for (let d = rank - 2; d >= 0; d--) {
      coord[d]!++;
      for (let k = 0; k < bases.length; k++) bases[k] = bases[k]! + strides[k]![d]!;
      if (coord[d]! < outShape[d]!) break;
      for (let k = 0; k < bases.length; k++) bases[k] = bases[k]! - coord[d]! * strides[k]![d]!;
      coord[d] = 0;
    }
  }
}

/** A tensor of outDtype holding fn of each element of x. */
export function mapUnary(x: Tensor, outDtype: DType, fn: (v: number) => number): Tensor {
  const src = x.data;
  const data = allocData(outDtype, src.length);
  for (let i = 0; i < src.length; i++) data[i] = fn(src[i]!);
  return { dtype: outDtype, shape: [...x.shape], data };
}

/** A tensor of outDtype holding fn(a, b) over a and b broadcast together. */
export function broadcastBinary(
  a: Tensor,
  b: Tensor,
  outDtype: DType,
  fn: (x: number, y: number) => number,
  node?: Node,
): Tensor {
  const shape = broadcastShape([a.shape, b.shape], node);
  const data = allocData(outDtype, numel(shape));
  const ad = a.data;
  const bd = b.data;
  const aFull = sameShape(a.shape, shape);
  const bFull = sameShape(b.shape, shape);
  if (aFull && bFull) {
    for (let i = 0; i < data.length; i++) data[i] = fn(ad[i]!, bd[i]!);
  } else if (aFull && bd.length === 1) {
    const y = bd[0]!;
    for (let i = 0; i < data.length; i++) data[i] = fn(ad[i]!, y);
  } else if (bFull && ad.length === 1) {
    const x = ad[0]!;
    for (let i = 0; i < data.length; i++) data[i] = fn(x, bd[i]!);
  } else {
    const rank = shape.length;
    const sa = alignedStrides(a.shape, rank);
    const sb = alignedStrides(b.shape, rank);
    const ia = sa[rank - 1] ?? 0;
    const ib = sb[rank - 1] ?? 0;
    forEachRow(shape, [sa, sb], (start, length, [baseA, baseB]) => {
      for (let j = 0; j < length; j++) data[start + j] = fn(ad[baseA! + j * ia]!, bd[baseB! + j * ib]!);
    });
  }
  return { dtype: outDtype, shape, data };
}
