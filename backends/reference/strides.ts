// Row-major strided indexing, shared by the shape and indexing kernels: most of them
// are "for each output coordinate, read the input at some other coordinate".
import { type Tensor, allocData, numel } from '../../ir/tensor.js';

/** Row-major element strides of a shape (the last dim has stride 1). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d]!;
  }
  return strides;
}

/** The flat offset of a coordinate under the given strides. */
export function offsetOf(coord: readonly number[], strides: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < coord.length; d++) off += coord[d]! * strides[d]!;
  return off;
}

/** The coordinate of a flat row-major offset. */
export function coordOf(flat: number, shape: readonly number[]): number[] {
  const coord = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    coord[d] = flat % size;
    flat = Math.floor(flat / size);
  }
  return coord;
}

/**
 * Visits every coordinate of a shape in row-major order. The coordinate array is
 * reused between calls (copy it to keep it).
 */
export function forEachCoord(shape: readonly number[], visit: (coord: readonly number[], flat: number) => void): void {
  const n = numel(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    visit(coord, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      coord[d]!++;
      if (coord[d]! < shape[d]!) break;
      coord[d] = 0;
    }
  }
}

/**
 * A tensor of `shape` (source's dtype) whose element at each coordinate is the source
 * element at the flat offset `sourceOffset` returns, or `fill` where it returns -1.
 */
export function gatherByCoord(
  source: Tensor,
  shape: readonly number[],
  sourceOffset: (coord: readonly number[]) => number,
  fill = 0,
): Tensor {
  const data = allocData(source.dtype, numel(shape));
  forEachCoord(shape, (coord, flat) => {
    const from = sourceOffset(coord);
    data[flat] = from < 0 ? fill : source.data[from]!;
  });
  return { dtype: source.dtype, shape: [...shape], data };
}

/** Strides of a source broadcast to a longer or wider shape: 0 where the source dim is 1 or missing. */
export function broadcastStrides(sourceShape: readonly number[], toRank: number): number[] {
  const strides = stridesOf(sourceShape);
  const out = new Array<number>(toRank).fill(0);
  const lead = toRank - sourceShape.length;
  sourceShape.forEach((d, i) => {
    out[lead + i] = d === 1 ? 0 : strides[i]!;
  });
  return out;
}

/** A copy of a tensor with a new shape of the same element count. */
export function withShape(t: Tensor, shape: readonly number[]): Tensor {
  return { dtype: t.dtype, shape: [...shape], data: t.data.slice() };
}

/**
 * Whole slices along an axis: out[..., j, ...] = source[..., positions[j], ...], positions
 * already checked to lie in [0, size).
 */
export function takeAlongAxis(source: Tensor, axis: number, positions: readonly number[], shape: readonly number[]): Tensor {
  const size = source.shape[axis]!;
  const outer = numel(source.shape.slice(0, axis));
  const inner = numel(source.shape.slice(axis + 1));
  const data = allocData(source.dtype, numel(shape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of positions) {
      const from = (o * size + p) * inner;
      data.set(source.data.subarray(from, from + inner), at);
      at += inner;
    }
  }
  return { dtype: source.dtype, shape: [...shape], data };
}
