// torch's sdpa decomposition transposes k through a 3-D view: flatten [b, h, s, d] to
// [b*h, s, d], swap the last two axes, and view it back as [b, h, d, s]. That is kᵀ, and
// writing it as one Transpose lets the attention rules see q·kᵀ. The Reshape targets are
// often computed (Shape -> Slice -> Concat), so the checks read them as dims.
import { type Dim, dimMul } from '../../ir/dim.js';
import { rankIs } from '../checks.js';
import { capture, node, op } from '../pattern.js';
import { type Match, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { reshapeYields } from './shape-vectors.js';

function dimsOfK(m: Match, g: GraphView): readonly Dim[] | undefined {
  return g.typeOf(m.value('k'))?.shape;
}

function reshapeCheck(binding: string, wanted: (k: readonly Dim[]) => { input: readonly Dim[]; output: readonly Dim[] }) {
  return (m: Match, g: GraphView) => {
    const k = dimsOfK(m, g);
    if (k === undefined) return 'the shape of k is unknown';
    const { input, output } = wanted(k);
    return reshapeYields(g, m.node(binding), input, output);
  };
}

// Reshape(Transpose(Reshape(k, [b*h, s, d]), [0, 2, 1]), [b, h, d, s]) -> Transpose(k, [0, 1, 3, 2])
export const flattenedKeyTranspose = rule({
  name: 'attention/flattened-key-transpose',
  root: 'Reshape',
  pattern: node('unflatten', op('Reshape',
    op('Transpose', node('flatten', op('Reshape', capture('k'), capture('flatShape'))), { perm: [0, 2, 1] }),
    capture('unflatShape'))),
  checks: [
    rankIs('k', 4),
    check('flatten-merges-batch-and-heads', 'flatten', reshapeCheck('flatten', ([b, h, s, d]) => ({ input: [b!, h!, s!, d!], output: [dimMul(b!, h!), s!, d!] }))),
    check('unflatten-splits-them-back', 'unflatten', reshapeCheck('unflatten', ([b, h, s, d]) => ({ input: [dimMul(b!, h!), d!, s!], output: [b!, h!, d!, s!] }))),
  ],
  rewrite: (m) => ({
    nodes: [{ op: 'Transpose', inputs: [m.value('k')], outputs: m.root.outputs, attrs: { perm: { kind: 'ints', value: [0, 1, 3, 2] } } }],
    replaces: 'root',
  }),
  // The flattened view may feed other nodes too; they keep it, and stay correct.
  sharedIntermediates: 'keep',
});
