// Pieces the attention rules share: sub-patterns for kᵀ, the softmax with its optional
// casts and NaN guard, the additive mask terms, and the checks that go with each.
import { P } from 'ts-pattern';
import { type Dim, dimEq } from '../../ir/dim.js';
import { isFloat } from '../../ir/dtype.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { shapeEq } from '../../ir/types.js';
import { dimOf, rankIs } from '../checks.js';
import { capture, constant, node, op, oneOf, opt, type Pattern } from '../pattern.js';
import { type Check, type Match, check } from '../rule.js';
import type { GraphView } from '../working-graph.js';

/** kᵀ as exports hold it: Transpose(k, [0,1,3,2]), or taken straight from the [b, s, h, d] view. */
export function keyTransposed(): Pattern {
  return oneOf(
    op('Transpose', capture('k'), { perm: [0, 1, 3, 2] }),
    op('Transpose', capture('kView'), { perm: [0, 2, 3, 1] }),
  );
}

/** q·kᵀ, bound as node 'qk'. */
export function queryKey(q: Pattern = capture('q'), kT: Pattern = keyTransposed()): Pattern {
  return node('qk', op('MatMul', q, kT));
}

/** logits, then up to two additive terms (T5: position bias, then the mask), in either order. */
export function plusMasks(logits: Pattern): Pattern {
  return opt(node('maskAdd', op('Add', opt(node('biasAdd', op('Add', logits, capture('bias')))), capture('mask'))));
}

/**
 * Softmax over the last axis, plain first (so explain reports a wrong axis rather than a
 * missing wrapper), or inside an upcast/downcast pair (HF's fp32 softmax), either of them
 * under sdpa's guard Where(IsNaN(p), 0, p) (bound as node 'guard').
 */
export function probabilities(logits: Pattern): Pattern {
  const softmax = (input: Pattern) => node('softmax', op('Softmax', input, { axis: P.union(-1, 3) }));
  const unguarded = oneOf(softmax(logits), node('castBack', op('Cast', softmax(node('castUp', op('Cast', logits))))));
  return oneOf(unguarded, node('guard', op('Where', op('IsNaN', capture('probs')), constant('nanFill'), capture('probs', unguarded))));
}

/** The key as a capture name: 'k' when matched as [b, h, s, d], 'kView' when as [b, s, h, d]. */
export function keyName(m: Match): 'k' | 'kView' {
  return m.has('kView') ? 'kView' : 'k';
}

/** The additive mask terms a match bound, in the order they were added. */
export function maskTerms(m: Match): string[] {
  return ['bias', 'mask'].filter((t) => m.has(t)).map((t) => m.value(t));
}

/** A constant that, when it matched, holds one value (the rewrite folds it into `scale`). */
export function scalarIfBound(name: string): Check {
  return check(`${name}-is-scalar`, name, (m) => {
    if (!m.has(name)) return true;
    const t = m.constant(name);
    return (t.data.length === 1 && t.shape.length <= 4) || { found: `shape [${t.shape.join(', ')}]`, expected: 'a single value' };
  });
}

/** q, k and v are 4-D of one float dtype, and q and k share head_dim. */
export const QKV_CHECKS: readonly Check[] = [
  rankIs('q', 4), rankIs('v', 4),
  check('k-rank-4', 'q', (m, g) => rankIs(keyName(m), 4).test(m, g)),
  check('q-k-v-one-float-dtype', 'q', (m, g) => {
    const dtypes = ['q', keyName(m), 'v'].map((c) => g.typeOf(m.value(c))?.dtype);
    if (dtypes.some((d) => d === undefined)) return 'a dtype is unknown';
    return (new Set(dtypes).size === 1 && isFloat(dtypes[0]!)) || { found: dtypes.join(', '), expected: 'one float dtype' };
  }),
  check('q-k-same-head-dim', 'q', (m, g) => {
    const [dq, dk] = [dimOf(m, g, 'q', -1), dimOf(m, g, keyName(m), -1)];
    if (dq === undefined || dk === undefined) return 'a head_dim is unknown';
    return shapeEq([dq], [dk]) || { found: `${shapeString([dq])} vs ${shapeString([dk])}`, expected: 'equal head_dim' };
  }),
];

/** The mask terms broadcast onto the scores without growing them, and the softmax reads the q dtype. */
export const LOGITS_CHECKS: readonly Check[] = [
  // Each mask term broadcasts onto [b, h, q_seq, kv_seq] (from the types of q and k), or the
  // Adds' output is typed exactly like the scores (exports with unnamed dims).
  check('masks-fit-scores', 'qk', (m, g) => {
    const scores = g.typeOf(m.node('qk').outputs[0]!)?.shape;
    const logits = g.typeOf(logitsValue(m))?.shape;
    const fromQK = scoresFromQK(m, g);
    const broadcasts = fromQK !== undefined && maskTerms(m).every((t) => broadcastsOnto(g.typeOf(t)?.shape, fromQK));
    return broadcasts || (scores !== undefined && shapeEq(logits, scores)) || { found: shapeString(logits), expected: shapeString(scores) };
  }),
  check('logits-in-q-dtype', 'q', (m, g) => {
    const [dq, dl] = [g.typeOf(m.value('q'))?.dtype, g.typeOf(logitsValue(m))?.dtype];
    return (dq !== undefined && dq === dl) || { found: dl ?? 'unknown', expected: dq ?? 'the dtype of q' };
  }),
  check('upcast-to-wider-float', 'q', (m, g) => {
    if (!m.has('castUp')) return true;
    const to = g.typeOf(m.node('castUp').outputs[0]!)?.dtype;
    return to === 'float32' || to === 'float64' || { found: to ?? 'unknown', expected: 'float32 or float64' };
  }),
  check('nan-guard-fills-zero', 'guard', (m) => !m.has('guard') || m.scalar('nanFill') === 0 || { found: m.constant('nanFill').data[0], expected: 0 }),
];

/** [b, q_heads, q_seq, kv_seq] from the types of q and k. */
function scoresFromQK(m: Match, g: GraphView): Dim[] | undefined {
  const q = g.typeOf(m.value('q'))?.shape;
  const kvSeq = dimOf(m, g, keyName(m), keyName(m) === 'k' ? 2 : 1);
  return q?.length === 4 && kvSeq !== undefined ? [q[0]!, q[1]!, q[2]!, kvSeq] : undefined;
}

/** Numpy broadcasting of `shape` onto `target` that leaves `target` as it is. */
function broadcastsOnto(shape: readonly Dim[] | undefined, target: readonly Dim[]): boolean {
  if (shape === undefined || shape.length > target.length) return false;
  const offset = target.length - shape.length;
  return shape.every((d, i) => d === 1 || dimEq(d, target[offset + i]!));
}

/** The value the softmax normalises (before any upcast): scores, scaled and masked. */
function logitsValue(m: Match): string {
  const input = m.node('softmax').inputs[0]!;
  return m.has('castUp') ? m.node('castUp').inputs[0]! : input;
}

/** The root's output is [b, h, q, dv] in the dtype of q (so the fused node can take its place). */
export function outputLikeQ(): Check {
  return check('output-4d-in-q-dtype', 'v', (m, g: GraphView) => {
    const [out, q] = [g.typeOf(m.root.outputs[0]!), g.typeOf(m.value('q'))];
    const ok = out !== undefined && q !== undefined && out.dtype === q.dtype && (out.shape === undefined || out.shape.length === 4);
    return ok || { found: out === undefined ? 'unknown' : `${out.dtype}${shapeString(out.shape)}`, expected: `${q?.dtype ?? '?'} rank 4` };
  });
}
