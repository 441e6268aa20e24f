// Grouped-query attention: HF's repeat_kv copies each kv head `group` times before the
// attention (Unsqueeze at axis 2, Expand, Reshape to [b, h*group, s, d]), so q head i reads
// kv head floor(i / group), which is exactly what solder::Attention does with fewer kv
// heads. The copies go; the fused node reads the kv heads directly.
import { type Dim, dimEq, dimMul } from '../../ir/dim.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { any, capture, constant, maybe, node, op, opIn } from '../pattern.js';
import { type Match, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';

/** repeat_kv(x): Reshape(Expand(Unsqueeze(x, [2]), ..), ..), its nodes bound as `${x}Unsqueeze` etc. */
function repeatKv(x: string) {
  return node(`${x}Merge`, op('Reshape',
    node(`${x}Expand`, op('Expand', node(`${x}Unsqueeze`, op('Unsqueeze', capture(x), maybe(constant(`${x}Axes`)))), any())),
    any()));
}

/** The Unsqueeze inserts axis 2 and the Expand/Reshape shapes are [b, h, g, s, d] then [b, h*g, s, d]. */
function repeatsHeads(x: string) {
  return check(`${x}-repeat-kv-layout`, `${x}Merge`, (m: Match, g: GraphView) => {
    const axes = m.has(`${x}Axes`) ? Array.from(m.constant(`${x}Axes`).data) : g.attrValues(m.node(`${x}Unsqueeze`))['axes'];
    if (!Array.isArray(axes) || axes.length !== 1 || (axes[0] !== 2 && axes[0] !== -3)) {
      return { found: `Unsqueeze axes ${JSON.stringify(axes)}`, expected: 'axes [2]' };
    }
    const src = g.typeOf(m.value(x))?.shape;
    const expanded = g.typeOf(m.node(`${x}Expand`).outputs[0]!)?.shape;
    const merged = g.typeOf(m.node(`${x}Merge`).outputs[0]!)?.shape;
    if (src?.length !== 4 || expanded?.length !== 5 || merged?.length !== 4) return 'the shapes are unknown or of the wrong rank';
    const [b, h, s, d] = src as [Dim, Dim, Dim, Dim];
    const group = expanded[2]!;
    const want = { expanded: [b, h, group, s, d], merged: [b, dimMul(h, group), s, d] };
    const same = (a: readonly Dim[], w: readonly Dim[]) => a.every((dim, i) => dimEq(dim, w[i]!));
    if (!same(expanded, want.expanded)) return { found: shapeString(expanded), expected: shapeString(want.expanded) };
    return same(merged, want.merged) || { found: shapeString(merged), expected: shapeString(want.merged) };
  });
}

// Attention(q, repeat_kv(k), repeat_kv(v), mask) -> Attention(q, k, v, mask)
export const groupedQueryAttention = rule({
  name: 'attention/gqa-unrepeat-kv',
  root: 'Attention',
  domain: SOLDER_DOMAIN,
  pattern: opIn(SOLDER_DOMAIN, 'Attention', capture('q'), repeatKv('k'), repeatKv('v'), maybe(capture('mask'))),
  checks: [
    repeatsHeads('k'), repeatsHeads('v'),
    check('k-v-same-heads', 'k', (m, g) => {
      const [hk, hv] = [g.typeOf(m.value('k'))?.shape?.[1], g.typeOf(m.value('v'))?.shape?.[1]];
      return (hk !== undefined && hv !== undefined && dimEq(hk, hv)) || { found: `${shapeString(hk === undefined ? undefined : [hk])} vs ${shapeString(hv === undefined ? undefined : [hv])}`, expected: 'equal kv heads' };
    }),
  ],
  rewrite: (m) => ({
    nodes: [{
      op: 'Attention', domain: SOLDER_DOMAIN,
      inputs: [m.value('q'), m.value('k'), m.value('v'), ...(m.has('mask') ? [m.value('mask')] : [])],
      outputs: m.root.outputs,
      attrs: m.root.attrs,
    }],
    replaces: 'root',
  }),
  // The repeated copies may be read elsewhere (sdpa reads their Shape); those readers keep them.
  sharedIntermediates: 'keep',
});
