// The rewrite the softmax-cluster rules share: recover k as [b, h, s, d], sum the mask
// terms into one additive mask, emit solder::Attention, and keep sdpa's NaN guard exact.
import { type AttrValue, floatAttr, intAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import type { Match, NewNode, Replacement, RewriteContext } from '../rule.js';
import { maskCoverage, zeroFullyMaskedRows } from './masks.js';
import { maskTerms } from './parts.js';

/** solder::Attention's attributes. */
export function attentionAttrs(scale: number, causal = false): Record<'scale' | 'causal', AttrValue> {
  return { scale: floatAttr(scale), causal: intAttr(causal ? 1 : 0) };
}

export interface AttentionPlan {
  /** The softmax scale: the product of every scale the graph applies to q·kᵀ. */
  readonly scale: number;
  /** A Mul or Div the graph applied to the mask too (mask added before scaling), with its constant. */
  readonly maskScaledBy?: { readonly op: 'Mul' | 'Div'; readonly constant: string };
}

/** Attention(q, k, v, mask) in place of the matched cluster's root. */
export function emitAttention(m: Match, ctx: RewriteContext, plan: AttentionPlan): Replacement {
  const nodes: NewNode[] = [];
  const add = (n: NewNode) => {
    nodes.push(n);
    return n.outputs[0]!;
  };
  // Exports that transpose the [b, s, h, d] view straight to kᵀ never materialise k.
  const k = m.has('kView')
    ? add({ op: 'Transpose', inputs: [m.value('kView')], outputs: [ctx.fresh('k')], attrs: { perm: { kind: 'ints', value: [0, 2, 1, 3] } } })
    : m.value('k');
  const terms = maskTerms(m);
  let mask = terms.length === 2 ? add({ op: 'Add', inputs: [terms[0]!, terms[1]!], outputs: [ctx.fresh('mask')] }) : terms[0];
  if (mask !== undefined && plan.maskScaledBy !== undefined) {
    mask = add({ op: plan.maskScaledBy.op, inputs: [mask, plan.maskScaledBy.constant], outputs: [ctx.fresh('scaled_mask')] });
  }
  const out = m.root.outputs[0]!;
  // sdpa's Where(IsNaN(p), 0, p) turns fully masked rows into 0 where Attention gives NaN.
  const guarded = m.has('guard') && mask !== undefined && maskCoverage(ctx, mask) === 'unknown';
  const attention = guarded ? ctx.fresh('attention') : out;
  add({
    op: 'Attention', domain: SOLDER_DOMAIN,
    inputs: [m.value('q'), k, m.value('v'), ...(mask === undefined ? [] : [mask])],
    outputs: [attention],
    attrs: attentionAttrs(plan.scale),
  });
  if (guarded) nodes.push(...zeroFullyMaskedRows(ctx, mask!, attention, out, ctx.typeOf(m.value('q'))!.dtype));
  return { nodes, replaces: [out] };
}
