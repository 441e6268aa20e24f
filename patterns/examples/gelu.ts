// Example rule proving the engine on erf GELU as torch.onnx exports it (three commutative
// ops, three constants); the activation/ library grows from here.
import { stringAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { scalarNear } from '../checks.js';
import { capture, constant, op } from '../pattern.js';
import { rule } from '../rule.js';

// x * (Erf(x / c1) + c2) * c3 -> Gelu(x), with c1 = sqrt(2), c2 = 1, c3 = 0.5
export const geluErf = rule({
  name: 'activation/gelu-erf',
  root: 'Mul',
  pattern: op('Mul', op('Mul', capture('x'), op('Add', op('Erf', op('Div', capture('x'), constant('sqrt2'))), constant('one'))), constant('half')),
  checks: [
    scalarNear('divisor-is-sqrt(2)', 'sqrt2', () => Math.SQRT2, 1e-4),
    scalarNear('offset-is-1', 'one', () => 1, 1e-6),
    scalarNear('factor-is-0.5', 'half', () => 0.5, 1e-6),
  ],
  rewrite: (m) => ({
    nodes: [{ op: 'Gelu', domain: SOLDER_DOMAIN, inputs: [m.value('x')], outputs: m.root.outputs, attrs: { approximate: stringAttr('none') } }],
    replaces: 'root',
  }),
});
