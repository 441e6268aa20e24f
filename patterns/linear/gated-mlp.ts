// The SwiGLU/GeGLU gate: two bias-free projections of one x, one through the activation,
// multiplied. It is matched in the canonical form the other linear rules leave it in: the
// activation already folded into the gate's Linear (linear/fold-silu, linear/fold-gelu).
import { P } from 'ts-pattern';
import { stringAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { GATE_ACTIVATIONS } from '../../ir/ops/fused/linear.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { shapeEq } from '../../ir/types.js';
import { absent, capture, node, op, opIn } from '../pattern.js';
import { check, rule } from '../rule.js';

const projection = (name: string, weight: string, activation: P.Pattern<unknown>) =>
  node(name, opIn(SOLDER_DOMAIN, 'Linear', capture('x'), capture(weight), absent(), absent(), { activation }));

// Linear(x, Wg, act) * Linear(x, Wu) -> GatedMLP(x, Wg, Wu, act)
export const gatedMlp = rule({
  name: 'linear/gated-mlp',
  root: 'Mul',
  pattern: op('Mul', projection('gate', 'wg', P.union(...GATE_ACTIVATIONS)), projection('up', 'wu', 'none')),
  checks: [
    check('same-weight-shapes', 'wu', (m, g) => {
      const [wg, wu] = [g.typeOf(m.value('wg'))?.shape, g.typeOf(m.value('wu'))?.shape];
      if (wg === undefined || wu === undefined) return 'a weight shape is unknown';
      return shapeEq(wg, wu) || { found: `${shapeString(wg)} and ${shapeString(wu)}`, expected: 'one [K, hidden] shape' };
    }),
  ],
  rewrite: (m, ctx) => ({
    nodes: [{
      op: 'GatedMLP', domain: SOLDER_DOMAIN,
      inputs: [m.value('x'), m.value('wg'), m.value('wu')],
      outputs: m.root.outputs,
      attrs: { activation: stringAttr(String(ctx.attrValues(m.node('gate'))['activation'])) },
    }],
    replaces: 'root',
  }),
});
