// Stored tensors and the free views of them: a plan tensor (buffer, input, output or weight)
// seen through a shape, element strides and an offset. Transpose, Expand, Slice and the
// reshapes that keep memory order are views; anything else is computed by a kernel.
import { type Dim, dimAdd, dimEq, dimMul, isKnown } from '../../ir/dim.js';
import type { DType } from '../../ir/dtype.js';
import type { Movement } from './movement.js';

export interface TensorSource {
  readonly kind: 'buffer' | 'input' | 'output' | 'weight';
  readonly name: string;
}

export interface View {
  readonly source: TensorSource;
  /** The plan dtype of the stored elements. */
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  readonly strides: readonly Dim[];
  readonly offset: Dim;
}

export function contiguousStrides(shape: readonly Dim[]): Dim[] {
  const strides: Dim[] = [];
  let step: Dim = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step = dimMul(step, shape[i]!);
  }
  return strides;
}

/** The whole of a stored tensor, contiguous. */
export function wholeView(source: TensorSource, dtype: DType, shape: readonly Dim[]): View {
  return { source, dtype, shape, strides: contiguousStrides(shape), offset: 0 };
}

/** Row-major contiguous (size-1 dims may have any stride), whatever the offset. */
export function isContiguous(v: View): boolean {
  const want = contiguousStrides(v.shape);
  return v.shape.every((d, i) => d === 1 || dimEq(v.strides[i]!, want[i]!));
}

/** True when the view is the whole tensor, unchanged: it needs no `view` in plan.json. */
export function isWhole(v: View, storedShape: readonly Dim[]): boolean {
  return dimEq(v.offset, 0) && isContiguous(v) && v.shape.length === storedShape.length && v.shape.every((d, i) => dimEq(d, storedShape[i]!));
}

/** The view a movement produces from a view, or undefined when it is not affine. */
export function moveView(v: View, m: Movement): View | undefined {
  switch (m.kind) {
    case 'transpose':
      return { ...v, shape: m.out, strides: m.perm.map((p) => v.strides[p]!) };
    case 'expand': {
      const pad = m.from.length - v.shape.length;
      const strides = m.out.map((d, i) => {
        if (i < pad) return 0;
        const from = v.shape[i - pad]!;
        return from === 1 && d !== 1 ? 0 : v.strides[i - pad]!;
      });
      return { ...v, shape: m.out, strides };
    }
    case 'slice': {
      let offset = v.offset;
      m.starts.forEach((s, i) => { offset = dimAdd(offset, dimMul(s, v.strides[i]!)); });
      return { ...v, shape: m.out, offset, strides: v.strides.map((s, i) => dimMul(s, m.steps[i]!)) };
    }
    case 'reshape': {
      if (isContiguous(v)) return { ...v, shape: m.out, strides: contiguousStrides(m.out) };
      const strides = onlyUnitDimsChange(v, m.out);
      return strides === undefined ? undefined : { ...v, shape: m.out, strides };
    }
    default:
      return undefined;
  }
}

// Like torch's view(): each run of input dims that is contiguous within itself can be split or
// merged freely; size-1 dims take stride 0. Runs are matched by equal element counts.
function onlyUnitDimsChange(v: View, out: readonly Dim[]): Dim[] | undefined {
  const dims = v.shape.map((d, i) => [d, v.strides[i]!] as const).filter(([d]) => d !== 1);
  const want = out.map((d, i) => [d, i] as const).filter(([d]) => d !== 1);
  const strides: Dim[] = out.map(() => 0);
  let [i, j] = [0, 0];
  while (i < dims.length && j < want.length) {
    let [a, b] = [i + 1, j + 1];
    let [pa, pb] = [dims[i]![0], want[j]![0]];
    for (let guard = 0; !dimEq(pa, pb) && guard < 64; guard++) {
      if (a < dims.length && (!isKnown(pa) || !isKnown(pb) || pa < pb)) pa = dimMul(pa, dims[a++]![0]);
      else if (b < want.length) pb = dimMul(pb, want[b++]![0]);
      else return undefined;
    }
    if (!dimEq(pa, pb)) return undefined;
    for (let k = i; k < a - 1; k++) if (!dimEq(dims[k]![1], dimMul(dims[k + 1]![1], dims[k + 1]![0]))) return undefined;
    let step = dims[a - 1]![1];
    for (let k = b - 1; k >= j; k--) {
      strides[want[k]![1]] = step;
      step = dimMul(step, want[k]![0]);
    }
    [i, j] = [a, b];
  }
  return i === dims.length && j === want.length ? strides : undefined;
}
