// Scalar functions the elementwise and fused kernels need that Math lacks, accurate to float64.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** e^(-x^2) without the rounding error of squaring x: x = hi + lo with hi*hi exact. */
function expMinusSquare(x: number): number {
  const hi = Math.fround(x);
  const lo = x - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (hi + x));
}

/** The Gauss error function, to a few ulp. */
export function erf(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  const value = a < 2.5 ? erfSeries(a) : 1 - erfcContinuedFraction(a);
  return x < 0 ? -value : value;
}

// erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): every term is
// positive, so nothing cancels (the alternating Taylor series loses digits past x ~ 1).
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
}

// erfc(x) = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), by Lentz's method.
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * expMinusSquare(x)) / f;
}

/** Rounds to the nearest integer, halves to the even neighbour (IEEE roundTiesToEven); keeps -0. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; a half whose upward neighbour is odd goes down instead.
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** 1 / (1 + e^-x) without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** ln(1 + e^x) without overflow for large x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** x · Φ(x), with Φ the standard normal CDF. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** GELU's tanh approximation (approximate='tanh'). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}
