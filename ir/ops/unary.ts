// Op specs: unary math (Abs .. Erf), IsNaN, IsInf and Identity. Each keeps its input's
// shape; all but the predicates keep its dtype.
import { type AttrSpecs, attr } from '../attrs.js';
import type { DType } from '../dtype.js';
import { ONNX_DOMAIN } from '../graph.js';
import { tensorType } from '../types.js';
import { ALL_TYPES, FLOATS, NUMERIC, SIGNED_NUMERIC, checkedDType, sameAsInput } from './elementwise-types.js';
import { inputType } from './shape-util.js';
import { defineOp } from './spec.js';

/** Declares a one-input, one-output op whose output has the input's type. */
export function defineUnary<const S extends AttrSpecs>(name: string, allowed: readonly DType[], doc: string, attrs: S) {
  return defineOp({
    domain: ONNX_DOMAIN,
    name,
    inputs: [{ name: 'X' }],
    outputs: [{ name: 'Y' }],
    attrs,
    doc,
    infer: (ctx) => sameAsInput(ctx, allowed),
  });
}

export const Abs = defineUnary('Abs', NUMERIC, 'Absolute value.', {});
export const Neg = defineUnary('Neg', SIGNED_NUMERIC, 'Negation.', {});
export const Sign = defineUnary('Sign', NUMERIC, '-1, 0 or 1 by the sign of x.', {});
export const Exp = defineUnary('Exp', FLOATS, 'e^x.', {});
export const Log = defineUnary('Log', FLOATS, 'Natural logarithm.', {});
export const Sqrt = defineUnary('Sqrt', FLOATS, 'Square root.', {});
export const Reciprocal = defineUnary('Reciprocal', FLOATS, '1 / x.', {});
export const Floor = defineUnary('Floor', FLOATS, 'Rounds toward -inf.', {});
export const Ceil = defineUnary('Ceil', FLOATS, 'Rounds toward +inf.', {});
export const Round = defineUnary('Round', FLOATS, 'Rounds to the nearest integer, halves to even.', {});
export const Sin = defineUnary('Sin', FLOATS, 'Sine.', {});
export const Cos = defineUnary('Cos', FLOATS, 'Cosine.', {});
export const Tan = defineUnary('Tan', FLOATS, 'Tangent.', {});
export const Asin = defineUnary('Asin', FLOATS, 'Arcsine.', {});
export const Acos = defineUnary('Acos', FLOATS, 'Arccosine.', {});
export const Atan = defineUnary('Atan', FLOATS, 'Arctangent.', {});
export const Sinh = defineUnary('Sinh', FLOATS, 'Hyperbolic sine.', {});
export const Cosh = defineUnary('Cosh', FLOATS, 'Hyperbolic cosine.', {});
export const Asinh = defineUnary('Asinh', FLOATS, 'Inverse hyperbolic sine.', {});
export const Acosh = defineUnary('Acosh', FLOATS, 'Inverse hyperbolic cosine.', {});
export const Atanh = defineUnary('Atanh', FLOATS, 'Inverse hyperbolic tangent.', {});
export const Tanh = defineUnary('Tanh', FLOATS, 'Hyperbolic tangent.', {});
export const Sigmoid = defineUnary('Sigmoid', FLOATS, '1 / (1 + e^-x).', {});
export const Erf = defineUnary('Erf', NUMERIC, 'The Gauss error function.', {});

export const Identity = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Identity',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'Passes its input through.',
  infer: (ctx) => sameAsInput(ctx, ALL_TYPES),
});

export const IsNaN = defineOp({
  domain: ONNX_DOMAIN,
  name: 'IsNaN',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  doc: 'True where x is NaN.',
  infer: (ctx) => {
    checkedDType(ctx, 0, FLOATS);
    return [tensorType('bool', inputType(ctx, 0).shape)];
  },
});

export const IsInf = defineOp({
  domain: ONNX_DOMAIN,
  name: 'IsInf',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: { detect_negative: attr.int.default(1), detect_positive: attr.int.default(1) },
  doc: 'True where x is an infinity of a detected sign.',
  infer: (ctx) => {
    checkedDType(ctx, 0, FLOATS);
    return [tensorType('bool', inputType(ctx, 0).shape)];
  },
});
