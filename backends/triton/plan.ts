// plan.json: the lowered launches with names, a memory layout and deduplicated generated
// kernels, in the shape backends/triton/plan.schema.json fixes for the Python runtime.
import { type Dim, dimProduct } from '../../ir/dim.js';
import { type DType, byteSize } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Launch, LaunchArg } from './launch.js';
import { type Lowered, type PlanDtype, lowerGraph } from './lower.js';
import { ARENA_ALIGNMENT, type BufferUse, type MemoryPlan, planMemory } from './memory.js';
import type { Limits } from './symbols.js';
import { type TensorSource, isWhole } from './views.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface PlanReport {
  readonly launches: number;
  readonly libraryLaunches: Readonly<Record<string, number>>;
  readonly generatedLaunches: number;
  readonly generatedKernels: number;
  readonly buffers: number;
  readonly arenaBytes: number;
  readonly naiveBytes: number;
  readonly weightBytes: number;
}

export interface EmittedPlan {
  readonly plan: { [key: string]: Json };
  readonly weights: ReadonlyMap<string, Tensor>;
  readonly report: PlanReport;
  readonly memory: MemoryPlan;
  readonly uses: readonly BufferUse[];
}

export interface PlanOptions extends Limits {
  readonly dtype: PlanDtype;
}

/** Lowers an optimized graph and lays it out as plan.json plus the weights to store. */
export function emitPlan(graph: Graph, options: PlanOptions): EmittedPlan {
  let lowered: Lowered;
  try {
    lowered = lowerGraph(graph, options.dtype, options);
  } catch (e) {
    // Node names are model text: keep the message on one line whatever they hold.
    if (e instanceof SolderError && e.message.includes('\n')) throw new SolderError(e.message.replace(/[\r\n]+/g, ' '));
    throw e;
  }
  const { symbols } = lowered;
  const env = symbols.maxEnv;
  const uses = bufferUses(lowered, (shape, dtype) => symbols.evaluate(dimProduct(shape), env) * byteSize(dtype));
  const memory = planMemory(uses);
  const f = (d: Dim) => symbols.formula(d, 'plan');
  const kernels = new Map<string, string>();
  const generated: { [id: string]: Json } = {};
  const launches = lowered.launches.map((l) => {
    let kernel = l.kernel;
    if (l.generated !== undefined) {
      let id = kernels.get(l.generated.source);
      if (id === undefined) {
        id = `k${kernels.size}`;
        kernels.set(l.generated.source, id);
        generated[id] = { source: l.generated.source, entry: 'kernel', signature: l.generated.signature.map((p) => ({ ...p })) };
      }
      kernel = `generated:${id}`;
    }
    const out: { [key: string]: Json } = { kernel, name: l.name, args: renderArgs(lowered, l, f) };
    if (Object.keys(l.attrs).length > 0) out.attrs = { ...l.attrs };
    if (l.grid !== undefined) out.grid = l.grid.map((g) => symbols.render(g, 'grid'));
    return out;
  });
  const used = new Set(uses.map((u) => u.name));
  const buffers: { [key: string]: Json } = {};
  for (const [name, b] of lowered.buffers) {
    if (used.has(name)) buffers[name] = { offset: memory.offsets.get(name)!, dtype: b.dtype, shape: b.shape.map(f) };
  }
  const weights: { [key: string]: Json } = {};
  let weightBytes = 0;
  for (const [name, t] of lowered.weights.tensors) {
    weights[name] = { dtype: t.dtype, shape: [...t.shape] };
    weightBytes += t.data.length * byteSize(t.dtype);
  }
  const io = (list: Lowered['inputs']) => list.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape.map(f) }));
  const plan: { [key: string]: Json } = {
    version: 1,
    dtype: options.dtype,
    symbols: Object.fromEntries([...symbols.byModel.values()].map((s) => [s.name, { max: s.max, bucket: s.bucket }])),
    inputs: io(lowered.inputs),
    outputs: io(lowered.outputs),
    weights,
    arena: { size: memory.size, alignment: ARENA_ALIGNMENT },
    buffers,
    launches,
  };
  if (kernels.size > 0) plan.generated_kernels = generated;
  const library: Record<string, number> = {};
  for (const l of lowered.launches) if (l.generated === undefined) library[l.kernel] = (library[l.kernel] ?? 0) + 1;
  const report: PlanReport = {
    launches: launches.length,
    libraryLaunches: library,
    generatedLaunches: lowered.launches.filter((l) => l.generated !== undefined).length,
    generatedKernels: kernels.size,
    buffers: uses.length,
    arenaBytes: memory.size,
    naiveBytes: memory.naive,
    weightBytes,
  };
  return { plan, weights: lowered.weights.tensors, report, memory, uses };
}

function renderArgs(lowered: Lowered, l: Launch, f: (d: Dim) => string | number): Json {
  const out: { [key: string]: Json } = {};
  for (const [name, arg] of Object.entries(l.args)) out[name] = renderArg(lowered, arg, f);
  return out;
}

function renderArg(lowered: Lowered, arg: LaunchArg, f: (d: Dim) => string | number): Json {
  if ('formula' in arg) return { formula: f(arg.formula) };
  if ('real' in arg) {
    const name = f(arg.real);
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SolderError(`a real-length argument must be one symbol, found '${String(name)}'`);
    return { real: name };
  }
  const v = arg.view;
  const ref: { [key: string]: Json } = { [v.source.kind]: v.source.name };
  if (!isWhole(v, storedShape(lowered, v.source))) {
    ref.view = { shape: v.shape.map(f), strides: v.strides.map(f), offset: f(v.offset) };
  }
  return ref;
}

function storedShape(lowered: Lowered, source: TensorSource): readonly Dim[] {
  switch (source.kind) {
    case 'buffer': return lowered.buffers.get(source.name)!.shape;
    case 'weight': return lowered.weights.tensors.get(source.name)!.shape;
    case 'input': return lowered.inputs.find((i) => i.name === source.name)!.shape;
    default: return lowered.outputs.find((o) => o.name === source.name)!.shape;
  }
}

/** Each buffer's live range over the launch list, and its bytes at the max sizes. */
function bufferUses(lowered: Lowered, bytesOf: (shape: readonly Dim[], dtype: DType) => number): BufferUse[] {
  const range = new Map<string, { first: number; last: number }>();
  lowered.launches.forEach((l, i) => {
    for (const arg of Object.values(l.args)) {
      if (!('view' in arg) || arg.view.source.kind !== 'buffer') continue;
      const name = arg.view.source.name;
      const r = range.get(name);
      range.set(name, r === undefined ? { first: i, last: i } : { first: r.first, last: i });
    }
  });
  return [...range].map(([name, r]) => {
    const b = lowered.buffers.get(name)!;
    return { name, bytes: bytesOf(b.shape, b.dtype), first: r.first, last: r.last };
  });
}
