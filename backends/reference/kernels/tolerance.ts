// How closely a kernel's output must match a float64 expectation, by output dtype: the
// elementwise and reduction tests compare with this.
import { type DType, isFloat } from '../../../ir/dtype.js';

/** Relative error allowed: two ulp of the dtype (float64 values come from other libms, a few ulp apart). */
const RELATIVE: Partial<Record<DType, number>> = { float32: 2 ** -22, float16: 2 ** -9, bfloat16: 2 ** -6, float64: 2 ** -48 };

/** Equal within the dtype's tolerance; NaN matches NaN, and float zeros and infinities must match exactly (sign included). */
export function closeTo(dtype: DType, got: number, want: number): boolean {
  if (!isFloat(dtype)) return got === want;
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (want === 0 || !Number.isFinite(want)) return Object.is(got, want);
  return Math.abs(got - want) <= (RELATIVE[dtype] ?? 0) * Math.abs(want);
}

/** Like closeTo, with the error measured against max(|want|, scale): for results whose absolute error does not shrink with them. */
export function closeOnScale(dtype: DType, got: number, want: number, scale: number): boolean {
  if (!isFloat(dtype) || !Number.isFinite(want) || Math.abs(want) >= scale) return closeTo(dtype, got, want);
  return Math.abs(got - want) <= (RELATIVE[dtype] ?? 0) * scale;
}
