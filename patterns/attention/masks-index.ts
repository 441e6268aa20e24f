// Index arithmetic for mask evaluation: broadcasting symbolic shapes, and moving between a
// flat position and per-axis indices (Reshape, Flatten, a Gather over a flattened mask),
// proving each remainder stays inside its axis so that the split is exact.
import { type Dim, dimAdd, dimDiv, dimEq, dimMul, dimSub, sym } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { NotAMask } from './masks-errors.js';
import { type Expr, asDim, fromDim, nonNegative } from './masks-expr.js';

/** Splits a flat position into indices of `dims`, proving each remainder lies in its axis. */
export function unravel(flat: Dim, dims: readonly Dim[], ranges: ReadonlyMap<string, Dim>): Expr[] {
  const out: Expr[] = [];
  let rest = flat;
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k]!;
    if (k === 0) {
      out.unshift(fromDim(rest));
      break;
    }
    const [q, r] = divMod(rest, d);
    if (!nonNegative(r) || !nonNegative(dimSub(dimSub(d, 1), upperBound(r, ranges)))) throw new NotAMask(`a reshape's position ${dimToExpr(flat)} does not split over [${dims.map(dimToExpr).join(', ')}]`);
    out.unshift(fromDim(r));
    rest = q;
  }
  return out;
}

/** The largest value a non-negative polynomial takes, each variable at its axis size - 1. */
function upperBound(d: Dim, ranges: ReadonlyMap<string, Dim>): Dim {
  if (typeof d === 'number') return d;
  let out: Dim = 0;
  for (const [m, c] of d.poly) {
    let term: Dim = c;
    for (const s of m === '' ? [] : m.split('*')) {
      const range = ranges.get(s);
      term = dimMul(term, range === undefined ? sym(s) : dimSub(range, 1));
    }
    out = dimAdd(out, term);
  }
  return out;
}

function dimToExpr(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.expr;
}

/** flat = q * d + r, with r the terms d does not divide. */
function divMod(flat: Dim, d: Dim): [Dim, Dim] {
  if (d === 1) return [flat, 0];
  let q: Dim = 0;
  let r: Dim = 0;
  const terms: [string, number][] = typeof flat === 'number' ? [['', flat]] : [...flat.poly];
  for (const [m, c] of terms) {
    const term = dimMul(c, m === '' ? 1 : m.split('*').map((s) => sym(s)).reduce<Dim>(dimMul, 1));
    const whole = typeof d === 'number' ? (c % d === 0 ? dimDiv(term, d) : undefined) : dimDiv(term, d);
    if (whole !== undefined) q = dimAdd(q, whole);
    else r = dimAdd(r, term);
  }
  return [q, r];
}

export function ravel(idx: readonly Expr[], dims: readonly Dim[]): Dim {
  let flat: Dim = 0;
  idx.forEach((e, k) => {
    const d = asDim(e);
    if (d === undefined) throw new NotAMask('a reshape is read at a non-integer position');
    flat = dimAdd(dimMul(flat, dims[k]!), d);
  });
  return flat;
}

export function broadcast(n: Node, shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, k) => {
    let out: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + k] ?? 1;
      if (d === 1) continue;
      if (out !== 1 && !dimEq(out, d)) throw new NotAMask(`${n.op} '${n.name}' broadcasts ${dimToExpr(out)} with ${dimToExpr(d)}, which may differ`);
      out = d;
    }
    return out;
  });
}

export function normalize(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function sliceStart(start: unknown, rank: number): number {
  const s = Number(start ?? 0);
  return Math.min(Math.max(s < 0 ? s + rank : s, 0), rank);
}

export function sliceEnd(end: unknown, rank: number): number {
  if (end === undefined) return rank;
  const e = Number(end);
  return Math.min(Math.max(e < 0 ? e + rank : e, 0), rank);
}
