// Default-domain ONNX ops in plain float64, written for tests that check kernels and
// rewrites against an explicit composition: numpy broadcasting, coordinate by coordinate,
// no shortcuts, no reuse of the kernels under test.
import { type Tensor, makeTensor } from '../ir/tensor.js';
import type { DType } from '../ir/dtype.js';

export interface Nd {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function nd(shape: readonly number[], values: ArrayLike<number>): Nd {
  if (values.length !== size(shape)) throw new Error(`nd: ${values.length} values for [${shape}]`);
  return { shape: [...shape], data: Float64Array.from(values) };
}

export const fromTensor = (t: Tensor): Nd => nd(t.shape, t.data);
export const toTensor = (a: Nd, dtype: DType): Tensor => makeTensor(dtype, a.shape, a.data);

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1]! * shape[d + 1]!;
  return s;
}

/** The row-major coordinate of a flat index. */
export function coordOf(flat: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return c;
}

/** Reads `a` at one of its own coordinates. */
function readAt(a: Nd, coord: readonly number[]): number {
  let off = 0;
  a.shape.forEach((d, i) => { off = off * d + coord[i]!; });
  return a.data[off]!;
}

/** Reads `a` at a coordinate of a (right-aligned) broadcast target. */
function readBroadcast(a: Nd, coord: readonly number[]): number {
  const st = strides(a.shape);
  const lead = coord.length - a.shape.length;
  let off = 0;
  a.shape.forEach((d, i) => { off += (d === 1 ? 0 : coord[lead + i]!) * st[i]!; });
  return a.data[off]!;
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1).filter((d) => d !== 1);
    if (new Set(dims).size > 1) throw new Error(`cannot broadcast ${shapes.map((s) => `[${s}]`).join(' ')}`);
    return dims[0] ?? 1;
  });
}

export function binary(a: Nd, b: Nd, fn: (x: number, y: number) => number): Nd {
  const shape = broadcastShape(a.shape, b.shape);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const c = coordOf(i, shape);
    data[i] = fn(readBroadcast(a, c), readBroadcast(b, c));
  }
  return { shape, data };
}

export const add = (a: Nd, b: Nd) => binary(a, b, (x, y) => x + y);
export const sub = (a: Nd, b: Nd) => binary(a, b, (x, y) => x - y);
export const mul = (a: Nd, b: Nd) => binary(a, b, (x, y) => x * y);
export const div = (a: Nd, b: Nd) => binary(a, b, (x, y) => x / y);
export const scalar = (v: number): Nd => nd([], [v]);
export const map = (a: Nd, fn: (x: number) => number): Nd => ({ shape: a.shape, data: a.data.map(fn) });

/** Where(cond, a, b) with cond read as nonzero = true. */
export function where(cond: Nd, a: Nd, b: Nd): Nd {
  const shape = broadcastShape(cond.shape, a.shape, b.shape);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const c = coordOf(i, shape);
    data[i] = readBroadcast(cond, c) !== 0 ? readBroadcast(a, c) : readBroadcast(b, c);
  }
  return { shape, data };
}

export function transpose(a: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => a.shape[p]!);
  const st = strides(a.shape);
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) {
    const c = coordOf(i, shape);
    data[i] = a.data[c.reduce((off, ci, d) => off + ci * st[perm[d]!]!, 0)]!;
  }
  return { shape, data };
}

/** MatMul of rank >= 2 operands with broadcast batch dims. */
export function matmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) throw new Error(`matmul: K ${k} vs ${k2}`);
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const c = coordOf(i, shape);
    const [row, col] = c.slice(-2) as [number, number];
    let acc = 0;
    for (let j = 0; j < k; j++) {
      acc += readBroadcast(a, [...c.slice(0, -2), row, j]) * readBroadcast(b, [...c.slice(0, -2), j, col]);
    }
    data[i] = acc;
  }
  return { shape, data };
}

/** Reduces the trailing dims from `axis` on, keeping them as 1s. */
export function reduceTrailing(a: Nd, axis: number, fn: (values: number[]) => number): Nd {
  const inner = size(a.shape.slice(axis));
  const shape = [...a.shape.slice(0, axis), ...a.shape.slice(axis).map(() => 1)];
  const data = new Float64Array(a.data.length / inner);
  for (let r = 0; r < data.length; r++) data[r] = fn(Array.from(a.data.subarray(r * inner, (r + 1) * inner)));
  return { shape, data };
}

export const reduceMean = (a: Nd, axis: number) => reduceTrailing(a, axis, (v) => v.reduce((x, y) => x + y, 0) / v.length);

export function softmaxLast(a: Nd): Nd {
  const last = a.shape.length - 1;
  const max = reduceTrailing(a, last, (v) => Math.max(...v));
  const e = map(sub(a, max), Math.exp);
  return div(e, reduceTrailing(e, last, (v) => v.reduce((x, y) => x + y, 0)));
}

/** numpy's take along `axis`: indices may be negative. */
export function gather(a: Nd, indices: Nd, axis: number): Nd {
  const shape = [...a.shape.slice(0, axis), ...indices.shape, ...a.shape.slice(axis + 1)];
  const data = new Float64Array(size(shape));
  const span = indices.shape.length;
  for (let i = 0; i < data.length; i++) {
    const c = coordOf(i, shape);
    const at = readAt(indices, c.slice(axis, axis + span));
    data[i] = readAt(a, [...c.slice(0, axis), at < 0 ? at + a.shape[axis]! : at, ...c.slice(axis + span)]);
  }
  return { shape, data };
}

/** Concat along `axis`. */
export function concat(parts: readonly Nd[], axis: number): Nd {
  const shape = parts[0]!.shape.map((d, i) => (i === axis ? parts.reduce((acc, p) => acc + p.shape[axis]!, 0) : d));
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const c = coordOf(i, shape);
    let part = 0;
    let at = c[axis]!;
    while (at >= parts[part]!.shape[axis]!) at -= parts[part++]!.shape[axis]!;
    data[i] = readAt(parts[part]!, [...c.slice(0, axis), at, ...c.slice(axis + 1)]);
  }
  return { shape, data };
}

export const concatLast = (parts: readonly Nd[]): Nd => concat(parts, parts[0]!.shape.length - 1);

/** Keeps, along each axis d, the positions keep[d] in their order. */
export function select(a: Nd, keep: readonly (readonly number[])[]): Nd {
  const shape = keep.map((k) => k.length);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = readAt(a, coordOf(i, shape).map((ci, d) => keep[d]![ci]!));
  return { shape, data };
}

const positions = (start: number, end: number) => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);

/** Slice [start, end) along the last axis. */
export const sliceLast = (a: Nd, start: number, end: number): Nd =>
  select(a, a.shape.map((d, i) => (i === a.shape.length - 1 ? positions(start, end) : positions(0, d))));

/**
 * The positions x[start:end:step] visits in a list of length n, as the ONNX spec (and
 * onnxruntime) define it: like Python, except that with a negative step a start before
 * the first element is clamped to it rather than giving an empty slice.
 */
export function onnxSliceIndices(n: number, start: number, end: number, step: number): number[] {
  const norm = (v: number) => (v < 0 ? v + n : v);
  const out: number[] = [];
  if (step > 0) {
    for (let i = Math.max(norm(start), 0); i < Math.min(norm(end), n); i += step) out.push(i);
  } else {
    for (let i = Math.min(Math.max(norm(start), 0), n - 1); i > Math.max(norm(end), -1); i += step) out.push(i);
  }
  return out;
}

export const reshape = (a: Nd, shape: readonly number[]): Nd => nd(shape, a.data);

/** Expand to a broadcast target shape. */
export const expand = (a: Nd, shape: readonly number[]): Nd => binary(a, nd(shape, new Float64Array(size(shape))), (x) => x);

/** erf by composite Simpson quadrature of 2/sqrt(pi) e^(-t²), independent of the kernels' series. */
export function erfByQuadrature(x: number): number {
  const steps = 2000;
  const h = x / steps;
  let acc = 0;
  for (let i = 0; i <= steps; i++) {
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    acc += w * Math.exp(-((i * h) ** 2));
  }
  return ((acc * h) / 3) * (2 / Math.sqrt(Math.PI));
}

/** mulberry32: a deterministic stream of uniform values in [0, 1) from a 32-bit seed. */
export function uniformStream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic stream of values in [-range, range] that are never exactly zero. */
export function values(seed: number, count: number, range = 2): number[] {
  const next = uniformStream(seed >>> 0 || 1);
  return Array.from({ length: count }, () => ((next() * 2 - 1) * range) || range / 7);
}

/** Max |actual - expected| relative to tolerance; NaN must meet NaN. Returns a message, or undefined when close. */
export function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return `element ${i}: ${a} vs ${e}`;
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return `element ${i}: ${a} vs ${e} (diff ${Math.abs(a - e)})`;
  }
  return undefined;
}
