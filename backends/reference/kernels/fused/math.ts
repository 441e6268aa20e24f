// Scalar math the fused kernels share, in float64: erf, the activations, storage rounding.
import type { DType } from '../../../../ir/dtype.js';
import { roundToBf16, roundToF16 } from '../../../../ir/half.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The error function to about 1e-14: Taylor series near 0, Lentz's continued fraction for erfc beyond. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 3) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); terms peak near e^(x^2) < 1e4, so
    // cancellation costs at most 4 of float64's 16 digits.
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(a));
}

/** erfc(x) for x >= 3: exp(-x²)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). */
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

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
