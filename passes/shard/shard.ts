// Tensor-parallel sharding: one optimized graph in, one graph per rank out, split the
// way Megatron-LM splits a transformer layer.
//
//   import { shardGraph } from './passes/shard/shard.js';
//   const ranks = shardGraph(optimize(load(file)).graph, { ranks: 2 });   // Graph[]
//
// Over the OPTIMIZED IR (solder::Attention / Linear / GatedMLP nodes):
// - attention: the q/k/v Linear weights [K, N] keep each rank's heads' columns (a packed
//   QKV Linear is cut per q/k/v segment, and its Split gets per-rank sizes); kv heads are
//   split when the rank count divides them and replicated otherwise (heads.ts); Reshapes
//   between the Linear and the Attention (or after it) that write a head count get the
//   per-rank count; a per-head mask (T5's position bias) is sliced to the rank's heads;
// - MLP: the first projection (Linear or GatedMLP gate/up) keeps a block of hidden
//   columns, the down projection the same block of rows;
// - the attention output and MLP down projections are row-parallel: each rank's
//   Linear gives a partial sum, bias and residual are added on rank 0 only, and a
//   solder::AllReduce (sum over `ranks`) follows, so every rank holds the full result;
// - everything else (embeddings, norms, rotary tables, masks) is replicated.
// Edited nodes carry metadata `solder.tensor_parallel` = column | row | all_reduce |
// sharded | head_slice; each graph's model metadata records its rank and the rank count.
// Sliced weights are new initializers named `<weight>.rank<r>`; the full weights they
// came from are dropped. A graph form the pass cannot shard is a SolderError naming the node.
//
// For the GPU side: rank r loads only graph r's initializers, and runs its AllReduce
// nodes as NCCL all_reduce(sum) over the `ranks` GPUs, in graph order (every rank has
// the same AllReduce sequence). On the CPU, simulate.ts runs the ranks in lockstep.
import { SolderError } from '../../ir/errors.js';
import type { Graph } from '../../ir/graph.js';
import { planAttention } from './attention-block.js';
import { planMlps } from './mlp-block.js';
import { GraphView, type ShardPlan, isSolder } from './plan.js';
import { rewriteForRank } from './rewrite.js';

export interface ShardOptions {
  /** How many ranks (GPUs) share each layer; 1 returns the graph unchanged. */
  readonly ranks: number;
}

/** Splits an optimized graph into one graph per tensor-parallel rank. */
export function shardGraph(graph: Graph, options: ShardOptions): Graph[] {
  const { ranks } = options;
  if (!Number.isInteger(ranks) || ranks < 1) throw new SolderError(`tensor-parallel rank count must be a positive integer, found ${ranks}`);
  if (ranks === 1) return [graph];
  const plan = planSharding(graph, ranks);
  return Array.from({ length: ranks }, (_, rank) => rewriteForRank(graph, plan, ranks, rank));
}

/** What happens to each node on each rank; a SolderError naming the node when a block cannot be split. */
export function planSharding(graph: Graph, ranks: number): ShardPlan {
  const view = new GraphView(graph);
  const plan: ShardPlan = new Map();
  for (const node of graph.nodes) if (isSolder(node, 'Attention')) planAttention(view, node, ranks, plan);
  planMlps(view, ranks, plan);
  if (![...plan.values()].some((e) => e.kind === 'row')) {
    throw new SolderError(`nothing to shard over ${ranks} ranks in graph '${graph.name}': no solder Attention or MLP block found (run optimize first)`);
  }
  return plan;
}

export { TP_ROLE_KEY } from './plan.js';
export type { TensorParallelRole } from './plan.js';
export { TP_RANK_KEY, TP_RANKS_KEY } from './rewrite.js';
