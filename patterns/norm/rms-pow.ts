// RMSNorm written with a power instead of a reciprocal square root, as some exporters and
// hand-written models do: x · (mean(x²) + eps)^-0.5 · w. The README's worked example of
// adding a rule for a new exporter variant.
import { floatDType, sameDType } from '../checks.js';
import { capture, constant, op } from '../pattern.js';
import { rule } from '../rule.js';
import { constantIs, constantNear, keepsShapeOf } from '../activation/checks.js';
import { epsilonIsOneValue, fitsNormalizedDims, reducesTrailingDims } from './checks.js';
import { axisOf } from './norm-node.js';
import { meanSquare, rmsNormOf } from './rms-norm.js';

// x · Pow(mean(x²) + eps, -0.5) · w -> RMSNorm(x, w, epsilon=eps)
export const rmsNormPow = rule({
  name: 'norm/rms-pow',
  root: 'Mul',
  pattern: op('Mul', op('Mul', capture('x'), op('Pow', meanSquare, constant('power'))), capture('w')),
  checks: [
    constantIs('exponent-is-2', 'exponent', 2),
    constantNear('power-is-minus-half', 'power', -0.5),
    reducesTrailingDims('mean', 'axes', 'x'),
    epsilonIsOneValue('eps'),
    floatDType('x'),
    sameDType('x', 'w'),
    fitsNormalizedDims('w', 'x', axisOf),
    keepsShapeOf('x'),
  ],
  rewrite: rmsNormOf,
});
