// How far one tensor is from a reference: max abs / max rel error and where, the measure
// both `solder run --compare` and the debugger's check report.
import type { Tensor } from '../ir/tensor.js';

export interface ErrorStats {
  /** max |got - ref|; Infinity where one side is NaN or infinite and the other is not. */
  readonly maxAbs: number;
  /** max |got - ref| / max(|ref|, floor): relative error that does not explode on zeros. */
  readonly maxRel: number;
  /** Flat index of the largest absolute error (0 when there is none). */
  readonly worstFlat: number;
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

/** Every element of `got` within atol + rtol · |ref| of `ref` (same shape), an exact match always. */
export function withinTolerance(got: Tensor, ref: Tensor, tol: { readonly atol: number; readonly rtol: number }): boolean {
  for (let i = 0; i < ref.data.length; i++) {
    const e = elementError(got.data[i] as number, ref.data[i] as number);
    if (e !== 0 && !(e <= tol.atol + tol.rtol * Math.abs(ref.data[i] as number))) return false;
  }
  return true;
}

/** |x - y|, with NaN = NaN and inf = inf counting as exact, and any other mix as infinitely wrong. */
function elementError(x: number, y: number): number {
  if (x === y) return 0;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? 0 : Infinity;
  return Math.abs(x - y);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
