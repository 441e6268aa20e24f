// LayerNorm, to solder::LayerNorm {axis, epsilon}:
//   the ONNX LayerNormalization op (opset 17; torch.export's aten.layer_norm imports to it),
//   and the decomposed form older exports write: (x - mean(x)) / √(mean((x - mean(x))²) + eps)
//   · w, the square as Pow(d, 2) or d · d, the division also written · Reciprocal(...).
// A bias added after either is folded in by a second rule, so a bias-free norm needs no
// separate pattern.
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { floatDType, sameDType } from '../checks.js';
import { absent, capture, constant, maybe, node, oneOf, op, opIn } from '../pattern.js';
import { type Match, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { constantIs, keepsShapeOf } from '../activation/checks.js';
import { epsilonIsOneValue, fitsNormalizedDims, reducesTrailingDims, trailingAxisOf } from './checks.js';
import { axisOf, normAttrs, normOfCluster } from './norm-node.js';

const axisAttrOf = (binding: string) => (m: Match, g: GraphView) => Number(g.attrValues(m.node(binding))['axis']);

// LayerNormalization(x, w, b) -> LayerNorm(x, w, b)   (its mean and inverse-deviation outputs unread)
export const layerNormOp = rule({
  name: 'norm/layernorm-op',
  root: 'LayerNormalization',
  pattern: node('norm', op('LayerNormalization', capture('x'), capture('w'), maybe(capture('b')))),
  checks: [
    check('statistics-outputs-unread', 'norm', (m, g) => {
      const read = m.root.outputs.slice(1).filter((v) => v !== '' && (g.consumers(v).length > 0 || g.isGraphOutput(v)));
      return read.length === 0 || { found: `'${read.join("', '")}' read`, expected: 'only the normalized output read' };
    }),
    fitsNormalizedDims('w', 'x', axisAttrOf('norm')),
    fitsNormalizedDims('b', 'x', axisAttrOf('norm')),
  ],
  rewrite: (m, g) => ({
    nodes: [{ op: 'LayerNorm', domain: SOLDER_DOMAIN, inputs: m.has('b') ? [m.value('x'), m.value('w'), m.value('b')] : [m.value('x'), m.value('w')], outputs: [m.root.outputs[0]!], attrs: normAttrs(g, m.root) }],
    replaces: [m.root.outputs[0]!],
  }),
});

// x - mean(x), bound as d wherever it is read
const centered = capture('d', op('Sub', capture('x'), node('mean', op('ReduceMean', capture('x'), maybe(constant('axes'))))));
const variance = node('variance', op('ReduceMean', oneOf(op('Pow', centered, constant('exponent')), op('Mul', centered, centered)), maybe(constant('varianceAxes'))));
const deviation = op('Sqrt', op('Add', variance, constant('eps')));

// (x - mean(x)) / √(mean((x - mean(x))²) + eps) · w -> LayerNorm(x, w, epsilon=eps)
export const layerNormDecomposed = rule({
  name: 'norm/layernorm-decomposed',
  root: 'Mul',
  pattern: op('Mul', oneOf(op('Div', centered, deviation), op('Mul', centered, op('Reciprocal', deviation))), capture('w')),
  checks: [
    constantIs('exponent-is-2', 'exponent', 2),
    reducesTrailingDims('mean', 'axes', 'x'),
    check('variance-over-the-same-dims', 'variance', (m, g) => {
      const [a, b] = [axisOf(m, g), trailingAxisOf(m, g, 'variance', 'varianceAxes', 'x')];
      return a === b || { found: b, expected: a };
    }),
    epsilonIsOneValue('eps'),
    floatDType('x'),
    sameDType('x', 'w'),
    fitsNormalizedDims('w', 'x', axisOf),
    keepsShapeOf('x'),
  ],
  rewrite: (m, g) => normOfCluster('LayerNorm', m, g),
});

// LayerNorm(x, w) + b -> LayerNorm(x, w, b)   (b a constant of the normalized dims: a bias, not a residual)
export const layerNormBias = rule({
  name: 'norm/layernorm-fold-bias',
  root: 'Add',
  pattern: op('Add', node('norm', opIn(SOLDER_DOMAIN, 'LayerNorm', capture('x'), capture('w'), absent())), constant('b')),
  checks: [
    sameDType('x', 'b'),
    fitsNormalizedDims('b', 'x', axisAttrOf('norm')),
    keepsShapeOf('x'),
  ],
  rewrite: (m, g) => ({
    nodes: [{ op: 'LayerNorm', domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('w'), m.value('b')], outputs: m.root.outputs, attrs: normAttrs(g, m.node('norm')) }],
    replaces: 'root',
  }),
});
