// Folds shape subgraphs: values whose symbolic shape value is fully known become constants,
// and Reshape/Expand targets built from Shape(x) become constant shapes (0 copies a dim,
// -1 infers one, 1 keeps a broadcast dim), so the Shape/Gather/Concat noise dies.
import { type Graph, type Initializer, type Node, initializerFromTensor } from '../ir/graph.js';
import { type Dim, dimEq, isKnown } from '../ir/dim.js';
import { makeTensor } from '../ir/tensor.js';
import type { TensorType } from '../ir/types.js';
import { NameSource, valueTypes, withInitializers } from './edit.js';
import { type ShapeValue, shapeValues } from './shape-values.js';

export function foldShapes(graph: Graph): Graph {
  const types = valueTypes(graph);
  const values = shapeValues(graph, types);
  let names: NameSource | undefined;
  const added: Initializer[] = [];
  const constant = (base: string, v: readonly number[], scalar: boolean, dtype: TensorType['dtype'] = 'int64') => {
    // Built on first use: most runs of the second round find nothing to fold.
    const name = (names ??= new NameSource(graph)).fresh(base);
    added.push(initializerFromTensor(name, makeTensor(dtype, scalar ? [] : [v.length], v)));
    return name;
  };
  const renamedOutputs = new Map<string, Initializer>();
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const out = node.outputs[0] ?? '';
    const v = values.get(out);
    const known = v !== undefined && node.outputs.length === 1 ? knownNumbers(v) : undefined;
    const dtype = types.get(out)?.dtype;
    if (known !== undefined && node.op !== 'Constant' && (dtype === 'int64' || dtype === 'int32')) {
      // The node's output is a constant: it becomes an initializer under the same name.
      renamedOutputs.set(out, initializerFromTensor(out, makeTensor(dtype, v?.scalar ? [] : [known.length], known)));
      continue;
    }
    nodes.push(rewriteShapeInput(node, values, types, constant) ?? node);
  }
  if (renamedOutputs.size === 0 && added.length === 0) return graph;
  return withInitializers({ ...graph, nodes }, [...added, ...renamedOutputs.values()]);
}

function knownNumbers(v: ShapeValue): number[] | undefined {
  return v.dims.every(isKnown) ? (v.dims as number[]) : undefined;
}

type MakeConstant = (base: string, values: readonly number[], scalar: boolean) => string;

function rewriteShapeInput(
  node: Node, values: ReadonlyMap<string, ShapeValue>, types: ReadonlyMap<string, TensorType>, constant: MakeConstant,
): Node | undefined {
  if (node.domain !== '' || (node.op !== 'Reshape' && node.op !== 'Expand')) return undefined;
  const target = values.get(node.inputs[1] ?? '');
  const inShape = types.get(node.inputs[0] ?? '')?.shape;
  if (target === undefined || target.scalar || inShape === undefined || knownNumbers(target) !== undefined) return undefined;
  const shape = node.op === 'Reshape' ? reshapeTarget(target.dims, inShape) : expandTarget(target.dims, inShape);
  if (shape === undefined) return undefined;
  const name = constant(`${node.name}/shape`, shape, false);
  // allowzero only changes the meaning of a 0 in the target, and the target had none.
  const attrs = node.op === 'Reshape' ? { ...node.attrs, allowzero: { kind: 'int' as const, value: 0 } } : node.attrs;
  return { ...node, attrs, inputs: [node.inputs[0] as string, name, ...node.inputs.slice(2)] };
}

// Reshape: a symbolic dim equal to the input's dim at the same position is 0 (copy);
// one remaining symbolic dim is -1 (inferred). A literal 0 in the target would change
// meaning under allowzero, so such targets are left alone.
function reshapeTarget(dims: readonly Dim[], inShape: readonly Dim[]): number[] | undefined {
  let inferred = dims.some((d) => d === -1);
  const out: number[] = [];
  for (const [i, d] of dims.entries()) {
    if (isKnown(d)) {
      if (d === 0) return undefined;
      out.push(d);
    } else if (i < inShape.length && dimEq(inShape[i] as Dim, d)) {
      out.push(0);
    } else if (!inferred) {
      inferred = true;
      out.push(-1);
    } else {
      return undefined;
    }
  }
  return out;
}

// Expand broadcasts both ways: a target dim equal to the input's aligned dim can be 1.
function expandTarget(dims: readonly Dim[], inShape: readonly Dim[]): number[] | undefined {
  const offset = dims.length - inShape.length;
  const out: number[] = [];
  for (const [i, d] of dims.entries()) {
    if (isKnown(d)) out.push(d);
    else if (i - offset >= 0 && dimEq(inShape[i - offset] as Dim, d)) out.push(1);
    else return undefined;
  }
  return out;
}
