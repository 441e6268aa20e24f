// Applies a sharding plan for one rank: slices weights, rewrites head counts in shape
// constants, inserts the AllReduce after each row-parallel Linear, then retypes and
// verifies the rank graph.
import { intAttr } from '../../ir/attrs.js';
import { type Graph, type Node, SOLDER_DOMAIN } from '../../ir/graph.js';
import { inferTypes } from '../../ir/infer.js';
import { tensorFromBytes } from '../../ir/tensor.js';
import { verify } from '../../ir/verify.js';
import { eliminateDeadCode } from '../dead-code.js';
import { NameSource, withInitializers } from '../edit.js';
import { evaluateNode } from '../evaluate.js';
import { type MaskCut, type NodeEdit, type ShardPlan, TP_ROLE_KEY, type TensorParallelRole } from './plan.js';
import { RankConstants } from './rank-constants.js';

export const TP_RANK_KEY = 'solder.tensor_parallel.rank';
export const TP_RANKS_KEY = 'solder.tensor_parallel.ranks';

/** The graph rank `rank` of `ranks` runs. */
export function rewriteForRank(graph: Graph, plan: ShardPlan, ranks: number, rank: number): Graph {
  const names = new NameSource(graph);
  const constants = new RankConstants(graph, rank, names);
  const nodes: Node[] = [];
  const retyped = new Set<string>();
  const ctx: RankContext = { constants, names, ranks, rank, maskCuts: new Map() };
  for (const node of graph.nodes) {
    const edit = plan.get(node.name);
    if (edit === undefined) {
      nodes.push(node);
      continue;
    }
    const rewritten = rewriteNode(graph, node, edit, ctx);
    for (const n of rewritten) for (const o of n.outputs) retyped.add(o);
    nodes.push(...rewritten);
  }
  const valueInfo = new Map([...graph.valueInfo].filter(([name]) => !retyped.has(name)));
  const metadata = { ...graph.meta.metadata, [TP_RANK_KEY]: String(rank), [TP_RANKS_KEY]: String(ranks) };
  const draft = withInitializers({ ...graph, nodes, valueInfo, meta: { ...graph.meta, metadata } }, constants.added);
  const typed = eliminateDeadCode(inferTypes(draft, { evaluate: evaluateNode }));
  verify(typed);
  return typed;
}

interface RankContext {
  readonly constants: RankConstants;
  readonly names: NameSource;
  readonly ranks: number;
  readonly rank: number;
  /** The sliced value of each mask already cut, by mask and head range. */
  readonly maskCuts: Map<string, string>;
}

function rewriteNode(graph: Graph, node: Node, edit: NodeEdit, ctx: RankContext): Node[] {
  const { constants, rank } = ctx;
  switch (edit.kind) {
    case 'follow':
      return [tagged(node, 'sharded')];
    case 'column': {
      const pick = edit.pick(rank);
      // Linear: x, weight, bias; GatedMLP: x, w_gate, w_up. Every input after x is sliced by columns.
      const inputs = node.inputs.map((name, i) => (i === 0 || name === '' ? name : constants.columns(name, pick)));
      return [tagged({ ...node, inputs }, 'column')];
    }
    case 'row':
      return rowParallel(node, edit.pick(rank), ctx);
    case 'split': {
      const sizes = constants.ints(node.inputs[1] || `${node.name}/split`, edit.sizes(rank));
      const { num_outputs: _, ...attrs } = node.attrs;
      return [tagged({ ...node, inputs: [node.inputs[0] as string, sizes], attrs }, 'sharded')];
    }
    case 'reshape': {
      const target = node.inputs[1] as string;
      const values = Array.from(readInts(graph, target));
      if ((values[edit.axis] as number) <= 0) return [tagged(node, 'sharded')];
      values[edit.axis] = edit.size(rank);
      return [tagged({ ...node, inputs: [node.inputs[0] as string, constants.ints(target, values)] }, 'sharded')];
    }
    case 'attention': {
      if (edit.mask === undefined) return [tagged(node, 'sharded')];
      // Layers share one mask: cut it once per rank.
      const key = [node.inputs[3], ...edit.mask.heads(rank), edit.mask.expandTo].join('\u0000');
      const known = ctx.maskCuts.get(key);
      const cut = known === undefined ? cutMask(node, edit.mask, ctx) : [];
      const sliced = known ?? (cut.at(-1)?.outputs[0] as string);
      ctx.maskCuts.set(key, sliced);
      const inputs = node.inputs.map((name, i) => (i === 3 ? sliced : name));
      return [...cut, tagged({ ...node, inputs }, 'sharded')];
    }
  }
}

/** Slice(mask) to the rank's heads, after Expand to all heads when the mask's head dim is symbolic. */
function cutMask(attention: Node, cut: MaskCut, ctx: RankContext): Node[] {
  const { constants, names, rank } = ctx;
  const nodes: Node[] = [];
  let mask = attention.inputs[3] as string;
  const rankOf = cut.axis + 3;
  if (cut.expandTo !== undefined) {
    const shape = Array.from({ length: rankOf }, (_, i) => (i === cut.axis ? (cut.expandTo as number) : 1));
    const expanded = names.fresh(`${mask}.heads`);
    nodes.push(helper(names.fresh(`${attention.name}/mask_expand`), 'Expand', [mask, constants.ints(`${attention.name}/mask_shape`, shape)], expanded));
    mask = expanded;
  }
  const [start, end] = cut.heads(rank);
  const bounds = [[start], [end], [cut.axis]].map((v, i) => constants.ints(`${attention.name}/mask_${['start', 'end', 'axis'][i]}`, v));
  nodes.push(helper(names.fresh(`${attention.name}/mask_heads`), 'Slice', [mask, ...bounds], names.fresh(`${mask}.rank${rank}`)));
  return nodes;
}

function helper(name: string, op: string, inputs: string[], output: string): Node {
  return tagged({ name, op, domain: '', inputs, outputs: [output], attrs: {} }, 'head_slice');
}

/** x·W[rows] on every rank, bias and residual on rank 0 only, then the sum over ranks. */
function rowParallel(node: Node, rows: readonly number[], ctx: RankContext): Node[] {
  const [x, weight, bias = '', residual = ''] = node.inputs as string[];
  const once = (name: string) => (ctx.rank === 0 ? name : '');
  const inputs = trimAbsent([x as string, ctx.constants.rows(weight as string, rows), once(bias), once(residual)]);
  const y = node.outputs[0] as string;
  const partial = ctx.names.fresh(`${y}.partial`);
  const reduce: Node = {
    name: ctx.names.fresh(`${node.name}/AllReduce`),
    op: 'AllReduce',
    domain: SOLDER_DOMAIN,
    inputs: [partial],
    outputs: [y],
    attrs: { ranks: intAttr(ctx.ranks) },
  };
  return [tagged({ ...node, inputs, outputs: [partial] }, 'row'), tagged(reduce, 'all_reduce')];
}

function tagged(node: Node, role: TensorParallelRole): Node {
  return { ...node, metadata: { ...node.metadata, [TP_ROLE_KEY]: role } };
}

function trimAbsent(inputs: string[]): string[] {
  while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
  return inputs;
}

function readInts(graph: Graph, name: string): ArrayLike<number> {
  const init = graph.initializers.get(name);
  if (init === undefined) throw new Error(`planned Reshape target '${name}' is not an initializer`);
  return tensorFromBytes(init.dtype, init.shape, init.bytes.read()).data;
}
