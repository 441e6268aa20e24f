// How far one tensor is from a float64 reference: max abs / max rel error, and where.
import type { Tensor } from '../../ir/tensor.js';

/**
 * Magnitudes at or above this are mask fill values (float32 min, -1e30), not data: they are
 * left out of a tensor's scale, so that one masked entry does not widen the floor of all.
 */
export const SENTINEL_MAGNITUDE = 1e30;

export interface ErrorStats {
  /** max |got - ref|; Infinity where one side is NaN or infinite and the other is not. */
  readonly maxAbs: number;
  /** max |got - ref| / max(|ref|, floor): relative error that does not explode on zeros. */
  readonly maxRel: number;
  /** Flat index of the largest absolute error (0 when there is none). */
  readonly worstFlat: number;
}

/** The scale of a reference tensor: max |ref| over its finite, non-sentinel entries. */
export function referenceScale(ref: Tensor): number {
  let scale = 0;
  for (const x of ref.data) {
    const a = Math.abs(x);
    if (a < SENTINEL_MAGNITUDE && a > scale) scale = a;
  }
  return scale;
}

/** Error of `got` against `ref` (same shape); `relFloor` keeps maxRel finite near zeros. */
export function errorStats(got: Tensor, ref: Tensor, relFloor: number): ErrorStats {
  let maxAbs = 0;
  let maxRel = 0;
  let worstFlat = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const e = elementError(got.data[i] as number, ref.data[i] as number);
    if (e > maxAbs) {
      maxAbs = e;
      worstFlat = i;
    }
    const denominator = Math.max(Math.abs(ref.data[i] as number), relFloor);
    const rel = e === 0 ? 0 : denominator > 0 ? e / denominator : Infinity;
    if (rel > maxRel) maxRel = rel;
  }
  return { maxAbs, maxRel, worstFlat };
}

/** |x - y|, with NaN = NaN and inf = inf counting as exact, and any other mix as infinitely wrong. */
function elementError(x: number, y: number): number {
  if (x === y) return 0;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? 0 : Infinity;
  return Math.abs(x - y);
}

/** A flat index as a multi-index into `shape` (row-major). */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    if (size === 0) continue;
    index[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  return index;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
