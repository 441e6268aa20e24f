// Symbolic values of small integer tensors: what shape subgraphs (Shape -> Gather ->
// Unsqueeze -> Concat, with arithmetic) compute, as vectors of known or symbolic dims.
import type { Graph, Node } from '../ir/graph.js';
import { type Dim, dimAdd, dimDiv, dimEq, dimMul, dimSub, isKnown } from '../ir/dim.js';
import { type Tensor, tensorFromBytes } from '../ir/tensor.js';
import type { TensorType } from '../ir/types.js';

/** A rank-0 or rank-1 integer tensor whose elements are known as dims. */
export interface ShapeValue {
  readonly scalar: boolean;
  readonly dims: readonly Dim[];
}

const MAX_TRACKED = 64;

/** Computes the shape value of every value that has one, in one pass over the graph. */
export function shapeValues(graph: Graph, types: ReadonlyMap<string, TensorType>): Map<string, ShapeValue> {
  const values = new Map<string, ShapeValue>();
  for (const [name, init] of graph.initializers) {
    if ((init.dtype === 'int64' || init.dtype === 'int32') && init.shape.length <= 1 && (init.shape[0] ?? 1) <= MAX_TRACKED) {
      values.set(name, fromTensor(tensorFromBytes(init.dtype, init.shape, init.bytes.read())));
    }
  }
  for (const node of graph.nodes) {
    // Only Shape and Constant start a shape value; any other node needs an input that has one.
    // Most nodes compute on activations, and this skips them without looking at their op.
    if (node.op !== 'Shape' && node.op !== 'Constant' && !readsAny(node, values)) continue;
    const v = evaluate(node, values, types);
    const out = node.outputs[0];
    if (v !== undefined && out !== undefined && v.dims.length <= MAX_TRACKED) values.set(out, v);
  }
  return values;
}

function readsAny(node: Node, values: ReadonlyMap<string, ShapeValue>): boolean {
  for (const i of node.inputs) if (values.has(i)) return true;
  return false;
}

function fromTensor(t: Tensor): ShapeValue {
  return { scalar: t.shape.length === 0, dims: Array.from(t.data) };
}

function evaluate(node: Node, values: ReadonlyMap<string, ShapeValue>, types: ReadonlyMap<string, TensorType>): ShapeValue | undefined {
  if (node.domain !== '') return undefined;
  const arg = (i: number) => values.get(node.inputs[i] ?? '');
  const attrInt = (name: string, fallback: number) => {
    const a = node.attrs[name];
    return a?.kind === 'int' ? a.value : fallback;
  };
  switch (node.op) {
    case 'Constant': {
      const a = node.attrs.value;
      if (a?.kind === 'tensor' && (a.value.dtype === 'int64' || a.value.dtype === 'int32') && a.value.shape.length <= 1) {
        return fromTensor(a.value);
      }
      return undefined;
    }
    case 'Shape': {
      const shape = types.get(node.inputs[0] ?? '')?.shape;
      if (shape === undefined) return undefined;
      const rank = shape.length;
      const clamp = (i: number) => Math.min(rank, Math.max(0, i < 0 ? i + rank : i));
      return { scalar: false, dims: shape.slice(clamp(attrInt('start', 0)), clamp(attrInt('end', rank))) };
    }
    case 'Identity':
    case 'Cast':
      return arg(0);
    case 'Gather':
      return gather(arg(0), arg(1), attrInt('axis', 0));
    case 'Unsqueeze': {
      const x = arg(0);
      return x?.scalar ? { scalar: false, dims: x.dims } : undefined;
    }
    case 'Squeeze': {
      const x = arg(0);
      return x !== undefined && !x.scalar && x.dims.length === 1 ? { scalar: true, dims: x.dims } : undefined;
    }
    case 'Concat': {
      const parts = node.inputs.map((n) => values.get(n));
      if (parts.some((p) => p === undefined || p.scalar)) return undefined;
      return { scalar: false, dims: parts.flatMap((p) => (p as ShapeValue).dims) };
    }
    case 'Slice':
      return slice(arg(0), arg(1), arg(2), node.inputs[3] ? arg(3) : undefined, node.inputs[4] ? arg(4) : undefined);
    case 'Reshape': {
      // A shape vector reshaped to 1-D (TorchScript does Reshape(Concat(..), [-1])).
      const x = arg(0);
      const to = allNumbers(arg(1));
      return x !== undefined && to?.length === 1 && (to[0] === -1 || to[0] === x.dims.length) ? { scalar: false, dims: x.dims } : undefined;
    }
    case 'ConstantOfShape': {
      const len = allNumbers(arg(0));
      const a = node.attrs.value;
      const fill = a?.kind === 'tensor' ? a.value.data[0] : 0;
      const dtype = a?.kind === 'tensor' ? a.value.dtype : 'float32';
      if (len?.length !== 1 || fill === undefined || (dtype !== 'int64' && dtype !== 'int32')) return undefined;
      return { scalar: false, dims: new Array<number>(len[0] as number).fill(fill) };
    }
    case 'Equal': return binary(arg(0), arg(1), dimsEqual);
    case 'Where': return where(arg(0), arg(1), arg(2));
    case 'Add': return binary(arg(0), arg(1), dimAdd);
    case 'Sub': return binary(arg(0), arg(1), dimSub);
    case 'Mul': return binary(arg(0), arg(1), dimMul);
    case 'Div': return binary(arg(0), arg(1), dimDiv);
    default:
      return undefined;
  }
}

function allNumbers(v: ShapeValue | undefined): number[] | undefined {
  if (v === undefined || v.dims.some((d) => typeof d !== 'number')) return undefined;
  return v.dims as number[];
}

function gather(data: ShapeValue | undefined, indices: ShapeValue | undefined, axis: number): ShapeValue | undefined {
  const idx = allNumbers(indices);
  if (data === undefined || data.scalar || idx === undefined || (axis !== 0 && axis !== -1)) return undefined;
  const n = data.dims.length;
  const picked: Dim[] = [];
  for (const i of idx) {
    const d = data.dims[i < 0 ? i + n : i];
    if (d === undefined) return undefined;
    picked.push(d);
  }
  return { scalar: indices?.scalar ?? false, dims: picked };
}

function slice(
  data: ShapeValue | undefined, starts: ShapeValue | undefined, ends: ShapeValue | undefined,
  axes: ShapeValue | undefined, steps: ShapeValue | undefined,
): ShapeValue | undefined {
  const [s] = allNumbers(starts) ?? [];
  const [e] = allNumbers(ends) ?? [];
  const [a] = axes === undefined ? [0] : (allNumbers(axes) ?? [1]);
  const [step] = steps === undefined ? [1] : (allNumbers(steps) ?? [0]);
  if (data === undefined || data.scalar || s === undefined || e === undefined || (a !== 0 && a !== -1) || step !== 1) {
    return undefined;
  }
  const n = data.dims.length;
  const clamp = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
  return { scalar: false, dims: data.dims.slice(clamp(s), clamp(e)) };
}

function binary(a: ShapeValue | undefined, b: ShapeValue | undefined, f: (x: Dim, y: Dim) => Dim | undefined): ShapeValue | undefined {
  if (a === undefined || b === undefined) return undefined;
  const n = Math.max(a.dims.length, b.dims.length);
  if ((a.dims.length !== n && a.dims.length !== 1) || (b.dims.length !== n && b.dims.length !== 1)) return undefined;
  const dims: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const d = f(a.dims[a.dims.length === 1 ? 0 : i] as Dim, b.dims[b.dims.length === 1 ? 0 : i] as Dim);
    if (d === undefined) return undefined;
    dims.push(d);
  }
  return { scalar: a.scalar && b.scalar, dims };
}

// Dims are sizes, so a symbolic dim never equals a negative number.
function dimsEqual(a: Dim, b: Dim): Dim | undefined {
  if (isKnown(a) && isKnown(b)) return a === b ? 1 : 0;
  if (!isKnown(a) && !isKnown(b)) return dimEq(a, b) ? 1 : undefined;
  const n = isKnown(a) ? a : (b as number);
  return n < 0 ? 0 : undefined;
}

function where(cond: ShapeValue | undefined, x: ShapeValue | undefined, y: ShapeValue | undefined): ShapeValue | undefined {
  const c = allNumbers(cond);
  if (c === undefined || x === undefined || y === undefined) return undefined;
  const n = Math.max(c.length, x.dims.length, y.dims.length);
  const pick = (v: readonly Dim[], i: number) => v[v.length === 1 ? 0 : i];
  const dims: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const d = (c[c.length === 1 ? 0 : i] ?? 0) !== 0 ? pick(x.dims, i) : pick(y.dims, i);
    if (d === undefined) return undefined;
    dims.push(d);
  }
  return { scalar: false, dims };
}
