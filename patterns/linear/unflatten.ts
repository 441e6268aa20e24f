// Conv1D-style projections (GPT-2's addmm) flatten x to rows, project, and restore the
// leading dims: Linear takes x of any rank, so the two Reshapes go and the activation that
// follows (on the restored shape) lands directly on the Linear.
import { P } from 'ts-pattern';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { shapeEq } from '../../ir/types.js';
import { any, node, op } from '../pattern.js';
import { check, rule } from '../rule.js';
import { type LinearCaptures, lastDim, linearInputs, linearNode, sameDim } from './linear-pattern.js';

/** The Linear reads the flattened rows. */
const ON_ROWS: LinearCaptures = { node: 'linear', x: 'rows', w: 'w', b: 'b' };

// Reshape(Linear(Reshape(x, [-1, K]), W, b), [..., N]) -> Linear(x, W, b)
export const unflattenLinear = rule({
  name: 'linear/unflatten',
  root: 'Reshape',
  pattern: op('Reshape', linearNode(P.string, ON_ROWS, node('flatten', op('Reshape', any(), any()))), any()),
  checks: [
    // The flattening must keep K last, so that each row of x is one row of the 2-D input.
    check('flattens-rows-of-K', 'flatten', (m, g) => {
      const source = m.node('flatten').inputs[0]!;
      const [rows, x] = [g.typeOf(m.value('rows'))?.shape, g.typeOf(source)?.shape];
      if (rows === undefined || x === undefined || x.length === 0) return 'a shape is unknown';
      return (rows.length === 2 && sameDim(rows[1], x[x.length - 1])) || { found: shapeString(rows), expected: `[rows, ${String(lastDim(g, source))}]` };
    }),
    check('restores-leading-dims', 'linear', (m, g) => {
      const x = g.typeOf(m.node('flatten').inputs[0]!)?.shape;
      const out = g.typeOf(m.root.outputs[0]!)?.shape;
      const n = lastDim(g, m.value('w'));
      if (x === undefined || out === undefined || n === undefined) return 'a shape is unknown';
      const want = [...x.slice(0, -1), n];
      return shapeEq(out, want) || { found: shapeString(out), expected: shapeString(want) };
    }),
  ],
  rewrite: (m, ctx) => {
    const [, ...rest] = linearInputs(m, '', ON_ROWS);
    return {
      nodes: [{
        op: 'Linear', domain: SOLDER_DOMAIN,
        inputs: [m.node('flatten').inputs[0]!, ...rest],
        outputs: m.root.outputs,
        attrs: { activation: m.node('linear').attrs['activation'] },
      }],
      replaces: 'root',
    };
  },
});
