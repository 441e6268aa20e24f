// Runs a graph on the CPU, node by node in topological order, with the reference kernels.
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Node, type ValueInfo } from '../../ir/graph.js';
import { isKnown } from '../../ir/dim.js';
import { type Tensor, roundInPlace, tensorFromBytes } from '../../ir/tensor.js';
import { findKernel } from './kernel.js';
import './kernels/index.js';

export interface RunOptions {
  /** Keep every intermediate value in the result, not just the graph outputs. */
  readonly keepAll?: boolean;
  /** Called after each node with its outputs, for the debugger and `check`. */
  readonly onNode?: (node: Node, outputs: readonly Tensor[]) => void;
}

export interface RunResult {
  /** Graph outputs by name, in the graph's order. */
  readonly outputs: ReadonlyMap<string, Tensor>;
  /** Every value computed, when keepAll was set. */
  readonly values: ReadonlyMap<string, Tensor>;
}

/** Executes the graph on the given inputs (by graph input name). */
export function interpret(graph: Graph, feeds: ReadonlyMap<string, Tensor>, options: RunOptions = {}): RunResult {
  const env = new Map<string, Tensor>();
  bindInputs(graph, feeds, env);
  const lastUse = options.keepAll ? undefined : lastUses(graph);
  for (const [i, node] of graph.nodes.entries()) {
    const outputs = runNode(graph, node, env);
    options.onNode?.(node, outputs);
    node.outputs.forEach((name, k) => {
      const t = outputs[k];
      if (name !== '' && t !== undefined) env.set(name, t);
    });
    if (lastUse !== undefined) {
      for (const name of node.inputs) if (lastUse.get(name) === i) env.delete(name);
    }
  }
  const outputs = new Map<string, Tensor>();
  for (const o of graph.outputs) {
    const t = env.get(o.name) ?? initializerTensor(graph, o.name);
    if (t === undefined) throw new SolderError(`graph output '${o.name}' was never computed`);
    outputs.set(o.name, t);
  }
  return { outputs, values: options.keepAll ? env : new Map() };
}

/** Runs one node on tensors already computed; exported for `check`, which feeds nodes reference inputs. */
export function runNode(graph: Graph, node: Node, env: ReadonlyMap<string, Tensor>): Tensor[] {
  const kernel = findKernel(node.domain, node.op);
  if (kernel === undefined) {
    throw new SolderError(`no reference kernel for op ${node.op}`, { node: node.name, op: node.op });
  }
  const inputs = node.inputs.map((name) => {
    if (name === '') return undefined;
    const t = env.get(name) ?? initializerTensor(graph, name);
    if (t === undefined) throw new SolderError(`input '${name}' is not defined`, { node: node.name, op: node.op });
    return t;
  });
  const outputs = kernel(inputs, node);
  for (const t of outputs) roundInPlace(t.dtype, t.data);
  return outputs;
}

const decoded = new WeakMap<object, Tensor>();

function initializerTensor(graph: Graph, name: string): Tensor | undefined {
  const init = graph.initializers.get(name);
  if (init === undefined) return undefined;
  const cached = decoded.get(init);
  if (cached !== undefined) return cached;
  const t = tensorFromBytes(init.dtype, init.shape, init.bytes.read());
  decoded.set(init, t);
  return t;
}

function bindInputs(graph: Graph, feeds: ReadonlyMap<string, Tensor>, env: Map<string, Tensor>): void {
  const symbols = new Map<string, number>();
  for (const input of graph.inputs) {
    const t = feeds.get(input.name);
    if (t === undefined) {
      if (graph.initializers.has(input.name)) continue;
      throw new SolderError(`missing input '${input.name}'`);
    }
    checkFeed(input, t, symbols);
    env.set(input.name, t);
  }
  for (const name of feeds.keys()) {
    if (!graph.inputs.some((v) => v.name === name)) {
      const names = graph.inputs.map((v) => v.name).join(', ');
      throw new SolderError(`unknown input '${name}' (the graph takes: ${names})`);
    }
  }
}

function checkFeed(input: ValueInfo, t: Tensor, symbols: Map<string, number>): void {
  const { dtype, shape } = input.type;
  if (t.dtype !== dtype) throw new SolderError(`input '${input.name}' is ${t.dtype}, the graph expects ${dtype}`);
  if (shape === undefined) return;
  const problem = `input '${input.name}' has shape [${t.shape.join(', ')}]`;
  if (shape.length !== t.shape.length) throw new SolderError(`${problem}, the graph expects rank ${shape.length}`);
  shape.forEach((d, i) => {
    const got = t.shape[i] as number;
    if (isKnown(d)) {
      if (d !== got) throw new SolderError(`${problem}, the graph expects ${d} in dim ${i}`);
      return;
    }
    const seen = symbols.get(d.expr);
    if (seen !== undefined && seen !== got) {
      throw new SolderError(`${problem}, but '${d.expr}' is ${seen} in another input`);
    }
    symbols.set(d.expr, got);
  });
}

function lastUses(graph: Graph): Map<string, number> {
  const last = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.inputs.forEach((name) => last.set(name, i)));
  for (const o of graph.outputs) last.delete(o.name);
  return last;
}
