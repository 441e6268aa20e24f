// MatMul against a constant [K, N] weight becomes solder::Linear, with the bias Add when one
// follows. A bare MatMul is fused too (llama has no biases), so that activations, gates and
// residuals always find a Linear to fold into.
import { isKnown } from '../../ir/dim.js';
import { type Node, SOLDER_DOMAIN } from '../../ir/graph.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { shapeEq } from '../../ir/types.js';
import { floatDType, rankIs } from '../checks.js';
import { capture, constant, node, op } from '../pattern.js';
import { type Check, type Match, type RewriteContext, check, decline, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { biasFits, biasVector, isPlainBias, lastDim } from './linear-pattern.js';

/** x has rank >= 2 (Linear's contract for these rules; a 1-D x is a vector-matrix product). */
export const xIsBatched: Check = check('x-rank>=2', 'x', (m, g) => {
  const rank = g.typeOf(m.value('x'))?.shape?.length;
  if (rank === undefined) return `the rank of '${m.value('x')}' is unknown`;
  return rank >= 2 || { found: rank, expected: '>= 2' };
});

/** Why the Add reading `projected` cannot take its other operand as the projection's bias, or undefined when it can. */
export function biasProblem(g: GraphView, add: Node, projected: string): string | undefined {
  const other = add.inputs[0] === projected ? add.inputs[1] : add.inputs[0];
  if (other === undefined || other === projected) return `'${add.name}' does not add a separate operand`;
  const t = g.constant(other);
  if (t === undefined) return `'${other}' is not a constant`;
  const fits = biasFits(t, lastDim(g, projected));
  if (fits !== true) return fits;
  const [before, after] = [g.typeOf(projected)?.shape, g.typeOf(add.outputs[0]!)?.shape];
  if (before === undefined || after === undefined) return 'a shape is unknown';
  if (!shapeEq(before, after)) return `the bias grows the output to ${shapeString(after)}`;
  return undefined;
}

/** The Add the MatMul-and-bias rule would fuse this projection with, if any. */
function biasAddAfter(g: GraphView, projected: string): Node | undefined {
  const readers = g.consumers(projected);
  const add = readers[0];
  if (readers.length !== 1 || g.isGraphOutput(projected) || add?.op !== 'Add' || add.domain !== '') return undefined;
  return biasProblem(g, add, projected) === undefined ? add : undefined;
}

/** The bias input of the new Linear: the constant itself, or a [N] copy when its layout differs. */
export function biasInput(m: Match, ctx: RewriteContext, constantName: string, n: number, scale = 1): string {
  const t = m.constant(constantName);
  return isPlainBias(t, n, scale) ? m.value(constantName) : ctx.initializer('bias', biasVector(t, n, scale));
}

// MatMul(x, W) + b -> Linear(x, W, b)
export const matmulAdd = rule({
  name: 'linear/matmul-add',
  root: 'Add',
  pattern: op('Add', node('mm', op('MatMul', capture('x'), constant('w'))), constant('b')),
  checks: [
    rankIs('w', 2),
    xIsBatched,
    floatDType('x'),
    check('b-is-a-bias', 'b', (m, g) => biasProblem(g, m.root, m.node('mm').outputs[0]!) ?? true),
  ],
  rewrite: (m, ctx) => {
    // The weight's width from its type: decoding its values (megabytes) here was a third of the fuse stage.
    const n = ctx.typeOf(m.value('w'))?.shape?.[1];
    if (n === undefined || !isKnown(n)) return decline(`the width of weight '${m.value('w')}' is unknown`);
    return {
      nodes: [{ op: 'Linear', domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('w'), biasInput(m, ctx, 'b', n)], outputs: m.root.outputs }],
      replaces: 'root',
    };
  },
});

// MatMul(x, W) -> Linear(x, W)
export const matmulBare = rule({
  name: 'linear/matmul',
  root: 'MatMul',
  pattern: op('MatMul', capture('x'), constant('w')),
  checks: [
    rankIs('w', 2),
    xIsBatched,
    floatDType('x'),
    // Left to linear/matmul-add, so that the MatMul and its bias become one Linear in one step.
    check('no-bias-add-follows', 'w', (m, g) => {
      const add = biasAddAfter(g, m.root.outputs[0]!);
      return add === undefined || `'${add.name}' adds a bias: linear/matmul-add fuses both`;
    }),
  ],
  rewrite: (m) => ({
    nodes: [{ op: 'Linear', domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('w')], outputs: m.root.outputs }],
    replaces: 'root',
  }),
});
