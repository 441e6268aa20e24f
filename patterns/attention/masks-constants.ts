// Constants read at symbolic positions: torch.export folds HF's mask helpers into tables
// (an all-true `ge`, a lower-triangular `le`, GatherND's index tuples). Checking every
// element proves which simple function of the position a table is, for the static shape
// such graphs have: a constant, the position along one axis, or `p[a] <= p[c]`.
import type { Tensor } from '../../ir/tensor.js';
import { type Expr, le, num } from './masks-expr.js';

/** Tables larger than this are not classified (masks' tables are seq x seq). */
const MAX_ELEMENTS = 1 << 20;

export function constantElement(value: string, t: Tensor, idx: readonly Expr[]): Expr {
  const fixed = idx.map((e) => (e.k === 'const' ? e.v : undefined));
  const positions = slicePositions(t.shape, fixed);
  if (positions === undefined || positions.length === 0) return { k: 'table', value, idx };
  const at = (p: readonly number[]) => t.data[offsetOf(p, t.shape)]!;
  const first = at(positions[0]!);
  if (positions.every((p) => Object.is(at(p), first) || at(p) === first)) return num(first);
  const free = idx.flatMap((e, k) => (e.k === 'const' ? [] : [k]));
  for (const a of free) {
    if (positions.every((p) => at(p) === p[a])) return idx[a]!;
  }
  for (const a of free) {
    for (const c of free) {
      if (a !== c && positions.every((p) => at(p) === (p[a]! <= p[c]! ? 1 : 0))) return le(idx[a]!, idx[c]!);
    }
  }
  return { k: 'table', value, idx };
}

/** Every position of the shape whose fixed axes hold the given values. */
function slicePositions(shape: readonly number[], fixed: readonly (number | undefined)[]): number[][] | undefined {
  if (fixed.length !== shape.length) return undefined;
  let count = 1;
  for (let k = 0; k < shape.length; k++) {
    const f = fixed[k];
    if (f !== undefined && (f < 0 || f >= shape[k]!)) return undefined;
    count *= f === undefined ? shape[k]! : 1;
  }
  if (count > MAX_ELEMENTS) return undefined;
  let out: number[][] = [[]];
  for (let k = 0; k < shape.length; k++) {
    const f = fixed[k];
    const values = f === undefined ? Array.from({ length: shape[k]! }, (_, i) => i) : [f];
    out = out.flatMap((p) => values.map((i) => [...p, i]));
  }
  return out;
}

function offsetOf(p: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let k = 0; k < shape.length; k++) o = o * shape[k]! + p[k]!;
  return o;
}
