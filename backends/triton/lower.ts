// Lowering an optimized graph to kernel launches. Values are demanded backwards from the
// graph outputs (shape arithmetic is evaluated at plan time and never launched); nodes are
// then lowered in graph order: library ops to runtime kernels, affine movement to free views,
// and elementwise chains inlined into their single consumer or materialized by a generated
// pointwise kernel.
import type { Dim } from '../../ir/dim.js';
import { dimAdd, dimMul } from '../../ir/dim.js';
import type { DType } from '../../ir/dtype.js';
import { isFloat } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import type { Graph, Node } from '../../ir/graph.js';
import { opError } from '../../ir/ops/shape-util.js';
import { newBody, pointwiseKernel } from './codegen.js';
import { lowerCollective } from './collective.js';
import { type Form, type Idx, KernelBody, type ValueSource } from './emit.js';
import type { Val } from './elementwise.js';
import type { Launch } from './launch.js';
import { lowerLibrary } from './library.js';
import { lowerMatmul, lowerRow } from './rows.js';
import { type Movement, describeMovement } from './movement.js';
import { type Category, categoryOf, dataInputs } from './ops.js';
import { planName, provenance } from './sanitize.js';
import { type ShapeFacts, planShapes } from './shapes.js';
import { type Limits, Symbols } from './symbols.js';
import { type TensorSource, type View, isContiguous, moveView, wholeView } from './views.js';
import { WeightTable, type WeightTransform } from './weights.js';

export type PlanDtype = 'float32' | 'float16' | 'bfloat16';

/**
 * What a library kernel accepts: any strides (attention), rows = 2-D with unit last stride
 * or contiguous (norms), matrix = any 2-D or contiguous (GEMM's x), contiguous.
 */
export type Layout = 'any' | 'rows' | 'matrix' | 'contiguous';

function accepts(layout: Layout, v: View): boolean {
  if (layout === 'any' || isContiguous(v)) return true;
  if (layout === 'matrix') return v.shape.length === 2;
  return layout === 'rows' && v.shape.length === 2 && (v.strides[1] === 1 || v.shape[1] === 1);
}

export interface PlanIO {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export interface Lowered {
  readonly symbols: Symbols;
  readonly inputs: readonly PlanIO[];
  readonly outputs: readonly PlanIO[];
  readonly launches: readonly Launch[];
  readonly buffers: ReadonlyMap<string, { readonly dtype: DType; readonly shape: readonly Dim[] }>;
  readonly weights: WeightTable;
}

/** Lowers a graph (after optimize) to launches over inputs, outputs, weights and buffers. */
export function lowerGraph(graph: Graph, dtype: PlanDtype, limits: Limits): Lowered {
  return new Lowering(graph, dtype, limits).run();
}

export class Lowering implements ValueSource {
  readonly symbols: Symbols;
  readonly facts: ShapeFacts;
  readonly weights: WeightTable;
  readonly launches: Launch[] = [];
  readonly buffers = new Map<string, { dtype: DType; shape: readonly Dim[] }>();
  private readonly forms = new Map<string, Form>();
  private readonly taken = new Set<string>();
  private readonly inputs: PlanIO[] = [];
  private readonly outputs: (PlanIO & { value: string })[] = [];
  private readonly written = new Set<string>();
  private readonly producer = new Map<string, Node>();
  private readonly categories = new Map<Node, Category>();
  private readonly consumers = new Map<string, Node[]>();
  private readonly synthetic = new Map<string, { shape: readonly Dim[]; dtype: DType }>();

  constructor(readonly graph: Graph, readonly planDtype: PlanDtype, limits: Limits) {
    this.symbols = new Symbols(graph, limits);
    this.facts = planShapes(graph);
    this.weights = new WeightTable(graph, planDtype);
    for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') this.producer.set(o, n);
  }

  run(): Lowered {
    for (const input of this.graph.inputs) {
      const name = planName(input.name, this.taken, 'in');
      const io = { name, dtype: this.weights.storageDtype(input.type.dtype), shape: input.type.shape ?? [] };
      this.inputs.push(io);
      this.forms.set(input.name, { kind: 'stored', view: wholeView({ kind: 'input', name }, io.dtype, io.shape) });
    }
    for (const o of this.graph.outputs) this.demand(o.name);
    for (const output of this.graph.outputs) {
      const name = planName(output.name, this.taken, 'out');
      this.outputs.push({ name, value: output.name, dtype: this.weights.storageDtype(this.dtype(output.name)), shape: this.shape(output.name) });
    }
    for (const node of this.graph.nodes) if (this.categories.has(node)) this.lowerNode(node);
    for (const out of this.outputs) {
      if (this.written.has(out.name)) continue;
      const view = wholeView({ kind: 'output', name: out.name }, out.dtype, out.shape);
      this.pointwise(`output ${out.name}`, view, (k, idx, mask) => k.valueAt(out.value, idx, mask));
    }
    return { symbols: this.symbols, inputs: this.inputs, outputs: this.outputs, launches: this.launches, buffers: this.buffers, weights: this.weights };
  }

  // ---- ValueSource, for the kernel emitter -------------------------------------------

  form(value: string): Form {
    const known = this.forms.get(value);
    if (known !== undefined) return known;
    let form: Form;
    if (this.graph.initializers.has(value)) {
      const t = this.weights.values(value);
      form = this.weights.isScalar(value)
        ? { kind: 'literal', value: t.data[0]!, dtype: t.dtype }
        : { kind: 'stored', view: this.weightView(value) };
    } else {
      const sv = this.facts.values.get(value);
      if (sv === undefined) throw new Error(`value '${value}' has no form yet`);
      form = { kind: 'shape', dims: sv.dims, scalar: sv.scalar, dtype: this.dtype(value) };
    }
    this.forms.set(value, form);
    return form;
  }

  shape(value: string): readonly Dim[] {
    const s = this.facts.shapes.get(value) ?? this.synthetic.get(value)?.shape;
    if (s === undefined) {
      const node = this.producer.get(value);
      throw new SolderError(`cannot size value '${provenance(value)}' from the input shapes`, node ? { node: node.name, op: node.op } : {});
    }
    return s;
  }

  dtype(value: string): DType {
    const d = this.facts.dtypes.get(value) ?? this.synthetic.get(value)?.dtype;
    if (d === undefined) throw new SolderError(`value '${provenance(value)}' has no known dtype`);
    return d;
  }

  movement(node: Node, output: number): Movement {
    return describeMovement(node, { shape: (i) => this.shape(node.inputs[i] ?? ''), value: (i) => this.facts.values.get(node.inputs[i] ?? '') }, output);
  }

  // ---- helpers for library lowering -------------------------------------------------

  isConstant(value: string): boolean {
    return this.graph.initializers.has(value);
  }

  /** The initializers (joined along their last axis when several) as a plan weight, after `transform`. */
  weightView(values: string | readonly string[], transform?: WeightTransform): View {
    const names = typeof values === 'string' ? [values] : values;
    for (const v of names) {
      if (!this.isConstant(v)) throw new SolderError(`'${provenance(v)}' must be a constant (an initializer) for the Triton backend`);
    }
    const name = this.weights.add(names, transform);
    const tensor = this.weights.tensors.get(name)!;
    return wholeView({ kind: 'weight', name }, tensor.dtype, tensor.shape);
  }

  /** A stored view of value in a layout a kernel accepts, materializing it with a kernel if needed. */
  stored(value: string, layout: Layout): View {
    const form = this.form(value);
    if (form.kind === 'stored' && accepts(layout, form.view)) return form.view;
    const view = this.newBuffer(value);
    this.pointwise(`copy of ${provenance(value)}`, view, (k, idx, mask) => k.valueAt(value, idx, mask));
    this.forms.set(value, { kind: 'stored', view });
    return view;
  }

  /** Where a node's output is written: its graph output when it is one, else a new buffer. */
  dest(value: string): View {
    const out = this.outputs.find((o) => o.value === value && !this.written.has(o.name));
    if (out === undefined) return this.newBuffer(value);
    this.written.add(out.name);
    return wholeView({ kind: 'output', name: out.name }, out.dtype, out.shape);
  }

  /** A new buffer; `value` may be a name the lowering made up (a GEMM result before its epilogue). */
  newBuffer(value: string, shape = this.shape(value), dtype = this.weights.storageDtype(this.dtype(value))): View {
    if (!this.facts.shapes.has(value)) this.synthetic.set(value, { shape, dtype: isFloat(dtype) ? 'float32' : dtype });
    const name = planName(value, this.taken, 'b');
    this.buffers.set(name, { dtype, shape });
    return wholeView({ kind: 'buffer', name }, dtype, shape);
  }

  setStored(value: string, view: View): void {
    this.forms.set(value, { kind: 'stored', view });
  }

  /** The nodes that read a value as data. */
  consumersOf(value: string): readonly Node[] {
    return this.consumers.get(value) ?? [];
  }

  isGraphOutput(value: string): boolean {
    return this.outputs.some((o) => o.value === value);
  }

  /** True when a later node or the graph outputs read this value. */
  isUsed(value: string): boolean {
    return (this.consumers.get(value)?.length ?? 0) > 0 || this.outputs.some((o) => o.value === value);
  }

  push(launch: Launch): void {
    this.launches.push(launch);
  }

  pointwise(name: string, out: View, root: (k: KernelBody, idx: readonly Idx[], mask: string) => Val): void {
    this.push(pointwiseKernel(this.body(), provenance(name), out, root));
  }

  /** A fresh generated-kernel body reading this lowering's values. */
  body(): KernelBody {
    return newBody({ symbols: this.symbols, form: (v) => this.form(v), shape: (v) => this.shape(v), dtype: (v) => this.dtype(v), movement: (n, o) => this.movement(n, o) }, (s) => this.wholeOf(s));
  }

  private wholeOf(source: TensorSource): View {
    const find = () => {
      if (source.kind === 'buffer') return this.buffers.get(source.name);
      if (source.kind === 'weight') {
        const t = this.weights.tensors.get(source.name);
        return t && { dtype: t.dtype, shape: t.shape };
      }
      return (source.kind === 'input' ? this.inputs : this.outputs).find((io) => io.name === source.name);
    };
    const found = find();
    if (found === undefined) throw new Error(`unknown ${source.kind} ${source.name}`);
    return wholeView(source, found.dtype, found.shape);
  }

  // ---- demand and lowering ------------------------------------------------------------

  private demand(value: string): void {
    if (this.forms.has(value) || this.graph.initializers.has(value)) return;
    const node = this.producer.get(value);
    if (node === undefined || this.categories.has(node)) return;
    const dtype = this.facts.dtypes.get(value);
    if (this.facts.values.has(value) && dtype !== undefined && !isFloat(dtype)) return;
    const category = categoryOf(node, (v) => this.isConstant(v), (v) => this.facts.shapes.get(v)?.length ?? -1);
    if (category === undefined) {
      throw new SolderError(`${node.op} cannot run on the Triton runtime (no library kernel, no generated form)`, { node: node.name, op: node.op });
    }
    this.categories.set(node, category);
    for (const i of dataInputs(node, category)) {
      const input = node.inputs[i]!;
      this.consumers.set(input, [...(this.consumers.get(input) ?? []), node]);
      this.demand(input);
    }
  }

  private lowerNode(node: Node): void {
    const category = this.categories.get(node)!;
    switch (category) {
      case 'library': return lowerLibrary(this, node);
      case 'row': return lowerRow(this, node);
      case 'matmul': return lowerMatmul(this, node);
      case 'movement': return this.asViews(node) ? undefined : this.placeComputed(node);
      case 'elementwise': return this.placeComputed(node);
      case 'collective': return lowerCollective(this, node);
    }
  }

  private asViews(node: Node): boolean {
    const input = this.forms.get(node.inputs[0] ?? '') ?? (this.graph.initializers.has(node.inputs[0] ?? '') ? this.form(node.inputs[0]!) : undefined);
    if (input?.kind === 'stored' && node.op === 'Gather') return this.gatherAsView(node, input.view);
    if (input?.kind !== 'stored' || !['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Slice', 'Split'].includes(node.op)) return false;
    const views = node.outputs.map((_, i) => moveView(input.view, this.movement(node, i)));
    if (views.some((v) => v === undefined)) return false;
    this.checkSliceBounds(node, input.view);
    node.outputs.forEach((o, i) => this.setStored(o, views[i]!));
    return true;
  }

  // Gather of one constant index (x[:, 0]) picks a slice: an offset, and the dim dropped.
  private gatherAsView(node: Node, from: View): boolean {
    const indices = node.inputs[1]!;
    if (!this.graph.initializers.has(indices) && !this.facts.values.has(indices)) return false;
    const f = this.form(indices);
    const index = f.kind === 'literal' ? f.value : f.kind === 'shape' && f.dims.length === 1 && typeof f.dims[0] === 'number' ? f.dims[0] : undefined;
    const m = this.movement(node, 0);
    if (index === undefined || m.kind !== 'gather' || m.indexRank > 1) return false;
    const at = index >= 0 ? index : dimAdd(m.axisSize, index);
    if (typeof m.axisSize === 'number' && (typeof at !== 'number' || at < 0 || at >= m.axisSize)) {
      throw opError(node, `index ${index} is out of range for a dim of ${m.axisSize}`);
    }
    const keep = m.indexRank === 1;
    const shape = from.shape.flatMap((d, i) => (i === m.axis ? (keep ? [1] : []) : [d]));
    const strides = from.strides.flatMap((s, i) => (i === m.axis ? (keep ? [0] : []) : [s]));
    this.setStored(node.outputs[0]!, { ...from, shape, strides, offset: dimAdd(from.offset, dimMul(at, from.strides[m.axis]!)) });
    return true;
  }

  // A slice bound that is a symbol (x[:, :seq]) is trusted to lie inside the dim; check that at the max sizes.
  private checkSliceBounds(node: Node, from: View): void {
    if (node.op !== 'Slice') return;
    const env = this.symbols.maxEnv;
    node.outputs.forEach((o) => {
      const out = this.shape(o);
      out.forEach((d, i) => {
        if (this.symbols.evaluate(d, env) > this.symbols.evaluate(from.shape[i]!, env)) {
          throw new SolderError(`slices ${this.symbols.evaluate(d, env)} entries of a dim of ${this.symbols.evaluate(from.shape[i]!, env)} at the plan's max sizes: lower --max-seq/--max-batch`, { node: node.name, op: node.op });
        }
      });
    });
  }

  private placeComputed(node: Node): void {
    node.outputs.forEach((value, i) => {
      if (value === '' || !this.isUsed(value)) return;
      const users = this.consumers.get(value) ?? [];
      const isOutput = this.outputs.some((o) => o.value === value);
      this.forms.set(value, { kind: 'inline', node, output: i });
      if (isOutput || (users.length !== 1 && !this.isCheap(node))) {
        const view = this.dest(value);
        this.pointwise(node.name, view, (k, idx, mask) => k.valueAt(value, idx, mask));
        this.setStored(value, view);
      }
    });
  }

  // Index remaps over stored data cost a load each: recomputing them in every consumer is free.
  private isCheap(node: Node): boolean {
    if (this.categories.get(node) !== 'movement') return false;
    return dataInputs(node, 'movement').every((i) => {
      const f = this.form(node.inputs[i]!);
      return f.kind !== 'inline' || this.isCheap(f.node);
    });
  }
}
