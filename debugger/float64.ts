// A float64 copy of a float32 graph: the same computation, carried out with 29 more bits
// of mantissa, so that `check` can measure how far each float32 value is from the exact one.
// Every float32 that can enter the graph becomes float64: initializers, graph inputs and
// outputs, declared value types, tensor attributes (Constant, ConstantOfShape) and dtype
// codes (Cast `to`, EyeLike / Random* `dtype`). Other dtypes (int64 ids, bool masks) stay.
import type { AttrValue, Attrs } from '../ir/attrs.js';
import { onnxCode } from '../ir/dtype.js';
import { type Graph, type Initializer, type Node, type ValueInfo, initializerFromTensor } from '../ir/graph.js';
import { type Tensor, tensorFromBytes } from '../ir/tensor.js';
import type { TensorType } from '../ir/types.js';

const FLOAT32_CODE = onnxCode('float32');
const FLOAT64_CODE = onnxCode('float64');
// Attributes holding an ONNX dtype code that decides an output's dtype.
const DTYPE_CODE_ATTRS = new Set(['to', 'dtype']);

/** The graph with every float32 tensor, type and dtype attribute widened to float64. */
export function toFloat64(graph: Graph): Graph {
  return {
    ...graph,
    inputs: graph.inputs.map(widenValueInfo),
    outputs: graph.outputs.map(widenValueInfo),
    nodes: graph.nodes.map(widenNode),
    initializers: new Map([...graph.initializers].map(([name, init]) => [name, widenInitializer(init)])),
    valueInfo: new Map([...graph.valueInfo].map(([name, t]) => [name, widenType(t)])),
  };
}

/** Feeds for the float64 copy: float32 tensors widened (exactly), others unchanged. */
export function feedsToFloat64(feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  return new Map([...feeds].map(([name, t]) => [name, widenTensor(t)]));
}

/** A float32 tensor as float64 (every float32 is exactly a float64); others unchanged. */
export function widenTensor(t: Tensor): Tensor {
  return t.dtype === 'float32' ? { dtype: 'float64', shape: t.shape, data: Float64Array.from(t.data) } : t;
}

function widenType(t: TensorType): TensorType {
  return t.dtype === 'float32' ? { ...t, dtype: 'float64' } : t;
}

function widenValueInfo(v: ValueInfo): ValueInfo {
  return { ...v, type: widenType(v.type) };
}

function widenInitializer(init: Initializer): Initializer {
  if (init.dtype !== 'float32') return init;
  // Decoded only when the interpreter reads it, as the original's bytes are.
  let widened: Initializer | undefined;
  const bytes = () => (widened ??= initializerFromTensor(init.name, widenTensor(tensorFromBytes(init.dtype, init.shape, init.bytes.read())))).bytes;
  return {
    name: init.name,
    dtype: 'float64',
    shape: init.shape,
    bytes: { byteLength: init.bytes.byteLength * 2, read: () => bytes().read() },
    origin: { kind: 'inline' },
  };
}

function widenNode(node: Node): Node {
  const attrs: Record<string, AttrValue> = {};
  let changed = false;
  for (const [key, a] of Object.entries(node.attrs)) {
    const w = widenAttr(key, a);
    if (w !== a) changed = true;
    attrs[key] = w;
  }
  // ConstantOfShape without a value fills float32 zeros; say float64 explicitly.
  if (node.op === 'ConstantOfShape' && node.domain === '' && attrs['value'] === undefined) {
    attrs['value'] = { kind: 'tensor', value: { dtype: 'float64', shape: [1], data: new Float64Array(1) } };
    changed = true;
  }
  return changed ? { ...node, attrs: attrs as Attrs } : node;
}

function widenAttr(key: string, a: AttrValue): AttrValue {
  switch (a.kind) {
    case 'int': return DTYPE_CODE_ATTRS.has(key) && a.value === FLOAT32_CODE ? { kind: 'int', value: FLOAT64_CODE } : a;
    case 'tensor': return a.value.dtype === 'float32' ? { kind: 'tensor', value: widenTensor(a.value) } : a;
    case 'graph': return { kind: 'graph', value: toFloat64(a.value) };
    default: return a;
  }
}
