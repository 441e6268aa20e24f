// The sharding plan: what happens to each node of the optimized graph on each rank.
// Finding the plan (attention-block.ts, mlp-block.ts) reads the unsharded graph once;
// applying it (rewrite.ts) builds one graph per rank from the same plan.
import { consumersOf, producerOf } from '../../ir/algo.js';
import { isKnown } from '../../ir/dim.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Node, ONNX_DOMAIN, SOLDER_DOMAIN, typeOf } from '../../ir/graph.js';
import { type Tensor, tensorFromBytes } from '../../ir/tensor.js';

/** Indices of kept columns (or rows) of a weight on one rank. */
export type Pick = (rank: number) => readonly number[];

/** Megatron's roles, recorded in node metadata under TP_ROLE_KEY. */
export type TensorParallelRole = 'column' | 'row' | 'all_reduce' | 'sharded' | 'head_slice';

export const TP_ROLE_KEY = 'solder.tensor_parallel';

export type NodeEdit =
  /** Linear or GatedMLP whose weights ([K, N]) keep the picked output columns, bias likewise. */
  | { readonly kind: 'column'; readonly pick: Pick }
  /** Linear whose weight keeps the picked input rows; bias and residual on rank 0; AllReduce after. */
  | { readonly kind: 'row'; readonly pick: Pick }
  /** Split along the last axis into per-rank sizes. */
  | { readonly kind: 'split'; readonly sizes: (rank: number) => readonly number[] }
  /** Reshape whose target entry at `axis` becomes the per-rank size (when it is written out). */
  | { readonly kind: 'reshape'; readonly axis: number; readonly size: (rank: number) => number }
  /** Attention whose per-head mask is cut to the rank's q heads [start, end) along `axis` (first expanded to `expandTo` heads when set). */
  | { readonly kind: 'attention'; readonly mask?: MaskCut }
  /** A node that only carries sharded heads through (Transpose, RotaryEmbedding): unchanged, retyped. */
  | { readonly kind: 'follow' };

export interface MaskCut {
  readonly axis: number;
  readonly heads: (rank: number) => readonly [number, number];
  readonly expandTo?: number;
}

export type ShardPlan = Map<string, NodeEdit>;

/** Lookups over the unsharded graph that the block finders share. */
export class GraphView {
  readonly producer: Map<string, Node>;
  readonly consumers: Map<string, Node[]>;
  private readonly outputs: Set<string>;

  constructor(readonly graph: Graph) {
    this.producer = producerOf(graph);
    this.consumers = consumersOf(graph);
    this.outputs = new Set(graph.outputs.map((o) => o.name));
  }

  /** The only node reading `value`, or undefined when several (or a graph output) read it. */
  soleConsumer(value: string): Node | undefined {
    const readers = this.consumers.get(value) ?? [];
    return readers.length === 1 && !this.outputs.has(value) ? readers[0] : undefined;
  }

  /** A value's dims, undefined where symbolic; undefined when the rank is unknown. */
  dims(value: string): (number | undefined)[] | undefined {
    return typeOf(this.graph, value)?.shape?.map((d) => (isKnown(d) ? d : undefined));
  }

  rank(value: string): number | undefined {
    return typeOf(this.graph, value)?.shape?.length;
  }

  /** The values of an initializer read by a node (Reshape targets, Split sizes). */
  constant(value: string): Tensor | undefined {
    const init = this.graph.initializers.get(value);
    if (init === undefined || this.graph.inputs.some((v) => v.name === value)) return undefined;
    return tensorFromBytes(init.dtype, init.shape, init.bytes.read());
  }
}

export function isOp(node: Node | undefined, op: string, domain: string = ONNX_DOMAIN): boolean {
  return node !== undefined && node.op === op && (node.domain === domain || (domain === ONNX_DOMAIN && node.domain === 'ai.onnx'));
}

export function isSolder(node: Node | undefined, op: string): boolean {
  return isOp(node, op, SOLDER_DOMAIN);
}

/** The user error for a graph form the pass cannot shard, naming the node. */
export function cannotShard(node: Node, problem: string): SolderError {
  return new SolderError(`cannot shard for tensor parallelism: ${problem}`, { node: node.name, op: node.op });
}

export function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

/** The columns of heads laid out one after another, `size` wide each, starting at `offset`. */
export function headColumns(heads: readonly number[], size: number, offset = 0): number[] {
  return heads.flatMap((h) => range(offset + h * size, size));
}
