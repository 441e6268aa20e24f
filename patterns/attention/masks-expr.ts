// The element language of mask-building subgraphs: what one element of a value is, as a
// function of the mask's index variables. Integers are polynomials (ir/dim.ts) over index
// variables ('#b', '#h', '#i', '#j', each in [0, its axis size)) and symbolic dims, all of
// which are non-negative: that is what lets `GreaterOrEqual(arange, 0)` fold to true and
// `Equal(seq, -1)` to false. Constructors simplify as they build, so that equal functions
// written differently by different exporters end in the same expression.
import { type Dim, type SymDim, dimAdd, dimMul, dimSub } from '../../ir/dim.js';

export type Expr =
  | { readonly k: 'const'; readonly v: number }
  /** A symbolic integer (never a plain number: those are 'const'). */
  | { readonly k: 'int'; readonly d: SymDim }
  /** An element of a graph input (the attention_mask), at integer indices. */
  | { readonly k: 'read'; readonly value: string; readonly idx: readonly Expr[] }
  /** An element of a float value not looked through (T5's position bias). */
  | { readonly k: 'opaque'; readonly value: string; readonly idx: readonly Expr[] }
  /** An element of a constant no simple form was found for. */
  | { readonly k: 'table'; readonly value: string; readonly idx: readonly Expr[] }
  | { readonly k: 'ne0'; readonly x: Expr }
  | { readonly k: 'not'; readonly x: Expr }
  /** a <= b (integer a < b is written a <= b - 1), a == b. */
  | { readonly k: 'le' | 'eq'; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'and' | 'or'; readonly xs: readonly Expr[] }
  | { readonly k: 'where'; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  /** Float arithmetic kept as written. */
  | { readonly k: 'add' | 'sub' | 'mul' | 'max' | 'min'; readonly a: Expr; readonly b: Expr };

export const TRUE: Expr = { k: 'const', v: 1 };
export const FALSE: Expr = { k: 'const', v: 0 };

export function num(v: number): Expr {
  return { k: 'const', v };
}

export function fromDim(d: Dim): Expr {
  return typeof d === 'number' ? num(d) : { k: 'int', d };
}

/** The integer an expression is, when it is one (a whole constant or a polynomial). */
export function asDim(e: Expr): Dim | undefined {
  if (e.k === 'int') return e.d;
  return e.k === 'const' && Number.isInteger(e.v) ? e.v : undefined;
}

/** Every term non-negative: true for the index variables and dims it is made of. */
export function nonNegative(d: Dim): boolean {
  return typeof d === 'number' ? d >= 0 : [...d.poly.values()].every((c) => c >= 0);
}

export function isBoolValued(e: Expr): boolean {
  return e.k === 'ne0' || e.k === 'not' || e.k === 'le' || e.k === 'eq' || e.k === 'and' || e.k === 'or'
    || (e.k === 'const' && (e.v === 0 || e.v === 1));
}

/** A canonical string, for deduplication and equality. */
export function exprKey(e: Expr): string {
  switch (e.k) {
    case 'const': return String(e.v);
    case 'int': return `(${e.d.expr})`;
    case 'read': case 'opaque': case 'table': return `${e.k}:${e.value}[${e.idx.map(exprKey).join(',')}]`;
    case 'ne0': case 'not': return `${e.k}(${exprKey(e.x)})`;
    case 'and': case 'or': return `${e.k}(${e.xs.map(exprKey).join(',')})`;
    case 'where': return `where(${exprKey(e.c)},${exprKey(e.a)},${exprKey(e.b)})`;
    default: return `${e.k}(${exprKey(e.a)},${exprKey(e.b)})`;
  }
}

/** x != 0, as Cast(x, bool) computes it; already-boolean values stay as they are. */
export function ne0(x: Expr): Expr {
  if (x.k === 'const') return num(x.v !== 0 ? 1 : 0);
  return isBoolValued(x) ? x : { k: 'ne0', x };
}

export function not(x: Expr): Expr {
  if (x.k === 'const') return num(x.v === 0 ? 1 : 0);
  if (x.k === 'not') return x.x;
  const a = x.k === 'le' ? asDim(x.a) : undefined;
  const b = x.k === 'le' ? asDim(x.b) : undefined;
  // Over integers, not(a <= b) is b + 1 <= a.
  if (x.k === 'le' && a !== undefined && b !== undefined) return le(fromDim(dimAdd(b, 1)), x.a);
  return { k: 'not', x };
}

export function le(a: Expr, b: Expr): Expr {
  const da = asDim(a);
  const db = asDim(b);
  if (da !== undefined && db !== undefined) {
    if (nonNegative(dimSub(db, da))) return TRUE;
    if (nonNegative(dimSub(dimSub(da, db), 1))) return FALSE;
  }
  if (a.k === 'const' && b.k === 'const') return num(a.v <= b.v ? 1 : 0);
  return { k: 'le', a, b };
}

export function lt(a: Expr, b: Expr): Expr {
  const db = asDim(b);
  if (asDim(a) !== undefined && db !== undefined) return le(a, fromDim(dimSub(db, 1)));
  return not(le(b, a));
}

export function eq(a: Expr, b: Expr): Expr {
  const da = asDim(a);
  const db = asDim(b);
  if (da !== undefined && db !== undefined) {
    const diff = dimSub(da, db);
    if (diff === 0) return TRUE;
    if (nonNegative(dimSub(diff, 1)) || nonNegative(dimSub(dimMul(diff, -1), 1))) return FALSE;
  }
  if (a.k === 'const' && b.k === 'const') return num(a.v === b.v ? 1 : 0);
  return { k: 'eq', a, b };
}

export function and(...xs: Expr[]): Expr {
  return junction('and', xs);
}

export function or(...xs: Expr[]): Expr {
  return junction('or', xs);
}

function junction(k: 'and' | 'or', xs: readonly Expr[]): Expr {
  const [unit, zero] = k === 'and' ? [1, 0] : [0, 1];
  const terms = new Map<string, Expr>();
  for (const x of xs.flatMap((x) => (x.k === k ? x.xs : [ne0(x)]))) {
    if (x.k === 'const') {
      if ((x.v !== 0 ? 1 : 0) === zero) return num(zero);
      continue;
    }
    terms.set(exprKey(x), x);
  }
  const list = [...terms.values()];
  if (list.length === 0) return num(unit);
  return list.length === 1 ? list[0]! : { k, xs: list.sort((p, q) => (exprKey(p) < exprKey(q) ? -1 : 1)) };
}

export function where(c: Expr, a: Expr, b: Expr): Expr {
  const cond = ne0(c);
  if (cond.k === 'const') return cond.v !== 0 ? a : b;
  if (exprKey(a) === exprKey(b)) return a;
  if (cond.k === 'not') return where(cond.x, b, a);
  return { k: 'where', c: cond, a, b };
}

/** Integer arithmetic stays polynomial; anything else is kept as written. */
export function arith(k: 'add' | 'sub' | 'mul' | 'max' | 'min', a: Expr, b: Expr): Expr {
  const da = asDim(a);
  const db = asDim(b);
  if (da !== undefined && db !== undefined) {
    if (k === 'add') return fromDim(dimAdd(da, db));
    if (k === 'sub') return fromDim(dimSub(da, db));
    if (k === 'mul') return fromDim(dimMul(da, db));
    const aBelow = le(a, b);
    if (aBelow.k === 'const') return (aBelow.v !== 0) === (k === 'max') ? b : a;
  }
  if (a.k === 'const' && b.k === 'const') {
    const f = { add: (x: number, y: number) => x + y, sub: (x: number, y: number) => x - y, mul: (x: number, y: number) => x * y, max: Math.max, min: Math.min }[k];
    return num(f(a.v, b.v));
  }
  if (k === 'add' && a.k === 'const' && a.v === 0) return b;
  if ((k === 'add' || k === 'sub') && b.k === 'const' && b.v === 0) return a;
  return { k, a, b };
}
