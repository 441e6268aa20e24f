// Checks the norm rules share: a mean over a run of trailing dims, an epsilon that is one
// value, weights that fit the normalized dims, and compute-precision casts that only widen.
import { dimEq, dimToString } from '../../ir/dim.js';
import { type DType, isFloat } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import { reductionAxes } from '../../ir/ops/reduce.js';
import { type Check, type Match, check } from '../rule.js';
import type { GraphView } from '../working-graph.js';

/** The axes a bound ReduceMean names, from its attribute or its constant axes input. */
function namedAxes(m: Match, g: GraphView, mean: string, axesInput: string): { attr?: number[]; input?: number[] } {
  const attr = g.attrValues(m.node(mean))['axes'];
  return {
    ...(Array.isArray(attr) && attr.every((a) => typeof a === 'number') ? { attr } : {}),
    ...(m.has(axesInput) ? { input: Array.from(m.constant(axesInput).data) } : {}),
  };
}

/**
 * The (negative) axis from which a bound ReduceMean over `input` reduces every trailing dim
 * with keepdims, the norm ops' `axis`; or why it is not such a reduction.
 */
export function trailingAxisOf(m: Match, g: GraphView, mean: string, axesInput: string, input: string): number | string {
  const node = m.node(mean);
  const rank = g.typeOf(m.value(input))?.shape?.length;
  if (rank === undefined) return `the rank of '${m.value(input)}' is unknown`;
  const attrs = g.attrValues(node);
  if (attrs['keepdims'] !== 1) return `'${node.name}' drops the reduced dims (keepdims=${String(attrs['keepdims'])})`;
  const named = namedAxes(m, g, mean, axesInput);
  let axes: number[] | 'noop';
  try {
    axes = reductionAxes(node, rank, named.attr, named.input, Number(attrs['noop_with_empty_axes'] ?? 0));
  } catch (e) {
    if (e instanceof SolderError) return e.message;
    throw e;
  }
  if (axes === 'noop') return `'${node.name}' reduces nothing`;
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (!trailing) return `'${node.name}' reduces axes [${axes.join(', ')}] of a rank-${rank} tensor, not a run of trailing dims`;
  return axes[0]! - rank;
}

/** The bound ReduceMean reduces a run of trailing dims of `input`, keeping them. */
export function reducesTrailingDims(mean: string, axesInput: string, input: string): Check {
  return check(`${mean}-over-trailing-dims`, mean, (m, g) => {
    const axis = trailingAxisOf(m, g, mean, axesInput, input);
    return typeof axis === 'number' || axis;
  });
}

/** A norm's epsilon: one finite value, not negative. */
export function epsilonIsOneValue(eps: string): Check {
  return check('epsilon-is-one-value', eps, (m) => {
    const value = m.scalar(eps);
    if (value === undefined) return { found: `shape [${m.constant(eps).shape.join(', ')}]`, expected: 'a single value' };
    return (Number.isFinite(value) && value >= 0) || { found: value, expected: 'a finite value >= 0' };
  });
}

/** A weight or bias broadcasts onto the normalized dims of `input` (from `axis` on) without growing them. */
export function fitsNormalizedDims(name: string, input: string, axisOf: (m: Match, g: GraphView) => number | string): Check {
  return check(`${name}-fits-normalized-dims`, name, (m, g) => {
    if (!m.has(name)) return true;
    const axis = axisOf(m, g);
    if (typeof axis === 'string') return axis;
    const x = g.typeOf(m.value(input))?.shape;
    const w = g.typeOf(m.value(name))?.shape;
    if (x === undefined || w === undefined) return 'a shape is unknown';
    const inner = x.slice(axis < 0 ? x.length + axis : axis);
    const fits = w.length <= inner.length && w.every((d, i) => {
      const t = inner[inner.length - w.length + i]!;
      return d === 1 || dimEq(d, t);
    });
    return fits || { found: `shape [${w.map(dimToString).join(', ')}]`, expected: `a shape broadcasting onto the normalized dims (${inner.length} trailing)` };
  });
}

const PRECISION: Partial<Record<DType, number>> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };

/** Casts inside the cluster (bound nodes, when present) go to `input`'s dtype or a wider float. */
export function castsWiden(input: string, ...casts: string[]): Check {
  return check('casts-only-widen', input, (m, g) => {
    const from = g.typeOf(m.value(input))?.dtype;
    if (from === undefined) return `the dtype of '${m.value(input)}' is unknown`;
    for (const c of casts) {
      if (!m.has(c)) continue;
      const to = g.typeOf(m.node(c).outputs[0] ?? '')?.dtype;
      const widens = to !== undefined && isFloat(to) && (to === from || (PRECISION[to] ?? 0) > (PRECISION[from] ?? 4));
      if (!widens) return { found: `'${m.node(c).name}' casts ${from} to ${to ?? 'unknown'}`, expected: `a cast to ${from} or a wider float` };
    }
    return true;
  });
}
