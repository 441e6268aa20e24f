// Direct float64 implementations of the movement ops on nested arrays, written
// independently of the kernels (no strides, no shared helpers), for the property tests.
export type Nested = number | Nested[];

/** Row-major flat values as nested arrays of the given shape. */
export function nest(flat: readonly number[], shape: readonly number[]): Nested {
  if (shape.length === 0) return flat[0]!;
  const [d, ...rest] = shape as [number, ...number[]];
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: d }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}

/** Nested arrays back to row-major flat values. */
export function flatten(n: Nested): number[] {
  return Array.isArray(n) ? n.flatMap(flatten) : [n];
}

function at(n: Nested, path: readonly number[]): number {
  let cur = n;
  for (const i of path) cur = (cur as Nested[])[i]!;
  return cur as number;
}

/** Builds a nested array of a shape from a function of the index path. */
function build(shape: readonly number[], value: (path: number[]) => number, path: number[] = []): Nested {
  if (path.length === shape.length) return value(path);
  return Array.from({ length: shape[path.length]! }, (_, i) => build(shape, value, [...path, i]));
}

export function referenceTranspose(x: Nested, shape: readonly number[], perm: readonly number[]): { shape: number[]; value: Nested } {
  const out = perm.map((p) => shape[p]!);
  return {
    shape: out,
    value: build(out, (path) => {
      const source = new Array<number>(shape.length);
      perm.forEach((p, i) => (source[p] = path[i]!));
      return at(x, source);
    }),
  };
}

/** numpy's take: indices may be negative. */
export function referenceGather(x: Nested, indices: Nested, axis: number): Nested {
  if (axis > 0) return (x as Nested[]).map((sub) => referenceGather(sub, indices, axis - 1));
  const rows = x as Nested[];
  const pick = (i: Nested): Nested => (Array.isArray(i) ? i.map(pick) : rows[i < 0 ? i + rows.length : i]!);
  return pick(indices);
}

export function referenceConcat(parts: readonly Nested[], axis: number): Nested {
  if (axis === 0) return parts.flatMap((p) => p as Nested[]);
  const first = parts[0] as Nested[];
  return first.map((_, i) => referenceConcat(parts.map((p) => (p as Nested[])[i]!), axis - 1));
}

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

/** Keeps, along each axis, the listed positions in order. */
export function referenceSelect(x: Nested, keep: readonly (readonly number[])[]): Nested {
  if (keep.length === 0) return x;
  const [here, ...rest] = keep as [readonly number[], ...(readonly number[])[]];
  return here.map((i) => referenceSelect((x as Nested[])[i]!, rest));
}
