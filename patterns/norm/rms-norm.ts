// RMSNorm, to solder::RMSNorm {axis, epsilon, offset}:
//   the ONNX RMSNormalization op (opset 23), and the decomposed form every exporter writes
//   for Llama and T5: x · 1/√(mean(x²) + eps) · w, the reciprocal written Reciprocal(Sqrt),
//   Div(1, Sqrt) or a Div by the Sqrt, x² as Pow(x, 2) or x · x, the weight on either side
//   or as (1 + w) (Gemma: offset=1). Llama and T5 compute in float32 behind Casts; those
//   must widen and are absorbed (the kernel computes in float64).
import { intAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { floatDType, sameDType } from '../checks.js';
import { capture, constant, maybe, node, oneOf, op, opt } from '../pattern.js';
import { type Decline, type Match, type Replacement, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { constantIs, constantNear, keepsShapeOf } from '../activation/checks.js';
import { castsWiden, epsilonIsOneValue, fitsNormalizedDims, reducesTrailingDims } from './checks.js';
import { axisOf, normAttrs, normOfCluster } from './norm-node.js';

/** x, or x behind a compute-precision Cast bound as `cast`. */
const input = (cast: string) => opt(node(cast, op('Cast', capture('x'))));

// mean(x²) + eps
export const meanSquare = op('Add',
  node('mean', op('ReduceMean', oneOf(op('Pow', input('castSquare'), constant('exponent')), op('Mul', input('castSquare'), input('castSquare'))), maybe(constant('axes')))),
  constant('eps'));

// x / √(mean(x²) + eps)
const normalized = oneOf(
  op('Mul', input('castScale'), oneOf(op('Reciprocal', op('Sqrt', meanSquare)), op('Div', constant('one'), op('Sqrt', meanSquare)))),
  op('Div', input('castScale'), op('Sqrt', meanSquare)),
);

/** RMSNorm(x, w) over the axis the mean reduces, with the graph's eps, offset=1 when `offset` matched. */
export function rmsNormOf(m: Match, g: GraphView): Replacement | Decline {
  return normOfCluster('RMSNorm', m, g, { offset: intAttr(m.has('offset') ? 1 : 0) });
}

// x / √(mean(x²) + eps) · w -> RMSNorm(x, w, epsilon=eps), and · (1 + w) -> offset=1
export const rmsNormDecomposed = rule({
  name: 'norm/rms-decomposed',
  root: 'Mul',
  pattern: op('Mul', opt(node('castOut', op('Cast', normalized))), oneOf(op('Add', constant('offset'), capture('w')), capture('w'))),
  checks: [
    constantIs('exponent-is-2', 'exponent', 2),
    reducesTrailingDims('mean', 'axes', 'x'),
    epsilonIsOneValue('eps'),
    constantNear('numerator-is-1', 'one', 1),
    constantNear('offset-is-1', 'offset', 1),
    floatDType('x'),
    castsWiden('x', 'castSquare', 'castScale'),
    sameDType('x', 'w'),
    fitsNormalizedDims('w', 'x', axisOf),
    keepsShapeOf('x'),
  ],
  rewrite: rmsNormOf,
});

// RMSNormalization(x, w) -> RMSNorm(x, w)
export const rmsNormOp = rule({
  name: 'norm/rms-op',
  root: 'RMSNormalization',
  pattern: op('RMSNormalization', capture('x'), capture('w')),
  checks: [fitsNormalizedDims('w', 'x', (m, g) => Number(g.attrValues(m.root)['axis']))],
  rewrite: (m, g) => ({
    nodes: [{ op: 'RMSNorm', domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('w')], outputs: m.root.outputs, attrs: normAttrs(g, m.root) }],
    replaces: 'root',
  }),
});
