// Epilogues folded into the Linear before them: an activation, then a residual add, in the
// order solder::Linear applies them (act(x·W + b) + residual). Each needs the Linear's output
// to have no other reader, which the driver's shared-intermediate rule enforces.
import { P } from 'ts-pattern';
import { stringAttr } from '../../ir/attrs.js';
import { type Node, SOLDER_DOMAIN } from '../../ir/graph.js';
import type { LinearActivation } from '../../ir/ops/fused/linear.js';
import { capture, op, opIn, type OpPattern } from '../pattern.js';
import { type Rule, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { keepsShape, linearInputs, linearNode } from './linear-pattern.js';

const bare = () => linearNode('none');

function foldInto(name: string, pattern: OpPattern, activation: (m: { root: Node }, g: GraphView) => LinearActivation): Rule {
  return rule({
    name,
    root: pattern.ops[0]!,
    domain: pattern.domain,
    pattern,
    rewrite: (m, ctx) => ({
      nodes: [{ op: 'Linear', domain: SOLDER_DOMAIN, inputs: linearInputs(m), outputs: m.root.outputs, attrs: { activation: stringAttr(activation(m, ctx)) } }],
      replaces: 'root',
    }),
  });
}

// Gelu(Linear(x, W, b)) -> Linear(x, W, b, activation=gelu|gelu_tanh)
export const linearGelu = foldInto('linear/fold-gelu',
  opIn(SOLDER_DOMAIN, 'Gelu', bare(), { approximate: P.union('none', 'tanh') }),
  (m, g) => (g.attrValues(m.root)['approximate'] === 'tanh' ? 'gelu_tanh' : 'gelu'));

// Relu(Linear(x, W, b)) -> Linear(x, W, b, activation=relu)
export const linearRelu = foldInto('linear/fold-relu', op('Relu', bare()), () => 'relu');

// Tanh(Linear(x, W, b)) -> Linear(x, W, b, activation=tanh)   (BERT's pooler)
export const linearTanh = foldInto('linear/fold-tanh', op('Tanh', bare()), () => 'tanh');

// Sigmoid(Linear(x, W, b)) -> Linear(x, W, b, activation=sigmoid); inside SiLU the Linear has
// a second reader (the Mul), so this declines and linear/fold-silu takes the whole SiLU.
export const linearSigmoid = foldInto('linear/fold-sigmoid', op('Sigmoid', bare()), () => 'sigmoid');

// y * Sigmoid(y), y = Linear(x, W, b) -> Linear(x, W, b, activation=silu)
// (activation/silu.ts's siluOf(y), spelled out to bind y's producer: the Linear must be in
// the match to be replaced and to pass on its provenance.)
export const linearSilu = foldInto('linear/fold-silu',
  op('Mul', capture('y', bare()), op('Sigmoid', capture('y'))),
  () => 'silu');

/** Ops that normalize their input, and the first ops of decomposed norms (mean, mean of squares). */
const NORM_READERS = new Set(['LayerNormalization', 'RMSNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'ReduceMean']);
const SOLDER_NORMS = new Set(['LayerNorm', 'RMSNorm', 'SkipLayerNorm', 'SkipRMSNorm']);

/** A norm (fused or not, possibly behind a Cast) reads this value: the norm rules turn that Add into a Skip*Norm. */
export function feedsNorm(g: GraphView, value: string, depth = 0): Node | undefined {
  for (const c of g.consumers(value)) {
    const onnx = c.domain === '' || c.domain === 'ai.onnx';
    if (c.domain === SOLDER_DOMAIN && SOLDER_NORMS.has(c.op)) return c;
    if (onnx && NORM_READERS.has(c.op)) return c;
    // The square an RMS norm averages: x * x, or Pow(x, 2).
    if (onnx && c.op === 'Mul' && c.inputs[0] === value && c.inputs[1] === value) return c;
    if (onnx && c.op === 'Pow' && c.inputs[0] === value && g.constant(c.inputs[1]!)?.data[0] === 2) return c;
    if (onnx && c.op === 'Cast' && depth === 0 && feedsNorm(g, c.outputs[0]!, 1) !== undefined) return c;
  }
  return undefined;
}

// Linear(x, W, b, act) + r -> Linear(x, W, b, act, residual=r), unless a norm reads the sum
export const linearResidual = rule({
  name: 'linear/fold-residual',
  root: 'Add',
  pattern: op('Add', linearNode(P.string), capture('r')),
  checks: [
    check('residual-keeps-shape', 'r', (m, g) => keepsShape(g.typeOf(m.node('linear').outputs[0]!)?.shape, g.typeOf(m.root.outputs[0]!)?.shape)),
    check('residual-is-not-the-projection', 'r', (m) => m.value('r') !== m.node('linear').outputs[0] || 'the Add doubles the projection'),
    // Skip(Layer|RMS)Norm takes this Add with the norm after it: leave it to the norm rules.
    check('sum-feeds-no-norm', 'r', (m, g) => {
      const norm = feedsNorm(g, m.root.outputs[0]!);
      return norm === undefined || `the sum feeds ${norm.op} '${norm.name}', which fuses the Add as its skip`;
    }),
  ],
  rewrite: (m) => ({
    nodes: [{
      op: 'Linear', domain: SOLDER_DOMAIN,
      inputs: linearInputs(m, m.value('r')),
      outputs: m.root.outputs,
      attrs: { activation: m.node('linear').attrs['activation'] },
    }],
    replaces: 'root',
  }),
});
