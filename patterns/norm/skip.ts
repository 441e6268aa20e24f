// Skip variants: a norm of a residual sum, Norm(x + skip) -> SkipNorm(x, skip), taking the
// Add into the kernel. In pre-LN models the sum is also the next block's residual; the
// fused node then defines it as its second output (the rewrite replaces both values), so
// the Add goes either way.
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { dimEq } from '../../ir/dim.js';
import { sameDType } from '../checks.js';
import { capture, maybe, node, op, opIn } from '../pattern.js';
import { type Check, type Match, type Rule, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';

/** x has the sum's shape and skip broadcasts onto it: skip may not grow the sum. */
const skipBroadcastsOntoX: Check = check('skip-broadcasts-onto-x', 'skip', (m, g) => {
  const [x, skip, sum] = [m.value('x'), m.value('skip'), m.node('sum').outputs[0]!].map((v) => g.typeOf(v)?.shape);
  if (x === undefined || skip === undefined || sum === undefined) return 'a shape is unknown';
  const xIsSum = x.length === sum.length && x.every((d, i) => dimEq(d, sum[i]!));
  const fits = skip.length <= x.length && skip.every((d, i) => d === 1 || dimEq(d, x[x.length - skip.length + i]!));
  return (xIsSum && fits) || { found: `x [${x.length} dims], skip [${skip.length} dims] summing to [${sum.length} dims]`, expected: 'skip broadcasting onto x' };
});

/** A constant addend is a bias or a position table, not a residual; the Linear rules own biases. */
const skipIsComputed: Check = check('skip-is-not-a-constant', 'skip', (m, g) => !g.isConstant(m.value('skip')) || 'the addend is a constant');

/** The norm's weights are computed without the sum (the fused node will define the sum: it cannot also read it). */
const weightsIndependentOfSum: Check = check('weights-independent-of-the-sum', 'sum', (m, g) => {
  const sum = m.node('sum').outputs[0]!;
  const seen = new Set<string>();
  const pending = m.root.inputs.slice(1).filter((v) => v !== '');
  for (let v = pending.pop(); v !== undefined; v = pending.pop()) {
    if (v === sum) return 'a weight or bias is computed from the sum';
    if (seen.has(v)) continue;
    seen.add(v);
    pending.push(...(g.producer(v)?.node.inputs.filter((i) => i !== '') ?? []));
  }
  return true;
});

/** The sum's readers besides the norm (or a graph output), which the fused node must then feed. */
function sumReadElsewhere(m: Match, g: GraphView): boolean {
  const sum = m.node('sum').outputs[0]!;
  return g.isGraphOutput(sum) || g.consumers(sum).some((c) => c !== m.root);
}

function skipRule(name: string, norm: 'LayerNorm' | 'RMSNorm', hasBias: boolean): Rule {
  const params = hasBias ? [capture('w'), maybe(capture('b'))] : [capture('w')];
  return rule({
    name,
    root: norm,
    domain: SOLDER_DOMAIN,
    pattern: opIn(SOLDER_DOMAIN, norm, node('sum', op('Add', capture('x'), capture('skip'))), ...params),
    checks: [sameDType('x', 'skip'), skipBroadcastsOntoX, skipIsComputed, weightsIndependentOfSum],
    rewrite: (m, g) => {
      const out = m.root.outputs[0]!;
      const sum = m.node('sum').outputs[0]!;
      const keepSum = sumReadElsewhere(m, g);
      const weights = hasBias && m.has('b') ? [m.value('w'), m.value('b')] : [m.value('w')];
      return {
        nodes: [{
          op: `Skip${norm}`, domain: SOLDER_DOMAIN,
          inputs: [m.value('x'), m.value('skip'), ...weights],
          outputs: keepSum ? [out, sum] : [out],
          attrs: m.root.attrs,
        }],
        replaces: keepSum ? [out, sum] : 'root',
      };
    },
  });
}

// LayerNorm(x + skip, w, b) -> SkipLayerNorm(x, skip, w, b), and the sum when it is read elsewhere
export const skipLayerNorm = skipRule('norm/skip-layernorm', 'LayerNorm', true);
// RMSNorm(x + skip, w) -> SkipRMSNorm(x, skip, w), and the sum when it is read elsewhere
export const skipRmsNorm = skipRule('norm/skip-rmsnorm', 'RMSNorm', false);
