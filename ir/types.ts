// Static tensor types: a dtype and a shape of known or symbolic dims.
import type { DType } from './dtype.js';
import { type Dim, dimEq, dimToString } from './dim.js';

export interface TensorType {
  readonly dtype: DType;
  /** undefined when the rank is not known. */
  readonly shape?: readonly Dim[];
}

export function tensorType(dtype: DType, shape?: readonly Dim[]): TensorType {
  return shape === undefined ? { dtype } : { dtype, shape };
}

export function shapeEq(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i] as Dim));
}

export function typeToString(t: TensorType): string {
  const shape = t.shape === undefined ? '?' : `[${t.shape.map(dimToString).join(', ')}]`;
  return `${t.dtype}${shape}`;
}
