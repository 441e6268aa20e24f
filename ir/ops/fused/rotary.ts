// Op spec: solder::RotaryEmbedding, rotary position embedding on x [batch, heads, seq, head_dim].
//
// The first R = rotary_dim (0: the whole head) entries of each head are rotated, the rest
// pass through: out = x*cos + rotate(x)*sin, where
// - interleaved=0 (HF LLaMA's rotate_half): rotate(x) = cat(-x[R/2:R], x[:R/2]);
// - interleaved=1 (GPT-J's rotate_every_two): pairs (x[2i], x[2i+1]) -> (-x[2i+1], x[2i]).
// cos and sin hold R values per position (already duplicated for their pairing) and are
// [seq, R], [batch, seq, R] (HF's layout before its unsqueeze(1): NOT numpy-aligned), or
// rank 4 broadcastable to [batch, heads, seq, R] (usually [batch, 1, seq, R]).
import { attr } from '../../attrs.js';
import type { Dim } from '../../dim.js';
import { isKnown } from '../../dim.js';
import { type Node, SOLDER_DOMAIN } from '../../graph.js';
import { tensorType } from '../../types.js';
import { opError, shapeString } from '../shape-util.js';
import { defineOp } from '../spec.js';
import { dims4, floatInput, requireBroadcastsTo, requireFlag, requireRank } from './checks.js';

/** cos/sin dims as the rank-4 [batch, heads, seq, R] view the op broadcasts from. */
export function rotaryTableDims(shape: readonly Dim[]): Dim[] {
  if (shape.length === 2) return [1, 1, ...shape];
  if (shape.length === 3) return [shape[0]!, 1, shape[1]!, shape[2]!];
  return [...shape];
}

/** The rotated width: rotary_dim, or the head size when it is 0; checked even and within the head. */
export function rotaryWidth(node: Node, rotaryDim: number, headDim: Dim): Dim {
  const r = rotaryDim === 0 ? headDim : rotaryDim;
  if (isKnown(r) && (r <= 0 || r % 2 !== 0)) throw opError(node, `rotary_dim must be even and positive, found ${r}`);
  if (isKnown(r) && isKnown(headDim) && r > headDim) throw opError(node, `rotary_dim ${r} exceeds head_dim ${headDim}`);
  return r;
}

export const RotaryEmbedding = defineOp({
  domain: SOLDER_DOMAIN,
  name: 'RotaryEmbedding',
  inputs: [{ name: 'x' }, { name: 'cos' }, { name: 'sin' }],
  outputs: [{ name: 'output' }],
  attrs: { interleaved: attr.int.default(0), rotary_dim: attr.int.default(0) },
  doc: 'x*cos + rotate(x)*sin on the first rotary_dim entries of each head (rotate_half, or pairs when interleaved).',
  infer: (ctx) => {
    const { node } = ctx;
    requireFlag(node, 'interleaved', ctx.attrs.interleaved);
    if (ctx.attrs.rotary_dim < 0) throw opError(node, `rotary_dim must be >= 0, found ${ctx.attrs.rotary_dim}`);
    const x = floatInput(ctx, 0, 'x');
    requireRank(node, 'x', x.shape, [4]);
    const cos = floatInput(ctx, 1, 'cos');
    const sin = floatInput(ctx, 2, 'sin');
    for (const [what, t] of [['cos', cos], ['sin', sin]] as const) {
      if (t.dtype !== x.dtype) throw opError(node, `${what} is ${t.dtype}, x is ${x.dtype}`);
      requireRank(node, what, t.shape, [2, 3, 4]);
    }
    if (cos.shape !== undefined && sin.shape !== undefined && cos.shape.length !== sin.shape.length) {
      throw opError(node, `cos ${shapeString(cos.shape)} and sin ${shapeString(sin.shape)} differ in rank`);
    }
    if (x.shape === undefined) return [x];
    const [batch, heads, seq, headDim] = dims4(x.shape);
    const r = rotaryWidth(node, ctx.attrs.rotary_dim, headDim);
    for (const [what, t] of [['cos', cos], ['sin', sin]] as const) {
      if (t.shape !== undefined) requireBroadcastsTo(node, what, rotaryTableDims(t.shape), [batch, heads, seq, r]);
    }
    return [tensorType(x.dtype, x.shape)];
  },
});
