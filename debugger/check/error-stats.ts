// The debugger's view of error against the float64 reference (the measure itself is
// api/error-stats.ts): a reference tensor's scale, and where an error sits.
import type { Tensor } from '../../ir/tensor.js';

/**
 * Magnitudes at or above this are mask fill values (float32 min, -1e30), not data: they are
 * left out of a tensor's scale, so that one masked entry does not widen the floor of all.
 */
export const SENTINEL_MAGNITUDE = 1e30;

/** The scale of a reference tensor: max |ref| over its finite, non-sentinel entries. */
export function referenceScale(ref: Tensor): number {
  let scale = 0;
  for (const x of ref.data) {
    const a = Math.abs(x);
    if (a < SENTINEL_MAGNITUDE && a > scale) scale = a;
  }
  return scale;
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
