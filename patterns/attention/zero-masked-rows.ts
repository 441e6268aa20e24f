// A row guard after the fused node: Where(ReduceMax(keep, last axis), Attention(.., keep), 0)
// zeroes every query row whose bool keep-mask row holds no true, which is what ONNX's
// Attention and sdpa's NaN guard give and what fully_masked_rows='zero' says. Exact only
// without a causal band: a band can mask every key a mask row keeps, and the guard, reading
// the mask alone, would let such a row through (NaN) where 'zero' gives 0. Without one, the
// rows the guard zeroes are exactly the fully masked rows, whatever the node's
// fully_masked_rows made of them, and every other row is the node's own output. (Where's
// condition is bool, so the mask it takes the row maximum of is a bool keep-mask.)
import { stringAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { reductionAxes } from '../../ir/ops/reduce.js';
import { singleUse } from '../checks.js';
import { capture, constant, maybe, node, op, opIn } from '../pattern.js';
import { type Match, check, decline, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';

/** The guard's reduction: over the last axis of the keep-mask, keeping it as a [.., 1] column. */
function reducesLastAxisKept(m: Match, g: GraphView) {
  const rank = g.typeOf(m.value('keep'))?.shape?.length;
  if (rank === undefined || rank === 0) return { found: `keep-mask of rank ${rank ?? 'unknown'}`, expected: 'rank 1..4' };
  const { axes, keepdims, noop_with_empty_axes: noop } = g.attrValues(m.node('rowMax'));
  const inputAxes = m.has('axes') ? Array.from(m.constant('axes').data) : undefined;
  const reduced = reductionAxes(m.node('rowMax'), rank, Array.isArray(axes) ? axes as number[] : undefined, inputAxes, Number(noop));
  if (reduced === 'noop' || reduced.join() !== String(rank - 1)) return { found: `axes ${JSON.stringify(reduced)}`, expected: `[${rank - 1}]` };
  return keepdims === 1 || { found: `keepdims=${String(keepdims)}`, expected: 'keepdims=1' };
}

/** The fill is 0 in every element, and broadcasting it cannot grow the [b, h, q, d] output. */
function fillsZero(m: Match) {
  const t = m.constant('zero');
  if (t.shape.length > 4 || t.shape.some((d) => d !== 1)) return { found: `shape [${t.shape.join(', ')}]`, expected: 'a single element' };
  return t.data.every((x) => x === 0) || { found: t.data[0], expected: 0 };
}

// Where(ReduceMax(keep, [-1]), Attention(q, k, v, keep), 0) -> Attention(q, k, v, keep, fully_masked_rows='zero')
export const zeroMaskedRows = rule({
  name: 'attention/zero-masked-rows',
  root: 'Where',
  pattern: op('Where',
    node('rowMax', op('ReduceMax', capture('keep'), maybe(constant('axes')))),
    node('attn', opIn(SOLDER_DOMAIN, 'Attention', capture('q'), capture('k'), capture('v'), capture('keep'))),
    constant('zero')),
  checks: [
    check('row-max-over-last-axis', 'rowMax', reducesLastAxisKept),
    check('fills-zero', 'zero', fillsZero),
    singleUse('attn'),
  ],
  rewrite: (m, ctx) => {
    const attn = m.node('attn');
    if (ctx.attrValues(attn).causal === 1) return decline('the attention is causal: its band may mask every key a mask row keeps, a row the guard lets through as NaN');
    return {
      nodes: [{
        op: 'Attention', domain: SOLDER_DOMAIN,
        inputs: attn.inputs,
        outputs: m.root.outputs,
        attrs: { ...attn.attrs, fully_masked_rows: stringAttr('zero') },
      }],
      replaces: 'root',
    };
  },
  // The row maximum of a mask that several layers share may have other readers; they keep it.
  sharedIntermediates: 'keep',
});
