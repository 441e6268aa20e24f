// HF LLaMA's rotary embedding, x*cos + rotate_half(x)*sin with rotate_half(x) =
// cat(-x[..., d/2:], x[..., :d/2]). The cos/sin tables (computed in-graph from position ids)
// are taken as they are; a table whose rank RotaryEmbedding reads differently from numpy
// broadcasting gets an Unsqueeze in front.
import { intAttr } from '../../ir/attrs.js';
import { isKnown } from '../../ir/dim.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { dimOf, floatDType, rankIs } from '../checks.js';
import { capture, constant, maybe, node, op } from '../pattern.js';
import { type Check, type Match, type NewNode, type RewriteContext, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { keepsShape } from '../linear/linear-pattern.js';

/** Slice(x, start, end, axes, steps?) with every argument captured under `prefix`. */
const half = (prefix: string) =>
  node(prefix, op('Slice', capture('x'), constant(`${prefix}_start`), constant(`${prefix}_end`), constant(`${prefix}_axes`), maybe(constant(`${prefix}_steps`))));

/** The head size, when x is rank 4 with a known, even last dim. */
function headDim(m: Match, g: GraphView): number | undefined {
  const d = dimOf(m, g, 'x', -1);
  return d !== undefined && isKnown(d) && d % 2 === 0 && g.typeOf(m.value('x'))?.shape?.length === 4 ? d : undefined;
}

/** One slice takes [from, to) of the head's last axis, with step 1 (ends clamp as ONNX clamps them). */
function sliceTakes(prefix: string, what: string, range: (d: number) => readonly [number, number]): Check {
  return check(`${prefix}-takes-${what}`, prefix, (m, g) => {
    const d = headDim(m, g);
    if (d === undefined) return { found: String(dimOf(m, g, 'x', -1) ?? 'unknown'), expected: 'a known, even head size on a rank-4 x' };
    const one = (name: string) => m.scalar(name);
    const axis = one(`${prefix}_axes`);
    const step = m.has(`${prefix}_steps`) ? one(`${prefix}_steps`) : 1;
    if (axis !== 3 && axis !== -1) return { found: `axes ${String(axis)}`, expected: 'the last axis' };
    if (step !== 1) return { found: `steps ${String(step)}`, expected: 1 };
    const clamp = (v: number | undefined) => (v === undefined ? undefined : Math.min(Math.max(v < 0 ? v + d : v, 0), d));
    const found = [clamp(one(`${prefix}_start`)), clamp(one(`${prefix}_end`))];
    const want = range(d);
    return (found[0] === want[0] && found[1] === want[1]) || { found: `[${found.join(', ')})`, expected: `[${want.join(', ')})` };
  });
}

/** The table as RotaryEmbedding must see it: ranks 2 and 4 read like numpy broadcasting, the others need leading 1s. */
function tableInput(m: Match, ctx: RewriteContext, name: string, aligned: boolean, extra: NewNode[]): string {
  const value = m.value(name);
  if (aligned) return value;
  const rank = ctx.typeOf(value)!.shape!.length;
  const axes = Array.from({ length: 4 - rank }, (_, i) => i);
  const out = ctx.fresh(`${name}_4d`);
  extra.push({ op: 'Unsqueeze', inputs: [value, ctx.initializer(`${name}_axes`, makeTensor('int64', [axes.length], axes))], outputs: [out] });
  return out;
}

// x * cos + Concat(-x[..., d/2:], x[..., :d/2]) * sin -> RotaryEmbedding(x, cos, sin)
export const rotateHalf = rule({
  name: 'rotary/rotate-half',
  root: 'Add',
  pattern: op('Add',
    node('xcos', op('Mul', capture('x'), capture('cos'))),
    node('rsin', op('Mul', node('rotated', op('Concat', op('Neg', half('hi')), half('lo'))), capture('sin')))),
  checks: [
    rankIs('x', 4),
    floatDType('x'),
    sliceTakes('lo', 'first-half', (d) => [0, d / 2]),
    sliceTakes('hi', 'second-half', (d) => [d / 2, d]),
    check('concat-on-last-axis', 'rotated', (m, g) => {
      const axis = g.attrValues(m.node('rotated'))['axis'];
      return axis === 3 || axis === -1 || { found: axis, expected: 'the last axis' };
    }),
    check('cos-keeps-x-shape', 'cos', (m, g) => keepsShapeOf(m, g, 'xcos')),
    check('sin-keeps-x-shape', 'sin', (m, g) => keepsShapeOf(m, g, 'rsin')),
  ],
  rewrite: (m, ctx) => {
    const ranks = ['cos', 'sin'].map((t) => ctx.typeOf(m.value(t))!.shape!.length);
    const aligned = ranks[0] === ranks[1] && (ranks[0] === 2 || ranks[0] === 4);
    const extra: NewNode[] = [];
    const cos = tableInput(m, ctx, 'cos', aligned, extra);
    const sin = tableInput(m, ctx, 'sin', aligned, extra);
    return {
      nodes: [...extra, { op: 'RotaryEmbedding', domain: SOLDER_DOMAIN, inputs: [m.value('x'), cos, sin], outputs: m.root.outputs, attrs: { interleaved: intAttr(0) } }],
      replaces: 'root',
    };
  },
});

/** A Mul of the cluster keeps x's shape: its table broadcasts onto x without growing it. */
function keepsShapeOf(m: Match, g: GraphView, mul: string) {
  return keepsShape(g.typeOf(m.value('x'))?.shape, g.typeOf(m.node(mul).outputs[0]!)?.shape);
}
