// Scalar math the fused kernels share, in float64: the activations (the elementwise kernels'
// own gelu and sigmoid, so that a fused node computes what its cluster did), storage rounding.
import type { DType } from '../../../../ir/dtype.js';
import { roundToBf16, roundToF16 } from '../../../../ir/half.js';
import { gelu, geluTanh, sigmoid } from '../scalar-math.js';

export function silu(x: number): number {
  return x * sigmoid(x);
}

/** The scalar function of an activation attribute value. */
export function activationFn(name: 'none' | 'relu' | 'gelu' | 'gelu_tanh' | 'silu' | 'tanh' | 'sigmoid'): (x: number) => number {
  switch (name) {
    case 'none': return (x) => x;
    case 'relu': return (x) => (x > 0 ? x : 0);
    case 'gelu': return gelu;
    case 'gelu_tanh': return geluTanh;
    case 'silu': return silu;
    case 'tanh': return Math.tanh;
    case 'sigmoid': return sigmoid;
  }
}

/** A float64 value rounded to what a float dtype stores (the sum output of the Skip norms). */
export function roundTo(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float16': return roundToF16(v);
    case 'bfloat16': return roundToBf16(v);
    default: return v;
  }
}
