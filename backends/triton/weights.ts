// Plan weights: initializers converted to the plan dtype and laid out the way the runtime's
// kernels read them (linear weights [K, N], gate and up projections side by side, RMSNorm's
// (1 + w) folded in), so the runtime only uploads them.
import type { DType } from '../../ir/dtype.js';
import { isFloat } from '../../ir/dtype.js';
import type { Graph, Initializer } from '../../ir/graph.js';
import { type Tensor, allocData, joinRows, makeTensor, numel } from '../../ir/tensor.js';
import { planName } from './sanitize.js';
import { decodeWeight, toStorage } from './storage.js';

/** A layout change applied once, at plan time. */
export interface WeightTransform {
  /** Part of the weight's plan name, so two layouts of one initializer stay apart. */
  readonly tag: string;
  apply(t: Tensor): Tensor;
}

export class WeightTable {
  readonly tensors = new Map<string, Tensor>();
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(private readonly graph: Graph, private readonly planDtype: DType) {}

  /** The storage dtype of a value of IR dtype `dtype` in this plan. */
  storageDtype(dtype: DType): DType {
    if (isFloat(dtype)) return this.planDtype;
    if (dtype === 'uint64') return 'int64';
    if (dtype === 'uint32' || dtype === 'uint16') return 'int32';
    return dtype;
  }

  /** Decoded values of an initializer (float16/bfloat16 as rounded float32). */
  values(name: string): Tensor {
    const init = this.init(name);
    return decodeWeight(init.dtype, init.shape, init.bytes.read());
  }

  isScalar(name: string): boolean {
    const init = this.graph.initializers.get(name);
    return init !== undefined && numel(init.shape) === 1;
  }

  /** Adds (once) the initializers combined by `transform`, returning the plan weight name. */
  add(names: readonly string[], transform?: WeightTransform): string {
    const key = `${names.join('\u0000')}\u0000${transform?.tag ?? ''}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const parts = names.map((n) => this.values(n));
    const combined = transform !== undefined ? transform.apply(concatOrOne(parts)) : parts[0]!;
    const dtype = this.storageDtype(combined.dtype);
    const name = planName(names[0]! + (transform ? `.${transform.tag}` : ''), this.taken, 'w');
    this.tensors.set(name, dtype === combined.dtype ? combined : toStorage(dtype, combined));
    this.byKey.set(key, name);
    return name;
  }

  private init(name: string): Initializer {
    const init = this.graph.initializers.get(name);
    if (init === undefined) throw new Error(`no initializer '${name}'`);
    return init;
  }
}

// Several initializers are joined along their last axis before a transform sees them: row
// by row, as block copies (a 7B model's gate and up projections are 90M values each), in
// the parts' storage class when they share a dtype, else through float64.
function concatOrOne(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const rows = first.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const widths = parts.map((p) => p.shape[p.shape.length - 1]!);
  const total = widths.reduce((a, b) => a + b, 0);
  const shape = [...first.shape.slice(0, -1), total];
  const data = parts.map((p) => p.data);
  if (parts.every((p) => p.dtype === first.dtype)) {
    return { dtype: first.dtype, shape, data: joinRows(data, widths, rows, allocData(first.dtype, rows * total)) };
  }
  return makeTensor(first.dtype, shape, joinRows(data, widths, rows, new Float64Array(rows * total)));
}

/** [N, K] -> [K, N] (Gemm's transB, torch's Linear weight). */
export const transposed: WeightTransform = {
  tag: 't',
  apply(t) {
    const [n, k] = [t.shape[0]!, t.shape[1]!];
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[j * n + i] = t.data[i * k + j]!;
    return makeTensor(t.dtype, [k, n], out);
  },
};

/** Multiplies every element by a constant (Gemm's alpha and beta). */
export function scaled(factor: number): WeightTransform {
  return { tag: `x${String(factor).replace(/[^0-9a-z]/gi, '_')}`, apply: (t) => makeTensor(t.dtype, t.shape, Array.from(t.data, (v) => v * factor)) };
}

/** Adds a constant (RMSNorm offset=1: the kernel multiplies by w, the model by 1 + w). */
export function offsetBy(delta: number): WeightTransform {
  return { tag: `plus${delta}`, apply: (t) => makeTensor(t.dtype, t.shape, Array.from(t.data, (v) => v + delta)) };
}

/** Flattened to 1-D (norm weights and biases given as [1, N]). */
export const flat: WeightTransform = { tag: 'flat', apply: (t) => makeTensor(t.dtype, [numel(t.shape)], t.data) };

/** Several transforms, applied left to right. */
export function composed(...ts: readonly WeightTransform[]): WeightTransform {
  return { tag: ts.map((t) => t.tag).join('.'), apply: (t) => ts.reduce((acc, f) => f.apply(acc), t) };
}

/** Joins [K, N1], [K, N2] side by side (GatedMLP's [Wg | Wu]) via WeightTable.add's concatenation. */
export const sideBySide: WeightTransform = { tag: 'cat', apply: (t) => t };

/** [M, d1, d2, ...] -> [M, d1*d2*...] (a Conv weight [out, in, kh, kw] as GEMM rows, before `transposed`). */
export const rowsOf: WeightTransform = {
  tag: 'rows',
  apply: (t) => makeTensor(t.dtype, [t.shape[0]!, numel(t.shape.slice(1))], t.data),
};
