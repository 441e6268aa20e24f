// Runs tensor-parallel rank graphs on the CPU with a simulated all-reduce: every rank
// runs node by node in the reference interpreter until it reaches its k-th AllReduce;
// when all ranks are there, their inputs are summed (in float64) and every rank gets
// the sum. This is what NCCL does on the GPUs, in the same order.
import { runNode } from '../../backends/reference/interpreter.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Node, SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';

/** Each rank's graph outputs, by name, after running all ranks together on the same inputs. */
export function runTensorParallel(graphs: readonly Graph[], feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor>[] {
  const envs = graphs.map((graph) => bindInputs(graph, feeds));
  const cursors = graphs.map(() => 0);
  for (let step = 0; ; step++) {
    const waiting = graphs.map((graph, r) => runToAllReduce(graph, envs[r] as Map<string, Tensor>, cursors, r));
    const arrived = waiting.filter((n): n is Node => n !== undefined);
    if (arrived.length === 0) break;
    if (arrived.length !== graphs.length) {
      const finished = waiting.flatMap((n, r) => (n === undefined ? [r] : []));
      throw new SolderError(`rank(s) ${finished.join(', ')} finished while the others wait at all-reduce #${step + 1}: the rank graphs disagree`);
    }
    const partials = arrived.map((node, r) => valueOf(envs[r] as Map<string, Tensor>, node.inputs[0] as string, node));
    const sum = sumTensors(partials, arrived[0] as Node, graphs.length);
    arrived.forEach((node, r) => {
      (envs[r] as Map<string, Tensor>).set(node.outputs[0] as string, { ...sum, data: sum.data.slice() });
      cursors[r] = (cursors[r] as number) + 1;
    });
  }
  return graphs.map((graph, r) => new Map(graph.outputs.map((o) => [o.name, valueOf(envs[r] as Map<string, Tensor>, o.name)])));
}

/** Runs rank r from its cursor up to its next AllReduce, which it returns (undefined at the end). */
function runToAllReduce(graph: Graph, env: Map<string, Tensor>, cursors: number[], r: number): Node | undefined {
  for (; (cursors[r] as number) < graph.nodes.length; cursors[r] = (cursors[r] as number) + 1) {
    const node = graph.nodes[cursors[r] as number] as Node;
    if (node.domain === SOLDER_DOMAIN && node.op === 'AllReduce') return node;
    const outputs = runNode(graph, node, env);
    node.outputs.forEach((name, k) => {
      const t = outputs[k];
      if (name !== '' && t !== undefined) env.set(name, t);
    });
  }
  return undefined;
}

function sumTensors(partials: readonly Tensor[], node: Node, ranks: number): Tensor {
  const declared = node.attrs['ranks']?.value;
  if (declared !== ranks) throw new SolderError(`AllReduce expects ${String(declared ?? 1)} ranks, ${ranks} are running`, { node: node.name, op: node.op });
  const first = partials[0] as Tensor;
  const acc = new Float64Array(first.data.length);
  for (const [r, t] of partials.entries()) {
    if (t.dtype !== first.dtype || t.shape.join(',') !== first.shape.join(',')) {
      throw new SolderError(`rank ${r} gives ${t.dtype}[${t.shape.join(', ')}], rank 0 ${first.dtype}[${first.shape.join(', ')}]`, { node: node.name, op: node.op });
    }
    for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (t.data[i] as number);
  }
  return makeTensor(first.dtype, first.shape, acc);
}

function bindInputs(graph: Graph, feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const env = new Map<string, Tensor>();
  for (const input of graph.inputs) {
    const t = feeds.get(input.name);
    if (t !== undefined) env.set(input.name, t);
    else if (!graph.initializers.has(input.name)) throw new SolderError(`missing input '${input.name}'`);
  }
  return env;
}

function valueOf(env: Map<string, Tensor>, name: string, node?: Node): Tensor {
  const t = env.get(name);
  if (t === undefined) throw new SolderError(`value '${name}' was never computed`, node === undefined ? {} : { node: node.name, op: node.op });
  return t;
}
