// The numbers behind `solder inspect`: size and make-up of a graph, from metadata only
// (initializer shapes and byte lengths), so that inspecting a large model reads no weights.
import { type Graph, ONNX_DOMAIN, type ValueInfo, typeOf } from './graph.js';
import { numel } from './tensor.js';

export interface OpCount {
  /** 'MatMul', or 'solder::Attention' outside the ONNX domain. */
  readonly op: string;
  readonly count: number;
}

export interface GraphStats {
  readonly name: string;
  readonly nodeCount: number;
  /** Most frequent op first; ties by name. */
  readonly ops: readonly OpCount[];
  readonly initializerCount: number;
  /** Sum of initializer element counts. */
  readonly parameterCount: number;
  /** Sum of initializer storage sizes. */
  readonly parameterBytes: number;
  /** Graph inputs that are not initializers (what a caller must feed), with their types. */
  readonly inputs: readonly ValueInfo[];
  /** Graph outputs, typed with the best type known (inferred when inference ran). */
  readonly outputs: readonly ValueInfo[];
}

/** Node count, op histogram, parameter count and typed inputs/outputs of a graph. */
export function graphStats(graph: Graph): GraphStats {
  const histogram = new Map<string, number>();
  for (const node of graph.nodes) {
    const op = node.domain === ONNX_DOMAIN || node.domain === 'ai.onnx' ? node.op : `${node.domain}::${node.op}`;
    histogram.set(op, (histogram.get(op) ?? 0) + 1);
  }
  const ops = [...histogram]
    .map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
  let parameterCount = 0;
  let parameterBytes = 0;
  for (const init of graph.initializers.values()) {
    parameterCount += numel(init.shape);
    parameterBytes += init.bytes.byteLength;
  }
  return {
    name: graph.name,
    nodeCount: graph.nodes.length,
    ops,
    initializerCount: graph.initializers.size,
    parameterCount,
    parameterBytes,
    inputs: graph.inputs.filter((v) => !graph.initializers.has(v.name)),
    outputs: graph.outputs.map((v) => ({ ...v, type: typeOf(graph, v.name) ?? v.type })),
  };
}
