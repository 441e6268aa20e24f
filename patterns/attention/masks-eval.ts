// Symbolic evaluation of a mask-building subgraph: the shape of each value (symbolic dims)
// and one element of it as an Expr of the mask's index variables. Exporters spell HF's
// masks as Range/Unsqueeze/Expand/GatherND/Gather-over-Flatten/Reshape chains, or as
// folded constants (torch.export); evaluating them element-wise reduces every spelling to
// the same small formula (`am[#b, #j] != 0 and #j <= #i`), which masks-form.ts then reads.
// Anything not understood throws NotAMask; float values the mask only carries along (T5's
// position bias) are left opaque.
import { type Dim, dimAdd, dimDiv, dimProduct } from '../../ir/dim.js';
import { dtypeFromOnnx, isFloat } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import type { GraphView } from '../working-graph.js';
import { constantElement } from './masks-constants.js';
import { NotAMask } from './masks-errors.js';
import { broadcast, normalize, ravel, sliceEnd, sliceStart, unravel } from './masks-index.js';
import { type Expr, and, arith, asDim, eq, fromDim, le, lt, ne0, nonNegative, not, num, or, where } from './masks-expr.js';

export { NotAMask } from './masks-errors.js';

const FLOAT_LOOKED_THROUGH = new Set(['Where', 'Add', 'Expand', 'Cast', 'Identity']);
const SHAPED = new Set(['Shape', 'Range', 'Squeeze', 'Unsqueeze', 'Expand', 'Transpose', 'ConstantOfShape', 'Concat', 'Gather', 'GatherND', 'Flatten', 'Reshape', 'Cast']);
/** Ops whose values a mask never needs but whose broadcast shapes a bias's shape goes through. */
const BROADCAST_ONLY = new Set(['Div', 'Pow', 'Mod', 'Log', 'Exp', 'Abs', 'Neg', 'Sqrt', 'Floor', 'Ceil', 'Relu', 'Tanh', 'Sigmoid', 'Erf', 'IsNaN', 'IsInf']);
type Elementwise = (xs: readonly Expr[]) => Expr;
const ELEMENTWISE: Readonly<Record<string, Elementwise>> = {
  And: (x) => and(...x), Or: (x) => or(...x), Not: (x) => not(x[0]!), Identity: (x) => x[0]!,
  Equal: (x) => eq(x[0]!, x[1]!), Less: (x) => lt(x[0]!, x[1]!), LessOrEqual: (x) => le(x[0]!, x[1]!),
  Greater: (x) => lt(x[1]!, x[0]!), GreaterOrEqual: (x) => le(x[1]!, x[0]!),
  Where: (x) => where(x[0]!, x[1]!, x[2]!),
  Add: (x) => arith('add', x[0]!, x[1]!), Sub: (x) => arith('sub', x[0]!, x[1]!), Mul: (x) => arith('mul', x[0]!, x[1]!),
  Max: (x) => arith('max', x[0]!, x[1]!), Min: (x) => arith('min', x[0]!, x[1]!),
};

export class MaskEvaluator {
  private readonly shapes = new Map<string, Dim[]>();
  /** `ranges`: the size of each index variable's axis. */
  constructor(private readonly g: GraphView, private readonly ranges: ReadonlyMap<string, Dim>) {}

  /** The value's shape, computed through the cluster (inferred types say 'unk' past an Expand). */
  shape(v: string): Dim[] {
    let s = this.shapes.get(v);
    if (s === undefined) this.shapes.set(v, (s = this.computeShape(v)));
    return s;
  }

  /** The element of `v` at the given integer indices. */
  elem(v: string, idx: readonly Expr[]): Expr {
    const t = this.g.constant(v);
    if (t !== undefined) {
      // A float table (a folded position bias) is carried along like any float value.
      const e = constantElement(v, t, idx);
      return e.k === 'table' && isFloat(t.dtype) ? { k: 'opaque', value: v, idx } : e;
    }
    const p = this.opaqueOrNode(v);
    if (p === undefined) return { k: this.isFloat(v) ? 'opaque' : 'read', value: v, idx };
    const n = p;
    const a = this.g.attrValues(n);
    const at = (i: number, index: readonly Expr[]) => this.elem(n.inputs[i]!, this.broadcastIndex(n.inputs[i]!, index));
    switch (n.op) {
      case 'Cast': return this.castElement(n, idx);
      case 'Shape': {
        const dims = this.shape(n.inputs[0]!);
        return fromDim(dims[sliceStart(a.start, dims.length) + this.constIndex(idx[0]!, n)]!);
      }
      case 'Range': return arith('add', this.scalar(n.inputs[0]!), arith('mul', idx[0]!, this.scalar(n.inputs[2]!)));
      case 'Squeeze': case 'Unsqueeze': return this.elem(n.inputs[0]!, this.squeezeMap(n, idx));
      case 'Expand': return at(0, idx);
      case 'Transpose': return this.elem(n.inputs[0]!, (a.perm as number[]).map((_, k) => idx[(a.perm as number[]).indexOf(k)]!));
      case 'ConstantOfShape': return num(a.value === undefined ? 0 : (a.value as { data: ArrayLike<number> }).data[0]!);
      case 'Concat': return this.concatElement(n, Number(a.axis), idx);
      case 'Gather': return this.gatherElement(n, Number(a.axis), idx);
      case 'GatherND': return this.gatherNdElement(n, idx);
      case 'Reshape': case 'Flatten': return this.elem(n.inputs[0]!, unravel(ravel(idx, this.shape(v)), this.shape(n.inputs[0]!), this.ranges));
    }
    const f = ELEMENTWISE[n.op];
    if (f === undefined) throw new NotAMask(`${n.op} '${n.name}' is not understood in a mask`);
    return f(n.inputs.map((_, i) => at(i, idx)));
  }

  private opaqueOrNode(v: string): Node | undefined {
    const n = this.g.producer(v)?.node;
    if (n === undefined || n.domain !== '' || (this.isFloat(v) && !FLOAT_LOOKED_THROUGH.has(n.op))) return undefined;
    return n;
  }

  private isFloat(v: string): boolean {
    const t = this.g.typeOf(v);
    return t !== undefined && isFloat(t.dtype);
  }

  private computeShape(v: string): Dim[] {
    const t = this.g.constant(v);
    if (t !== undefined) return [...t.shape];
    // Shapes are followed through float values too (a bias's dims come from Shape/Range).
    const n = this.g.producer(v)?.node;
    const known = n !== undefined && n.domain === '' && (SHAPED.has(n.op) || BROADCAST_ONLY.has(n.op) || ELEMENTWISE[n.op] !== undefined);
    if (!known) {
      const s = this.g.typeOf(v)?.shape;
      if (s === undefined) throw new NotAMask(`the shape of '${v}' is unknown`);
      return [...s];
    }
    const a = this.g.attrValues(n);
    const input = (i: number) => this.shape(n.inputs[i]!);
    switch (n.op) {
      case 'Shape': {
        const rank = input(0).length;
        return [Math.max(0, sliceEnd(a.end, rank) - sliceStart(a.start, rank))];
      }
      case 'Range': {
        const [start, delta] = [this.scalar(n.inputs[0]!), this.scalar(n.inputs[2]!)];
        const limit = asDim(this.scalar(n.inputs[1]!));
        if (start.k !== 'const' || start.v !== 0 || delta.k !== 'const' || delta.v !== 1 || limit === undefined) {
          throw new NotAMask(`Range '${n.name}' is not 0 .. n by 1`);
        }
        return [limit];
      }
      case 'Squeeze': case 'Unsqueeze': return this.squeezedShape(n);
      case 'Expand': return broadcast(n, [input(0), this.shapeVector(n.inputs[1]!, n)]);
      case 'Transpose': return (a.perm as number[]).map((p) => input(0)[p]!);
      case 'ConstantOfShape': return this.shapeVector(n.inputs[0]!, n);
      case 'Concat': {
        const parts = n.inputs.map((_, i) => input(i));
        const axis = normalize(Number(a.axis), parts[0]!.length);
        return parts[0]!.map((d, k) => (k === axis ? parts.map((s) => s[k]!).reduce<Dim>(dimAdd, 0) : d));
      }
      case 'Gather': {
        const [data, indices] = [input(0), input(1)];
        const axis = normalize(Number(a.axis), data.length);
        return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
      }
      case 'GatherND': {
        const [data, indices] = [input(0), input(1)];
        const depth = indices[indices.length - 1];
        if (Number(a.batch_dims ?? 0) !== 0 || typeof depth !== 'number') throw new NotAMask(`GatherND '${n.name}' has batch dims or an unknown depth`);
        return [...indices.slice(0, -1), ...data.slice(depth)];
      }
      case 'Flatten': {
        const s = input(0);
        const axis = normalize(Number(a.axis ?? 1), s.length + 1);
        return [dimProduct(s.slice(0, axis)), dimProduct(s.slice(axis))];
      }
      case 'Reshape': return this.reshapeTarget(n);
      case 'Cast': return input(0);
    }
    return broadcast(n, n.inputs.map((_, i) => input(i)));
  }

  private castElement(n: Node, idx: readonly Expr[]): Expr {
    const to = dtypeFromOnnx(Number(this.g.attrValues(n).to));
    const from = this.g.typeOf(n.inputs[0]!)?.dtype;
    const x = this.elem(n.inputs[0]!, idx);
    if (to === 'bool') return ne0(x);
    // Integers and booleans keep their value in any wider type; float -> int truncates.
    if (from !== undefined && to !== undefined && (!isFloat(from) || isFloat(to)) && from !== 'string') return x;
    throw new NotAMask(`Cast '${n.name}' from ${from} to ${to} changes values`);
  }

  private concatElement(n: Node, axis: number, idx: readonly Expr[]): Expr {
    const k = normalize(axis, idx.length);
    let at = this.constIndex(idx[k]!, n);
    for (const part of n.inputs) {
      const size = this.shape(part)[k]!;
      if (typeof size !== 'number') throw new NotAMask(`Concat '${n.name}' joins parts of symbolic size`);
      if (at < size) return this.elem(part, idx.map((e, i) => (i === k ? num(at) : e)));
      at -= size;
    }
    throw new NotAMask(`Concat '${n.name}' is read out of range`);
  }

  private gatherElement(n: Node, axis: number, idx: readonly Expr[]): Expr {
    const data = this.shape(n.inputs[0]!);
    const k = normalize(axis, data.length);
    const rank = this.shape(n.inputs[1]!).length;
    const i = this.elem(n.inputs[1]!, idx.slice(k, k + rank));
    return this.elem(n.inputs[0]!, [...idx.slice(0, k), this.wrapIndex(i, data[k]!, n), ...idx.slice(k + rank)]);
  }

  private gatherNdElement(n: Node, idx: readonly Expr[]): Expr {
    const indices = this.shape(n.inputs[1]!);
    const depth = indices[indices.length - 1] as number;
    const data = this.shape(n.inputs[0]!);
    const outer = idx.slice(0, indices.length - 1);
    const tuple = Array.from({ length: depth }, (_, k) => this.wrapIndex(this.elem(n.inputs[1]!, [...outer, num(k)]), data[k]!, n));
    return this.elem(n.inputs[0]!, [...tuple, ...idx.slice(indices.length - 1)]);
  }

  /** Gather indices may be negative (counted from the end); ours must be proven non-negative. */
  private wrapIndex(i: Expr, size: Dim, n: Node): Expr {
    const d = asDim(i);
    if (d === undefined) throw new NotAMask(`${n.op} '${n.name}' gathers at a non-integer index`);
    if (typeof d === 'number' && d < 0) return fromDim(dimAdd(size, d));
    if (!nonNegative(d)) throw new NotAMask(`${n.op} '${n.name}' gathers at an index of unknown sign`);
    return i;
  }

  private squeezeMap(n: Node, idx: readonly Expr[]): Expr[] {
    const s = this.shape(n.inputs[0]!);
    if (n.op === 'Unsqueeze') {
      const axes = this.axesOf(n, idx.length);
      return idx.filter((_, k) => !axes.includes(k));
    }
    const axes = n.inputs[1] === undefined || n.inputs[1] === '' ? s.flatMap((d, k) => (d === 1 ? [k] : [])) : this.axesOf(n, s.length);
    const out = [...idx];
    for (const a of [...axes].sort((x, y) => x - y)) out.splice(a, 0, num(0));
    return out;
  }

  private squeezedShape(n: Node): Dim[] {
    const s = this.shape(n.inputs[0]!);
    if (n.op === 'Squeeze') {
      const axes = n.inputs[1] === undefined || n.inputs[1] === '' ? s.flatMap((d, k) => (d === 1 ? [k] : [])) : this.axesOf(n, s.length);
      if (axes.some((k) => s[k] !== 1)) throw new NotAMask(`Squeeze '${n.name}' removes an axis not known to be 1`);
      return s.filter((_, k) => !axes.includes(k));
    }
    const rank = s.length + this.g.constant(n.inputs[1]!)!.data.length;
    const axes = this.axesOf(n, rank);
    const out: Dim[] = [];
    let next = 0;
    for (let k = 0; k < rank; k++) out.push(axes.includes(k) ? 1 : s[next++]!);
    return out;
  }

  private axesOf(n: Node, rank: number): number[] {
    const t = n.inputs[1] === undefined || n.inputs[1] === '' ? undefined : this.g.constant(n.inputs[1]);
    if (t === undefined) throw new NotAMask(`${n.op} '${n.name}' has no constant axes`);
    return Array.from(t.data, (a) => normalize(a, rank));
  }

  private reshapeTarget(n: Node): Dim[] {
    const from = this.shape(n.inputs[0]!);
    const target = this.shapeVector(n.inputs[1]!, n, true);
    const copied = target.map((d, k) => (d === 0 && this.g.attrValues(n).allowzero !== 1 ? from[k]! : d));
    const unknown = copied.indexOf(-1);
    if (unknown < 0) return copied;
    const rest = dimDiv(dimProduct(from), dimProduct(copied.filter((_, k) => k !== unknown)));
    if (rest === undefined) throw new NotAMask(`Reshape '${n.name}' has a -1 that cannot be solved`);
    return copied.map((d, k) => (k === unknown ? rest : d));
  }

  /** A 1-D integer value (a shape) as dims; -1 is allowed only where Reshape allows it. */
  private shapeVector(v: string, n: Node, allowMinusOne = false): Dim[] {
    const [len] = this.shape(v);
    if (typeof len !== 'number') throw new NotAMask(`${n.op} '${n.name}' has a shape of unknown rank`);
    return Array.from({ length: len }, (_, k) => {
      const d = asDim(this.elem(v, [num(k)]));
      if (d === undefined || (!nonNegative(d) && !(allowMinusOne && d === -1))) throw new NotAMask(`${n.op} '${n.name}' has a shape not known to be sizes`);
      return d;
    });
  }

  private scalar(v: string): Expr {
    return this.elem(v, this.shape(v).map(() => num(0)));
  }

  private constIndex(e: Expr, n: Node): number {
    if (e.k !== 'const') throw new NotAMask(`${n.op} '${n.name}' is read at a symbolic position`);
    return e.v;
  }

  /** Index into an operand broadcast to `idx`'s rank: leading axes dropped, size-1 axes read at 0. */
  private broadcastIndex(v: string, idx: readonly Expr[]): Expr[] {
    const s = this.shape(v);
    return s.map((d, k) => (d === 1 ? num(0) : idx[idx.length - s.length + k]!));
  }
}

