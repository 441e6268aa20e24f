// Tensor dimensions: known sizes or symbolic polynomials over named symbols
// (`batch`, `seq`), closed under the arithmetic export shape subgraphs do.

/** A monomial is a sorted product of symbols, keyed as 'batch*seq'; '' is the constant term. */
type Poly = ReadonlyMap<string, number>;

export interface SymDim {
  readonly expr: string;
  readonly poly: Poly;
}

export type Dim = number | SymDim;

/** A dimension named by a single symbol. */
export function sym(name: string): SymDim {
  return { expr: name, poly: new Map([[name, 1]]) };
}

export function isKnown(d: Dim): d is number {
  return typeof d === 'number';
}

export function dimEq(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b || sameAsNumber(a, b);
  return a.expr === b.expr;
}

function sameAsNumber(a: Dim, b: Dim): boolean {
  const na = typeof a === 'number' ? a : constantOf(a);
  const nb = typeof b === 'number' ? b : constantOf(b);
  return na !== undefined && na === nb;
}

function constantOf(d: SymDim): number | undefined {
  if (d.poly.size === 0) return 0;
  if (d.poly.size === 1 && d.poly.has('')) return d.poly.get('');
  return undefined;
}

export function dimToString(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.expr;
}

export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const out = new Map(toPoly(a));
  for (const [m, c] of toPoly(b)) out.set(m, (out.get(m) ?? 0) + c);
  return fromPoly(out);
}

export function dimSub(a: Dim, b: Dim): Dim {
  return dimAdd(a, dimMul(b, -1));
}

export function dimMul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  // Every symbolic dim is already in normal form, and products start from 1.
  if (a === 1) return b;
  if (b === 1) return a;
  const out = new Map<string, number>();
  for (const [ma, ca] of toPoly(a)) {
    for (const [mb, cb] of toPoly(b)) {
      const m = mulMonomials(ma, mb);
      out.set(m, (out.get(m) ?? 0) + ca * cb);
    }
  }
  return fromPoly(out);
}

/** Exact division, or undefined when the quotient is not a polynomial with integer coefficients. */
export function dimDiv(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    return b !== 0 && a % b === 0 ? a / b : undefined;
  }
  const pb = toPoly(b);
  if (pb.size !== 1) return dimEq(a, b) ? 1 : undefined;
  const [mb, cb] = [...pb][0] as [string, number];
  const out = new Map<string, number>();
  for (const [ma, ca] of toPoly(a)) {
    const m = divMonomial(ma, mb);
    if (m === undefined || ca % cb !== 0) return undefined;
    out.set(m, ca / cb);
  }
  return fromPoly(out);
}

/** Product of dims, as the element count of a shape. */
export function dimProduct(dims: readonly Dim[]): Dim {
  // Known sizes are multiplied as numbers and join the polynomial once: each symbolic
  // product builds a polynomial, and shape inference takes thousands of products.
  let known = 1;
  let symbolic: Dim = 1;
  for (const d of dims) {
    if (typeof d === 'number') known *= d;
    else symbolic = dimMul(symbolic, d);
  }
  return dimMul(symbolic, known);
}

function toPoly(d: Dim): Poly {
  return typeof d === 'number' ? new Map(d === 0 ? [] : [['', d]]) : d.poly;
}

function fromPoly(p: Map<string, number>): Dim {
  for (const [m, c] of p) if (c === 0) p.delete(m);
  if (p.size === 0) return 0;
  if (p.size === 1 && p.has('')) return p.get('') ?? 0;
  const terms = [...p].sort(([a], [b]) => compareMonomials(a, b));
  const expr = terms.map(([m, c], i) => termToString(m, c, i === 0)).join('');
  return { expr, poly: new Map(terms) };
}

function termToString(m: string, c: number, first: boolean): string {
  const sign = c < 0 ? (first ? '-' : ' - ') : first ? '' : ' + ';
  const mag = Math.abs(c);
  if (m === '') return `${sign}${mag}`;
  return mag === 1 ? `${sign}${m}` : `${sign}${mag}*${m}`;
}

function compareMonomials(a: string, b: string): number {
  if (a === '') return 1;
  if (b === '') return -1;
  const da = a.split('*').length;
  const db = b.split('*').length;
  return da !== db ? db - da : a < b ? -1 : a > b ? 1 : 0;
}

function mulMonomials(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return [...a.split('*'), ...b.split('*')].sort().join('*');
}

function divMonomial(a: string, b: string): string | undefined {
  if (b === '') return a;
  const rest = a === '' ? [] : a.split('*');
  for (const s of b.split('*')) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return rest.join('*');
}
