// Builds graphs in a few lines, for tests and for passes that make whole graphs:
//
//   const b = new GraphBuilder('mlp');
//   const x = b.input('x', 'float32', ['batch', 64]);        // strings are symbolic dims
//   const w = b.initializer('w', makeTensor('float32', [64, 64], values));
//   const [y] = b.node('MatMul', [x, w]);
//   const [z] = b.node('Softmax', [y], { axis: -1 });          // plain numbers/lists become attrs
//   b.output(z);
//   const graph = b.build();                                   // types inferred, topologically sorted
import type { AttrValue, Attrs } from './attrs.js';
import { type Dim, sym } from './dim.js';
import type { DType } from './dtype.js';
import { SolderError } from './errors.js';
import { type Graph, type Initializer, type Node, ONNX_DOMAIN, type OpsetImport, type ValueInfo, initializerFromTensor, typeOf } from './graph.js';
import { type InferOptions, inferTypes } from './infer.js';
import { findOp } from './ops/spec.js';
import type { Tensor } from './tensor.js';
import { type TensorType, tensorType } from './types.js';

/** An attribute as a test writes it: an AttrValue, or a number, string, list or Tensor. */
export type AttrInput = AttrValue | number | string | readonly number[] | readonly string[] | Tensor;

export interface NodeOptions {
  /** Node name; `${op}_${n}` by default. */
  readonly name?: string;
  /** '' (ONNX) by default; 'solder' for fused ops. */
  readonly domain?: string;
  /** How many outputs to name (`${node}_out${k}`), or the names; default: the spec's required outputs. */
  readonly outputs?: number | readonly string[];
  /** Provenance, for fused nodes. */
  readonly origins?: readonly string[];
}

export interface BuildOptions extends InferOptions {
  /** Run inferTypes (default true); false builds graphs that are broken on purpose, for verifier tests. */
  readonly infer?: boolean;
}

export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, Initializer>();
  private readonly nodes: Node[] = [];
  private readonly outputNames: string[] = [];
  private readonly declared = new Map<string, TensorType>();

  constructor(readonly name = 'built') {}

  /** A graph input; string dims are symbols (`'batch'`). Returns its name. */
  input(name: string, dtype: DType, shape: readonly (Dim | string)[]): string {
    this.inputs.push({ name, type: tensorType(dtype, toDims(shape)) });
    return name;
  }

  /** A weight or constant held by the graph. Returns its name. */
  initializer(name: string, tensor: Tensor): string {
    this.initializers.set(name, initializerFromTensor(name, tensor));
    return name;
  }

  /** Appends a node; returns its output names. '' in inputs marks an absent optional input. */
  node(op: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrInput>> = {}, options: NodeOptions = {}): string[] {
    const domain = options.domain ?? ONNX_DOMAIN;
    const name = options.name ?? `${op}_${this.nodes.length}`;
    const count = options.outputs ?? requiredOutputs(domain, op);
    const outputs = typeof count === 'number' ? Array.from({ length: count }, (_, k) => `${name}_out${k}`) : [...count];
    const node: Node = { name, op, domain, inputs: [...inputs], outputs, attrs: toAttrs(attrs) };
    this.nodes.push(options.origins === undefined ? node : { ...node, origins: options.origins });
    return outputs;
  }

  /** Declares a type the "file" states for a value (checked against inference, like ONNX value_info). */
  declare(name: string, dtype: DType, shape?: readonly (Dim | string)[]): this {
    this.declared.set(name, tensorType(dtype, shape === undefined ? undefined : toDims(shape)));
    return this;
  }

  /** Marks values as graph outputs, in order. */
  output(...names: string[]): this {
    this.outputNames.push(...names);
    return this;
  }

  /** The graph, with every value typed by inferTypes (unless options.infer is false). */
  build(options: BuildOptions = {}): Graph {
    const domains = new Set(this.nodes.map((n) => n.domain).filter((d) => d !== ONNX_DOMAIN));
    const opsets: OpsetImport[] = [{ domain: ONNX_DOMAIN, version: 18 }, ...[...domains].map((domain) => ({ domain, version: 1 }))];
    const draft: Graph = {
      name: this.name,
      inputs: [...this.inputs],
      outputs: [],
      nodes: [...this.nodes],
      initializers: new Map(this.initializers),
      valueInfo: new Map(this.declared),
      meta: { irVersion: 8, opsets, metadata: {}, source: 'built' },
    };
    const typed = options.infer === false ? draft : inferTypes(draft, options);
    const outputs = this.outputNames.map((name) => {
      const type = typeOf(typed, name);
      if (type === undefined) throw new SolderError(`graph output '${name}' has no type: declare() it or let build() infer it`);
      return { name, type };
    });
    return { ...typed, outputs };
  }
}

function toDims(shape: readonly (Dim | string)[]): Dim[] {
  return shape.map((d) => (typeof d === 'string' ? sym(d) : d));
}

function requiredOutputs(domain: string, op: string): number {
  const spec = findOp(domain, op);
  return Math.max(1, spec?.outputs.filter((o) => !o.optional && !o.variadic).length ?? 1);
}

/** Plain values to typed attributes: integers -> int, other numbers -> float (readAttrs widens int to float). */
export function toAttrs(given: Readonly<Record<string, AttrInput>>): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const [name, v] of Object.entries(given)) out[name] = toAttr(v);
  return out;
}

function toAttr(v: AttrInput): AttrValue {
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (isStringList(v)) return { kind: 'strings', value: v };
  if (isNumberList(v)) return v.every(Number.isInteger) ? { kind: 'ints', value: v } : { kind: 'floats', value: v };
  if ('kind' in v) return v;
  return { kind: 'tensor', value: v };
}

function isStringList(v: AttrInput): v is readonly string[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
}

function isNumberList(v: AttrInput): v is readonly number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}
