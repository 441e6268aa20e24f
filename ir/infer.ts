// Type and shape inference over a whole graph: each node's op spec, in topological
// order, with the constants it can see (initializers, Constant nodes, and small constant
// subgraphs folded by an evaluator the caller passes in, since ir cannot import backends).
import { topoSort } from './algo.js';
import { type Dim, type SymDim, isKnown } from './dim.js';
import { SolderError } from './errors.js';
import { CarriedTypes } from './infer-incremental.js';
import { SymbolTable } from './infer-symbols.js';
import { type Graph, type Node, ONNX_DOMAIN, type ValueInfo } from './graph.js';
import './ops/index.js';
import { Constant, Shape, constantValue, shapeRange } from './ops/shape-create.js';
import { type InferContext, opOf, readAttrs } from './ops/spec.js';
import { type Tensor, makeTensor, numel, tensorFromBytes } from './tensor.js';
import { type TensorType, tensorType, typeToString } from './types.js';

/** Computes a node's outputs from its constant inputs (one per node input); undefined when it cannot. */
export type Evaluator = (node: Node, inputs: readonly Tensor[]) => Tensor[] | undefined;

export interface InferOptions {
  /** Folds nodes whose inputs are all constant, so Reshape-like ops see computed shapes (pass the reference kernels). */
  readonly evaluate?: Evaluator;
  /** Largest initializer read and tensor folded, in elements; shape arithmetic is far below it. */
  readonly maxConstantElements?: number;
  /**
   * The typed graph a pass made this one from, keeping every value name's meaning: nodes the
   * pass kept whose inputs kept their types keep their types too, without being inferred again.
   */
  readonly previous?: Graph;
}

const DEFAULT_MAX_CONSTANT_ELEMENTS = 1 << 16;

// Folding these would freeze one random draw into the graph.
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout']);

/** The graph, topologically sorted, with a type for every node output and refined graph output types. */
export function inferTypes(graph: Graph, options: InferOptions = {}): Graph {
  const sorted = topoSort(graph);
  const types = new Map<string, TensorType>();
  for (const v of sorted.inputs) types.set(v.name, v.type);
  for (const init of sorted.initializers.values()) {
    if (!types.has(init.name)) types.set(init.name, tensorType(init.dtype, init.shape));
  }
  const declaredOutputs = new Map(sorted.outputs.map((o) => [o.name, o.type]));
  const constants = new ConstantPool(sorted, options.maxConstantElements ?? DEFAULT_MAX_CONSTANT_ELEMENTS);
  const symbols = new SymbolTable(sorted);
  const isMinted = (d: SymDim) => symbols.isMinted(d);
  let valueInfo = new Map<string, TensorType>();
  const carried = options.previous === undefined ? undefined : new CarriedTypes(options.previous, sorted);
  const isConstant = (name: string) => constants.has(name);
  for (const node of sorted.nodes) {
    // Plain loops over the outputs: this runs for every node of every (re-)inference.
    const kept = carried?.outputsOf(node, types, isConstant);
    if (kept !== undefined) {
      for (let k = 0; k < node.outputs.length; k++) {
        const name = node.outputs[k]!;
        const t = kept[k];
        if (name === '' || t === undefined) continue;
        const applied = symbols.apply(t);
        types.set(name, applied);
        valueInfo.set(name, applied);
      }
      continue;
    }
    const outputs = inferNode(node, types, constants, options.evaluate);
    for (let k = 0; k < node.outputs.length; k++) {
      const name = node.outputs[k]!;
      if (name === '') continue;
      const inferred = symbols.apply(outputs[k] as TensorType);
      const fromValueInfo = mergeTypes(node, name, inferred, sorted.valueInfo.get(name), isMinted);
      const t = mergeTypes(node, name, fromValueInfo, declaredOutputs.get(name), isMinted);
      symbols.learn(inferred, t);
      types.set(name, t);
      valueInfo.set(name, t);
    }
  }
  // Values typed before a symbol was solved get the solution too.
  if (symbols.solvedAny) valueInfo = new Map([...valueInfo].map(([name, t]) => [name, symbols.apply(t)]));
  const outputs: ValueInfo[] = sorted.outputs.map((o) => ({ ...o, type: valueInfo.get(o.name) ?? types.get(o.name) ?? o.type }));
  return { ...sorted, outputs, valueInfo };
}

/** The output types of one node given the types (and constants) of the values before it. */
function inferNode(node: Node, types: ReadonlyMap<string, TensorType>, constants: ConstantPool, evaluate?: Evaluator): TensorType[] {
  const spec = opOf(node);
  const attrs = readAttrs(spec, node);
  const inputs = node.inputs.map((name) => {
    if (name === '') return undefined;
    const t = types.get(name);
    if (t === undefined) {
      throw new SolderError(`input '${name}' is not defined by any graph input, initializer or node`, { node: node.name, op: node.op });
    }
    return t;
  });
  const ctx: InferContext = { node, inputs, attrs, constant: (i) => constants.get(node.inputs[i] ?? '') };
  const inferred = spec.infer(ctx);
  node.outputs.forEach((name, k) => {
    if (name !== '' && inferred[k] === undefined) {
      throw new SolderError(`${spec.name} gives ${inferred.length} outputs, the node names ${node.outputs.length}`, { node: node.name, op: node.op });
    }
  });
  const known = knownOutputs(ctx, inferred, constants, evaluate);
  known?.forEach((t, k) => {
    const name = node.outputs[k];
    if (name === undefined || name === '' || t === undefined) return;
    inferred[k] = refineByValue(node, name, inferred[k] as TensorType, t);
    constants.set(name, t);
  });
  return inferred;
}

/** The values of a node's outputs when they can be known before running the graph. */
function knownOutputs(ctx: InferContext, inferred: readonly TensorType[], constants: ConstantPool, evaluate?: Evaluator): readonly (Tensor | undefined)[] | undefined {
  const node = ctx.node;
  if (node.domain !== ONNX_DOMAIN && node.domain !== 'ai.onnx') return evaluated(node, inferred, constants, evaluate);
  if (node.op === 'Constant') return [constantValue(node, readAttrs(Constant, node))];
  if (node.op === 'Shape') {
    const shape = staticShapeOf(node, ctx.inputs[0]);
    if (shape !== undefined) return [shape];
  }
  return evaluated(node, inferred, constants, evaluate);
}

// Shape of a fully static value is a constant even though the value itself is not.
function staticShapeOf(node: Node, input: TensorType | undefined): Tensor | undefined {
  const shape = input?.shape;
  if (shape === undefined || !shape.every(isKnown)) return undefined;
  const attrs = readAttrs(Shape, node);
  const [s, e] = shapeRange(shape.length, attrs.start, attrs.end);
  return makeTensor('int64', [e - s], shape.slice(s, e) as number[]);
}

function evaluated(node: Node, inferred: readonly TensorType[], constants: ConstantPool, evaluate?: Evaluator): readonly (Tensor | undefined)[] | undefined {
  if (evaluate === undefined || NONDETERMINISTIC.has(node.op)) return undefined;
  // Nodes with an absent optional input are left alone: the evaluator takes one tensor per input.
  if (node.inputs.length === 0 || node.inputs.includes('')) return undefined;
  // Known before decoding anything: MatMul(weight, x) must not decode the weight.
  if (!node.inputs.every((name) => constants.has(name))) return undefined;
  const values: Tensor[] = [];
  for (const name of node.inputs) {
    const t = constants.get(name);
    if (t === undefined) return undefined;
    values.push(t);
  }
  // Skip before computing when the result is known to be large (ConstantOfShape of a big shape).
  const tooLarge = inferred.some((t) => t.shape !== undefined && t.shape.every(isKnown) && numel(t.shape as number[]) > constants.limit);
  if (tooLarge) return undefined;
  const outputs = evaluate(node, values);
  return outputs?.map((t) => (t !== undefined && t.data.length <= constants.limit ? t : undefined));
}

// A folded value is the ground truth for its type; a spec that disagrees has a bug.
function refineByValue(node: Node, name: string, inferred: TensorType, value: Tensor): TensorType {
  const actual = tensorType(value.dtype, value.shape);
  if (!compatible(inferred, actual)) {
    throw new SolderError(`output '${name}' is ${typeToString(inferred)} by inference but folds to ${typeToString(actual)} (a bug in the op's spec or kernel)`, {
      node: node.name,
      op: node.op,
    });
  }
  return actual;
}

function compatible(a: TensorType, b: TensorType): boolean {
  if (a.dtype !== b.dtype) return false;
  if (a.shape === undefined || b.shape === undefined) return true;
  return a.shape.length === b.shape.length && a.shape.every((d, i) => mergeDim(d, b.shape?.[i] as Dim, () => false) !== undefined);
}

/**
 * The inferred type, refined by what the file declares: a known dim beats a symbol, and
 * a symbol inference made up (by default: one named after this node, `${node}_d0`) gives
 * way to the file's. A different dtype, rank or known dim is a SolderError naming the node.
 */
export function mergeTypes(
  node: Node,
  value: string,
  inferred: TensorType,
  declared: TensorType | undefined,
  isMinted: (d: SymDim) => boolean = (d) => d.expr.startsWith(`${node.name}_`),
): TensorType {
  if (declared === undefined) return inferred;
  const conflict = () =>
    new SolderError(`output '${value}' is ${typeToString(inferred)} by inference but the file declares ${typeToString(declared)}`, {
      node: node.name,
      op: node.op,
    });
  if (inferred.dtype !== declared.dtype) throw conflict();
  if (inferred.shape === undefined || declared.shape === undefined) return tensorType(inferred.dtype, inferred.shape ?? declared.shape);
  if (inferred.shape.length !== declared.shape.length) throw conflict();
  const dims = inferred.shape.map((d, i) => {
    const merged = mergeDim(d, declared.shape?.[i] as Dim, isMinted);
    if (merged === undefined) throw conflict();
    return merged;
  });
  return tensorType(inferred.dtype, dims);
}

/** The better-known of two dims, or undefined when both are known and differ. */
function mergeDim(inferred: Dim, declared: Dim, isMinted: (d: SymDim) => boolean): Dim | undefined {
  if (isKnown(inferred)) return !isKnown(declared) || declared === inferred ? inferred : undefined;
  if (isKnown(declared)) return declared;
  return isMinted(inferred) ? declared : inferred;
}

/**
 * Values known before running: initializers (decoded on first use), Constant outputs and
 * folded results. Initializers over the size limit are never read: weights stay on disk,
 * and no op needs a weight's values to know its output shape.
 */
class ConstantPool {
  private readonly values = new Map<string, Tensor>();
  // An initializer that is also a graph input is only a default: the caller may feed another value.
  private readonly fed: ReadonlySet<string>;

  constructor(private readonly graph: Graph, readonly limit: number) {
    this.fed = new Set(graph.inputs.map((v) => v.name));
  }

  /** Whether get() would find a value, without decoding it. */
  has(name: string): boolean {
    if (name === '') return false;
    if (this.values.has(name)) return true;
    const init = this.graph.initializers.get(name);
    return init !== undefined && !this.fed.has(name) && numel(init.shape) <= this.limit;
  }

  get(name: string): Tensor | undefined {
    if (name === '') return undefined;
    const held = this.values.get(name);
    if (held !== undefined) return held;
    const init = this.graph.initializers.get(name);
    if (init === undefined || this.fed.has(name) || numel(init.shape) > this.limit) return undefined;
    const t = tensorFromBytes(init.dtype, init.shape, init.bytes.read());
    this.values.set(name, t);
    return t;
  }

  set(name: string, t: Tensor): void {
    this.values.set(name, t);
  }
}
