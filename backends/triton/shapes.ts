// Symbolic shapes for planning. Import-time inference gives up (anonymous dims) where an
// exporter computes a Reshape target from Shape(x); here each value's shape is recomputed
// from the graph inputs' symbols, alternating with the symbolic shape values of small
// integer tensors until neither changes, so every size is a polynomial in batch/seq.
import { type Dim, dimEq, isKnown } from '../../ir/dim.js';
import type { DType } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Node, typeOf } from '../../ir/graph.js';
import { Conv, convDims } from '../../ir/ops/conv.js';
import { normalizeAxis, opError } from '../../ir/ops/shape-util.js';
import { readAttrs } from '../../ir/ops/spec.js';
import type { TensorType } from '../../ir/types.js';
import { type ShapeValue, shapeValues } from '../../passes/shape-values.js';
import { MOVEMENT_OPS, broadcastOf, describeMovement } from './movement.js';
import { REDUCE_OPS, UNARY_OPS } from './ops.js';

export interface ShapeFacts {
  readonly shapes: ReadonlyMap<string, readonly Dim[]>;
  readonly dtypes: ReadonlyMap<string, DType>;
  readonly values: ReadonlyMap<string, ShapeValue>;
}

const ROUNDS = 8;

/** Shapes of every value the planner can size, with the shape values that sized them. */
export function planShapes(graph: Graph): ShapeFacts {
  const dtypes = new Map<string, DType>();
  for (const v of graph.inputs) dtypes.set(v.name, v.type.dtype);
  for (const [name, init] of graph.initializers) dtypes.set(name, init.dtype);
  for (const node of graph.nodes) for (const o of node.outputs) {
    const t = typeOf(graph, o);
    if (t !== undefined) dtypes.set(o, t.dtype);
  }
  let values = new Map<string, ShapeValue>();
  let shapes = propagate(graph, values, false);
  for (let round = 0; round < ROUNDS; round++) {
    values = shapeValues(graph, asTypes(shapes, dtypes));
    const next = propagate(graph, values, false);
    const stable = next.size === shapes.size && [...next].every(([k, s]) => sameShape(s, shapes.get(k)));
    shapes = next;
    if (stable) break;
  }
  return { shapes, dtypes, values };
}

function sameShape(a: readonly Dim[], b: readonly Dim[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((d, i) => dimEq(d, b[i]!));
}

function asTypes(shapes: ReadonlyMap<string, readonly Dim[]>, dtypes: ReadonlyMap<string, DType>): Map<string, TensorType> {
  const out = new Map<string, TensorType>();
  for (const [name, shape] of shapes) out.set(name, { dtype: dtypes.get(name) ?? 'float32', shape });
  return out;
}

function propagate(graph: Graph, values: ReadonlyMap<string, ShapeValue>, strict: boolean): Map<string, readonly Dim[]> {
  const shapes = new Map<string, readonly Dim[]>();
  for (const v of graph.inputs) if (v.type.shape !== undefined) shapes.set(v.name, v.type.shape);
  for (const [name, init] of graph.initializers) shapes.set(name, init.shape);
  for (const node of graph.nodes) {
    try {
      const outs = outputShapes(node, shapes, values);
      outs.forEach((s, i) => {
        const name = node.outputs[i];
        if (name && s !== undefined && s.every((d) => isKnown(d) || !d.expr.includes('anon'))) shapes.set(name, s);
      });
    } catch (e) {
      if (strict || !(e instanceof SolderError)) throw e;
    }
  }
  return shapes;
}

/** The output shapes of one node, from its inputs' shapes (and shape values for shape arguments). */
export function outputShapes(node: Node, shapes: ReadonlyMap<string, readonly Dim[]>, values: ReadonlyMap<string, ShapeValue>): (readonly Dim[] | undefined)[] {
  const shape = (i: number): readonly Dim[] => {
    const s = shapes.get(node.inputs[i] ?? '');
    if (s === undefined) throw opError(node, `the shape of input ${i} ('${node.inputs[i] ?? ''}') is unknown`);
    return s;
  };
  const present = node.inputs.map((n, i) => (n === '' ? -1 : i)).filter((i) => i >= 0);
  if (node.domain === '' && MOVEMENT_OPS.has(node.op)) {
    const ctx = { shape, value: (i: number) => values.get(node.inputs[i] ?? '') };
    return node.outputs.map((_, i) => describeMovement(node, ctx, i).out);
  }
  if (node.domain === '' && (REDUCE_OPS.has(node.op))) return [reducedShape(node, shape(0), values)];
  switch (node.op) {
    case 'Shape': {
      const r = shape(0).length;
      const clamp = (i: number) => Math.min(r, Math.max(0, i < 0 ? i + r : i));
      const at = (k: string, d: number) => (node.attrs[k]?.kind === 'int' ? (node.attrs[k].value as number) : d);
      return [[Math.max(0, clamp(at('end', r)) - clamp(at('start', 0)))]];
    }
    case 'Size': return [[]];
    case 'Softmax': case 'LogSoftmax': case 'LayerNormalization': case 'LayerNorm': case 'RMSNorm':
    case 'Gelu': case 'RotaryEmbedding': case 'Trilu':
      return node.outputs.map((_, i) => (i === 0 ? shape(0) : undefined));
    case 'SkipLayerNorm': case 'SkipRMSNorm': return [shape(0), shape(0)];
    case 'AllReduce': return [shape(0)];
    case 'Where': case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Equal': case 'Less':
    case 'LessOrEqual': case 'Greater': case 'GreaterOrEqual': case 'And': case 'Or': case 'Xor':
    case 'Max': case 'Min': case 'Sum': case 'Mean':
      return [broadcastOf(node, present.map(shape))];
    case 'MatMul': return [matmulShape(node, shape(0), shape(1))];
    case 'Gemm': {
      const [a, b] = [shape(0), shape(1)];
      const ta = node.attrs.transA?.value === 1;
      const tb = node.attrs.transB?.value === 1;
      return [[ta ? a[1]! : a[0]!, tb ? b[0]! : b[1]!]];
    }
    case 'Linear': case 'GatedMLP': {
      const [x, w] = [shape(0), shape(1)];
      return [[...x.slice(0, -1), w[1]!]];
    }
    case 'Conv': return [convDims(node, shape(0), shape(1), readAttrs(Conv, node))];
    case 'Attention': {
      const [q, v] = [shape(0), shape(2)];
      return [[q[0]!, q[1]!, q[2]!, v[3]!]];
    }
    default:
      if (UNARY_OPS.has(node.op)) return [shape(0)];
      throw opError(node, 'unsupported by the Triton backend');
  }
}

function matmulShape(node: Node, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  if (a.length === 0 || b.length === 0) throw opError(node, 'MatMul of a scalar');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastOf(node, [a2.slice(0, -2), b2.slice(0, -2)]);
  const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return out;
}

/** Reduced axes of a Reduce* node (normalized, sorted) from its attribute or its axes input. */
export function reduceAxes(node: Node, rank: number, values: ReadonlyMap<string, ShapeValue>): number[] {
  const attr = node.attrs.axes;
  let axes: number[] | undefined = attr?.kind === 'ints' ? [...attr.value] : undefined;
  if (node.inputs[1]) {
    const v = values.get(node.inputs[1]);
    if (v === undefined || !v.dims.every(isKnown)) throw opError(node, 'reduction axes must be constant');
    axes = v.dims as number[];
  }
  if (axes === undefined || axes.length === 0) {
    if (node.attrs.noop_with_empty_axes?.value === 1) return [];
    axes = Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => normalizeAxis(node, a, rank)))].sort((x, y) => x - y);
}

function reducedShape(node: Node, x: readonly Dim[], values: ReadonlyMap<string, ShapeValue>): Dim[] {
  const axes = reduceAxes(node, x.length, values);
  const keep = node.attrs.keepdims?.value !== 0;
  return x.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
}
