// The body of a generated kernel: values computed at block indices. A value is loaded
// from a stored view, written as a literal, or recomputed from its producer (elementwise
// ops and index-remapping movement) inside the consumer's kernel, so chains fuse.
import { type Dim, dimAdd, isKnown } from '../../ir/dim.js';
import type { DType } from '../../ir/dtype.js';
import { isFloat } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { type Val, elementwiseCode, literal } from './elementwise.js';
import { rotary, trilu } from './emit-index.js';
import { MOVEMENT_OPS, type Movement } from './movement.js';
import { dataInputs } from './ops.js';
import { commentText } from './sanitize.js';
import type { Symbols } from './symbols.js';
import { type TensorSource, type View, contiguousStrides } from './views.js';

export type Form =
  | { readonly kind: 'stored'; readonly view: View }
  | { readonly kind: 'inline'; readonly node: Node; readonly output: number }
  | { readonly kind: 'literal'; readonly value: number; readonly dtype: DType }
  | { readonly kind: 'shape'; readonly dims: readonly Dim[]; readonly scalar: boolean; readonly dtype: DType };

/** What the emitter needs from the lowering: how each value is available, and its type. */
export interface ValueSource {
  readonly symbols: Symbols;
  form(value: string): Form;
  shape(value: string): readonly Dim[];
  dtype(value: string): DType;
  movement(node: Node, output: number): Movement;
}

/** One index of a value: code, and whether it varies across the block. */
export interface Idx {
  readonly code: string;
  readonly tile: boolean;
}

export const ZERO: Idx = { code: '0', tile: false };

export class KernelBody {
  readonly tensors = new Map<string, { param: string; source: TensorSource }>();
  readonly symbolParams = new Map<string, string>();
  readonly ops = new Set<string>();
  private lines: string[] = [];
  private memo = new Map<string, Val>();
  private counter = 0;
  indent = '    ';

  constructor(readonly src: ValueSource) {}

  tensor(source: TensorSource): string {
    const key = `${source.kind}:${source.name}`;
    let t = this.tensors.get(key);
    if (t === undefined) {
      t = { param: `t${this.tensors.size}`, source };
      this.tensors.set(key, t);
    }
    return t.param;
  }

  /** A dim as code over the kernel's int symbol parameters. */
  dim(d: Dim): string {
    return this.src.symbols.code(d, (s) => {
      let p = this.symbolParams.get(s);
      if (p === undefined) {
        p = `s${this.symbolParams.size}`;
        this.symbolParams.set(s, p);
      }
      return p;
    }, 'generated kernel');
  }

  line(code: string): void {
    this.lines.push(this.indent + code);
  }

  take(): string[] {
    const out = this.lines;
    this.lines = [];
    this.memo = new Map();
    return out;
  }

  fresh(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }

  bind(code: string, dtype: DType, tile: boolean): Val {
    if (/^[A-Za-z0-9_.]+$/.test(code)) return { code, dtype, tile };
    const name = this.fresh();
    this.line(`${name} = ${code}`);
    return { code: name, dtype, tile };
  }

  /** Row-major indices of `shape` from a flat index (dims of size 1 are always 0). */
  unflatten(flat: Idx, shape: readonly Dim[]): Idx[] {
    const strides = contiguousStrides(shape);
    return shape.map((d, i) => {
      if (d === 1) return ZERO;
      const stride = strides[i]!;
      let code = isKnown(stride) && stride === 1 ? flat.code : `(${flat.code}) // ${this.dim(stride)}`;
      if (shape.slice(0, i).some((x) => x !== 1)) code = `(${code}) % ${this.dim(d)}`;
      return this.bindIdx(code, flat.tile);
    });
  }

  /** The row-major flat index of indices into `shape`. */
  flatten(idx: readonly Idx[], shape: readonly Dim[]): Idx {
    const strides = contiguousStrides(shape);
    const terms: string[] = [];
    idx.forEach((ix, i) => {
      if (ix.code === '0' || shape[i] === 1) return;
      const stride = strides[i]!;
      terms.push(isKnown(stride) && stride === 1 ? ix.code : `${ix.code} * ${this.dim(stride)}`);
    });
    return { code: terms.length === 0 ? '0' : terms.join(' + '), tile: idx.some((ix) => ix.tile) };
  }

  bindIdx(code: string, tile: boolean): Idx {
    if (/^[A-Za-z0-9_]+$/.test(code)) return { code, tile };
    const name = this.fresh('i');
    this.line(`${name} = ${code}`);
    return { code: name, tile };
  }

  /** Loads or computes `value` at the given indices (one per dim); mask guards every load. */
  valueAt(value: string, idx: readonly Idx[], mask: string | undefined): Val {
    const key = `${value}|${idx.map((i) => i.code).join(',')}|${mask ?? ''}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const v = this.compute(value, idx, mask);
    this.memo.set(key, v);
    return v;
  }

  private compute(value: string, idx: readonly Idx[], mask: string | undefined): Val {
    const form = this.src.form(value);
    const dtype = this.src.dtype(value);
    switch (form.kind) {
      case 'literal': return { code: literal(form.value, form.dtype), dtype, tile: false };
      case 'shape': {
        if (form.scalar || form.dims.length === 1) return { code: this.dim(form.dims[0]!), dtype, tile: false };
        const i = idx[0] ?? ZERO;
        const code = form.dims.map((d, k) => [k, this.dim(d)] as const).reduceRight((acc, [k, d]) => (acc === '' ? d : `tl.where(${i.code} == ${k}, ${d}, ${acc})`), '');
        return this.bind(code, dtype, i.tile);
      }
      case 'stored': return this.load(form.view, idx, mask, dtype);
      case 'inline': return this.inline(form.node, form.output, idx, mask);
    }
  }

  private load(view: View, idx: readonly Idx[], mask: string | undefined, dtype: DType): Val {
    const t = this.tensor(view.source);
    const terms: string[] = [];
    if (!(isKnown(view.offset) && view.offset === 0)) terms.push(this.dim(view.offset));
    let tile = false;
    idx.forEach((ix, i) => {
      const stride = view.strides[i]!;
      if (ix.code === '0' || (isKnown(stride) && stride === 0)) return;
      tile ||= ix.tile;
      terms.push(isKnown(stride) && stride === 1 ? ix.code : `${ix.code} * ${this.dim(stride)}`);
    });
    const at = terms.length === 0 ? t : `${t} + (${terms.join(' + ')})`;
    const loaded = tile && mask !== undefined ? `tl.load(${at}, mask=${mask}, other=0)` : `tl.load(${at})`;
    return this.bind(isFloat(dtype) ? `${loaded}.to(tl.float32)` : loaded, dtype, tile);
  }

  private inline(node: Node, output: number, idx: readonly Idx[], mask: string | undefined): Val {
    this.ops.add(commentText(node.op));
    const outName = node.outputs[output]!;
    const outShape = this.src.shape(outName);
    const dtype = this.src.dtype(outName);
    if (node.op === 'RotaryEmbedding') return rotary(this, node, idx, mask);
    if (node.op === 'Trilu') return trilu(this, node, idx, mask, outShape);
    const category = node.op === 'Where' || !isMovement(node) ? 'elementwise' : 'movement';
    if (category === 'elementwise') {
      const args = dataInputs(node, 'elementwise').map((i) => {
        const name = node.inputs[i]!;
        return this.valueAt(name, broadcastIdx(idx, outShape, this.src.shape(name)), mask);
      });
      return this.bind(elementwiseCode(node, args, dtype), dtype, args.some((a) => a.tile));
    }
    return moveAt(this, node, this.src.movement(node, output), idx, mask, dtype);
  }
}

function isMovement(node: Node): boolean {
  return node.domain === '' && MOVEMENT_OPS.has(node.op);
}

/** Indices into an input that broadcasts (numpy rules) onto the output's shape. */
export function broadcastIdx(idx: readonly Idx[], out: readonly Dim[], input: readonly Dim[]): Idx[] {
  const pad = out.length - input.length;
  return input.map((d, j) => (d === 1 && out[pad + j] !== 1 ? ZERO : idx[pad + j] ?? ZERO));
}

export function and(mask: string | undefined, cond: string): string {
  return mask === undefined ? cond : `(${mask}) & (${cond})`;
}

function moveAt(k: KernelBody, node: Node, m: Movement, idx: readonly Idx[], mask: string | undefined, dtype: DType): Val {
  const input = node.inputs[0] ?? '';
  switch (m.kind) {
    case 'reshape': return k.valueAt(input, reshapeIdx(k, idx, m.out, m.from), mask);
    case 'transpose': {
      const inIdx: Idx[] = [];
      m.perm.forEach((p, i) => { inIdx[p] = idx[i]!; });
      return k.valueAt(input, inIdx, mask);
    }
    case 'expand': return k.valueAt(input, broadcastIdx(idx, m.out, k.src.shape(input)), mask);
    case 'slice': return k.valueAt(input, idx.map((ix, i) => {
      const [s, step] = [m.starts[i]!, m.steps[i]!];
      if (isKnown(s) && s === 0 && step === 1) return ix;
      const scaled = step === 1 ? ix.code : `${ix.code} * ${step}`;
      return k.bindIdx(isKnown(s) && s === 0 ? scaled : `${k.dim(s)} + ${scaled}`, ix.tile);
    }), mask);
    case 'concat': {
      const a = idx[m.axis]!;
      let start: Dim = 0;
      const parts = m.sizes.map((size, j) => {
        const lo = k.dim(start);
        const hi = k.dim(dimAdd(start, size));
        const local = isKnown(start) && start === 0 ? a : k.bindIdx(`${a.code} - ${lo}`, a.tile);
        const inside = `(${a.code} >= ${lo}) & (${a.code} < ${hi})`;
        const v = k.valueAt(node.inputs[j]!, idx.map((ix, i) => (i === m.axis ? local : ix)), and(mask, inside));
        start = dimAdd(start, size);
        return { v, hi };
      });
      const code = parts.slice(0, -1).reduceRight((acc, p) => `tl.where(${a.code} < ${p.hi}, ${p.v.code}, ${acc})`, parts[parts.length - 1]!.v.code);
      return k.bind(code, dtype, true);
    }
    case 'gather': {
      const ids = k.valueAt(node.inputs[1]!, idx.slice(m.axis, m.axis + m.indexRank), mask);
      const at = clampIndex(k, ids, m.axisSize);
      return k.valueAt(input, [...idx.slice(0, m.axis), at, ...idx.slice(m.axis + m.indexRank)], mask);
    }
    case 'gathernd': {
      const outer = idx.slice(0, idx.length - (m.dataShape.length - m.depth));
      const picked = Array.from({ length: m.depth }, (_, j) =>
        clampIndex(k, k.valueAt(node.inputs[1]!, [...outer, { code: String(j), tile: false }], mask), m.dataShape[j]!));
      return k.valueAt(input, [...picked, ...idx.slice(outer.length)], mask);
    }
    case 'range': {
      const i = idx[0] ?? ZERO;
      const step = isKnown(m.delta) && m.delta === 1 ? i.code : `${i.code} * ${k.dim(m.delta)}`;
      const code = isKnown(m.start) && m.start === 0 ? step : `${k.dim(m.start)} + ${step}`;
      return k.bind(isFloat(dtype) ? `(${code}).to(tl.float32)` : code, dtype, i.tile);
    }
    case 'fill': return { code: literal(m.value, dtype), dtype, tile: false };
  }
}

// Out-of-range ids read row 0 or the last row instead of memory past the table.
function clampIndex(k: KernelBody, ids: Val, size: Dim): Idx {
  const n = k.dim(size);
  const fixed = `tl.where(${ids.code} < 0, ${ids.code} + ${n}, ${ids.code})`;
  return k.bindIdx(`tl.minimum(tl.maximum(${fixed}, 0), ${n} - 1)`, ids.tile);
}

/** Indices into `from` for indices into `out`, where both hold the same elements in row-major order. */
function reshapeIdx(k: KernelBody, idx: readonly Idx[], out: readonly Dim[], from: readonly Dim[]): Idx[] {
  const squeeze = (s: readonly Dim[]) => s.filter((d) => d !== 1);
  const [a, b] = [squeeze(out), squeeze(from)];
  if (a.length === b.length && a.every((d, i) => dimEqual(d, b[i]!))) {
    const kept = idx.filter((_, i) => out[i] !== 1);
    let j = 0;
    return from.map((d) => (d === 1 ? ZERO : kept[j++]!));
  }
  let lead = 0;
  while (lead < out.length && lead < from.length && dimEqual(out[lead]!, from[lead]!)) lead++;
  const flat = k.flatten(idx.slice(lead), out.slice(lead));
  return [...idx.slice(0, lead), ...k.unflatten(flat, from.slice(lead))];
}

function dimEqual(a: Dim, b: Dim): boolean {
  return isKnown(a) || isKnown(b) ? a === b : a.expr === b.expr;
}
