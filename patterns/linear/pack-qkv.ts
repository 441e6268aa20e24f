// QKV packing: the q, k and v projections of one x become one Linear with concatenated
// weights [K, Nq + Nk + Nv] and a Split, so that the backend reads x once.
//
// Ordering: the rule is rooted at solder::Attention and walks back to the projections, so it
// can only fire once attention fusion has matched (packing first would put a Split where the
// attention rules expect a projection). The walk passes the ops between a projection and the
// attention: head reshapes, transposes, GQA's repeat_kv (Unsqueeze/Expand/Reshape) and fused
// rotary embeddings; a projection not reached that way is left alone. The Attention and the
// ops on the walk stay (sharedIntermediates: 'keep'): only the three Linears are replaced, so
// the packed nodes' provenance also names the kept nodes the match passed through.
import { intAttr } from '../../ir/attrs.js';
import { type Initializer, SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Tensor, joinRows, makeTensor } from '../../ir/tensor.js';
import { absent, any, capture, constant, maybe, node, oneOf, op, opIn, type Pattern } from '../pattern.js';
import { type Match, check, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { trimmed } from './linear-pattern.js';

const ROLES = ['q', 'k', 'v'] as const;

/** How many layout ops may stand between a projection and the attention (repeat_kv after rotary after the head split is 6). */
const MAX_HOPS = 8;

const projection = (role: string) =>
  node(role, opIn(SOLDER_DOMAIN, 'Linear', capture('x'), constant(`w_${role}`), maybe(constant(`b_${role}`)), absent(), { activation: 'none' }));

/** The projection, or a layout op over a path to it. */
function pathTo(role: string): Pattern {
  const linear = projection(role);
  let path: Pattern = linear;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const inner = path;
    path = oneOf(
      linear,
      op('Reshape', inner, any()),
      op('Transpose', inner),
      op('Unsqueeze', inner, any()),
      op('Squeeze', inner, maybe(any())),
      op('Expand', inner, any()),
      opIn(SOLDER_DOMAIN, 'RotaryEmbedding', inner, any(), any()),
    );
  }
  return path;
}

/** Weights [K, Ni] side by side: [K, sum Ni]. */
export function concatColumns(parts: readonly Tensor[]): Tensor {
  const k = parts[0]!.shape[0]!;
  const widths = parts.map((t) => t.shape[1]!);
  const n = widths.reduce((a, b) => a + b, 0);
  return makeTensor(parts[0]!.dtype, [k, n], joinRows(parts.map((t) => t.data), widths, k, new Float64Array(k * n)));
}

/**
 * Weights [K, Ni] side by side as stored bytes: row r of the packed weight is row r of each
 * part, so copying byte rows is exact (no decode and re-encode of every element). Undefined
 * when a weight is not a stored initializer (a Constant node's value).
 */
function concatStoredColumns(parts: readonly (Initializer | undefined)[]): Uint8Array | undefined {
  if (parts.some((p) => p === undefined)) return undefined;
  const stored = parts as readonly Initializer[];
  const k = stored[0]!.shape[0]!;
  const rows = stored.map((p) => p.bytes.read());
  return joinRows(rows, rows.map((bytes) => bytes.byteLength / k), k, new Uint8Array(rows.reduce((a, b) => a + b.byteLength, 0)));
}

/** The packed bias, zeros standing in for a projection without one; undefined when none has a bias. */
function packedBias(m: Match, g: GraphView, widths: readonly number[]): Tensor | undefined {
  if (!ROLES.some((r) => m.has(`b_${r}`))) return undefined;
  const dtype = g.typeOf(m.value('w_q'))!.dtype;
  const parts = ROLES.map((r, i) => (m.has(`b_${r}`) ? m.constant(`b_${r}`) : makeTensor(dtype, [widths[i]!])));
  return makeTensor(dtype, [widths.reduce((a, b) => a + b, 0)], parts.flatMap((t) => [...t.data]));
}

// Attention(...Linear(x, Wq), ...Linear(x, Wk), ...Linear(x, Wv)) -> Split(Linear(x, [Wq Wk Wv]))
export const packQkv = rule({
  name: 'linear/pack-qkv',
  root: 'Attention',
  domain: SOLDER_DOMAIN,
  pattern: opIn(SOLDER_DOMAIN, 'Attention', pathTo('q'), pathTo('k'), pathTo('v'), maybe(any())),
  sharedIntermediates: 'keep',
  checks: [
    check('three-projections', 'v', (m) => new Set(ROLES.map((r) => m.node(r))).size === 3 || 'q, k and v share a projection'),
    // Types, not values: the weights are only read (as bytes) once every check has passed.
    check('weights-are-[K,N]', 'v', (m, g) => ROLES.every((r) => g.typeOf(m.value(`w_${r}`))?.shape?.length === 2) || 'a weight is not 2-D'),
    check('one-weight-dtype', 'v', (m, g) => {
      const dtypes = new Set(ROLES.map((r) => g.typeOf(m.value(`w_${r}`))?.dtype));
      return dtypes.size === 1 || { found: [...dtypes].join(', '), expected: 'one dtype' };
    }),
    check('biases-are-[N]', 'v', (m, g) => ROLES.every((r) => !m.has(`b_${r}`) || g.typeOf(m.value(`b_${r}`))?.shape?.length === 1) || 'a bias is not 1-D'),
  ],
  rewrite: (m, ctx) => {
    const weightTypes = ROLES.map((r) => ctx.typeOf(m.value(`w_${r}`))!);
    const widths = weightTypes.map((t) => t.shape![1] as number);
    const bias = packedBias(m, ctx, widths);
    const packed = ctx.fresh('qkv');
    const [k, dtype] = [weightTypes[0]!.shape![0] as number, weightTypes[0]!.dtype];
    const bytes = concatStoredColumns(ROLES.map((r) => ctx.storedConstant(m.value(`w_${r}`))));
    const weight = bytes === undefined
      ? ctx.initializer('w_qkv', concatColumns(ROLES.map((r) => m.constant(`w_${r}`))))
      : ctx.storedInitializer('w_qkv', dtype, [k, widths.reduce((a, b) => a + b, 0)], bytes);
    return {
      nodes: [
        {
          op: 'Linear', domain: SOLDER_DOMAIN,
          inputs: trimmed([m.value('x'), weight, bias === undefined ? '' : ctx.initializer('b_qkv', bias)]),
          outputs: [packed],
        },
        {
          op: 'Split',
          inputs: [packed, ctx.initializer('qkv_split', makeTensor('int64', [3], widths))],
          outputs: ROLES.map((r) => m.node(r).outputs[0]!),
          attrs: { axis: intAttr(-1) },
        },
      ],
      replaces: ROLES.map((r) => m.node(r).outputs[0]!),
    };
  },
});
