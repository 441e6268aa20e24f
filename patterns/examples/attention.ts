// Example rule proving the engine on the eager attention cluster; the attention/ library
// grows from here (more exporter variants, Div-scaled scores, boolean masks).
import { P } from 'ts-pattern';
import { floatAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { dimOf, rankIs, sameDType, scalarNear } from '../checks.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { shapeEq } from '../../ir/types.js';
import { capture, constant, node, op } from '../pattern.js';
import { check, rule } from '../rule.js';

// Softmax(MatMul(q, kT) * s + mask) @ v -> Attention(q, k, v, mask, scale=s)
export const sdpaEager = rule({
  name: 'attention/eager-matmul-softmax',
  root: 'MatMul',
  pattern: op('MatMul',
    op('Softmax',
      node('masked', op('Add',
        node('scaled', op('Mul', op('MatMul', capture('q'), op('Transpose', capture('k'), { perm: [0, 1, 3, 2] })), constant('scale'))),
        capture('mask'))),
      { axis: P.union(-1, 3) }),
    capture('v')),
  checks: [
    rankIs('q', 4), rankIs('k', 4), rankIs('v', 4),
    sameDType('q', 'k', 'v'),
    // The mask must broadcast onto the scores without growing them (Attention's mask contract).
    check('mask-fits-scores', 'mask', (m, g) => {
      const [masked, scores] = [m.node('masked'), m.node('scaled')].map((n) => g.typeOf(n.outputs[0]!)?.shape);
      return shapeEq(masked, scores) || { found: shapeString(masked), expected: shapeString(scores) };
    }),
    scalarNear('scale-is-1/sqrt(head_dim)', 'scale', (m, g) => {
      const headDim = dimOf(m, g, 'q', -1);
      return typeof headDim === 'number' ? 1 / Math.sqrt(headDim) : undefined;
    }),
  ],
  rewrite: (m) => ({
    nodes: [{
      op: 'Attention', domain: SOLDER_DOMAIN,
      inputs: [m.value('q'), m.value('k'), m.value('v'), m.value('mask')],
      outputs: m.root.outputs,
      attrs: { scale: floatAttr(m.scalar('scale')!) },
    }],
    replaces: 'root',
  }),
});
