// Example rules proving stacked rewrites: MatMul + bias -> Linear, then an activation folded
// into the Linear (the activation itself possibly fused by an earlier rule). The linear/
// library grows from here.
import { P } from 'ts-pattern';
import { stringAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { dimsEqual, rankIs } from '../checks.js';
import { absent, capture, maybe, op, opIn } from '../pattern.js';
import { rule } from '../rule.js';

// MatMul(x, W) + b -> Linear(x, W, b)
export const matmulBias = rule({
  name: 'linear/matmul-add',
  root: 'Add',
  pattern: op('Add', op('MatMul', capture('x'), capture('w')), capture('b')),
  checks: [
    rankIs('w', 2),
    rankIs('b', 1),
    dimsEqual('bias-is-[N]', ['b', 0], ['w', 1]),
  ],
  rewrite: (m) => ({
    nodes: [{ op: 'Linear', domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('w'), m.value('b')], outputs: m.root.outputs }],
    replaces: 'root',
  }),
});

// Gelu(Linear(x, W, b)) -> Linear(x, W, b, activation=gelu|gelu_tanh)
export const linearGelu = rule({
  name: 'linear/fold-gelu',
  root: 'Gelu',
  domain: SOLDER_DOMAIN,
  pattern: opIn(SOLDER_DOMAIN, 'Gelu',
    opIn(SOLDER_DOMAIN, 'Linear', capture('x'), capture('w'), maybe(capture('b')), absent(), { activation: 'none' }),
    { approximate: P.union('none', 'tanh') }),
  rewrite: (m, g) => ({
    nodes: [{
      op: 'Linear', domain: SOLDER_DOMAIN,
      inputs: [m.value('x'), m.value('w'), m.value('b')],
      outputs: m.root.outputs,
      attrs: { activation: stringAttr(g.attrValues(m.root)['approximate'] === 'tanh' ? 'gelu_tanh' : 'gelu') },
    }],
    replaces: 'root',
  }),
});
