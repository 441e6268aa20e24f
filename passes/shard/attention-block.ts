// Plans one attention block the Megatron way: the q/k/v projections are column-parallel
// (each rank computes its heads), the output projection is row-parallel (each rank
// multiplies its heads' rows and an AllReduce adds the partial sums).
//
// The block is found by structure, from the solder::Attention node outwards:
//   Linear [-> Split] -> (Reshape | Transpose | RotaryEmbedding)* -> Attention.q/k/v
//   Attention -> (Transpose | Reshape)* -> Linear (x input)
// A packed QKV Linear feeds a Split on its last axis; each Split output is one of q, k, v.
// Along each path the pass tracks where the heads sit (`HeadAxis`), so that a Reshape
// writing a head count (or heads*head_dim) into its target gets the per-rank count.
import { type Dim, sym } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { assignHeads, type RankHeads } from './heads.js';
import { GraphView, type ShardPlan, cannotShard, headColumns, isOp, isSolder } from './plan.js';

type Role = 'q' | 'k' | 'v';

/** Heads laid out along `axis` as `heads` blocks of `inner` elements each (row-major). */
interface HeadAxis {
  readonly axis: number;
  readonly heads: number;
  readonly inner: number;
}

/** Where a q/k/v path starts: a Linear's output, or output `index` of a Split of one. */
interface PathSource {
  readonly node: Node;
  readonly index: number;
}

interface Segment {
  readonly role: Role;
  readonly headSize: number;
}

/** Adds the edits of the attention block around `attention` to the plan. */
export function planAttention(view: GraphView, attention: Node, ranks: number, plan: ShardPlan): void {
  const [qHeads, kvHeads] = headCounts(view, attention);
  const perRank = new Map<number, RankHeads>();
  const heads = (rank: number): RankHeads => {
    let h = perRank.get(rank);
    if (h === undefined) perRank.set(rank, (h = assignHeads(qHeads, kvHeads, ranks, rank, attention.name)));
    return h;
  };
  for (let r = 0; r < ranks; r++) heads(r); // fail before any edit when the heads do not split
  const local = (role: Role) => (rank: number) => (role === 'q' ? heads(rank).q : heads(rank).kv);

  const splitSegments = new Map<Node, Map<number, Segment>>();
  (['q', 'k', 'v'] as const).forEach((role, i) => {
    const { path, source } = traceInput(view, attention, i, role);
    const count = role === 'q' ? qHeads : kvHeads;
    const value = source.node.outputs[source.index] as string;
    const width = view.dims(value)?.at(-1);
    if (width === undefined || width % count !== 0) {
      throw cannotShard(source.node, `output '${value}' of width ${width ?? '?'} does not hold ${count} ${role} heads`);
    }
    const headSize = width / count;
    let state: HeadAxis = { axis: (view.rank(value) as number) - 1, heads: count, inner: headSize };
    checkShapeReaders(view, value, state.axis);
    for (const node of path) {
      state = follow(view, node, state, (rank) => local(role)(rank).length, plan);
      checkShapeReaders(view, node.outputs[0] as string, state.axis);
    }
    if (state.axis !== 1 || state.inner !== 1) throw cannotShard(attention, `its ${role} input does not hold the heads on axis 1`);
    if (isOp(source.node, 'Split')) {
      const segments = splitSegments.get(source.node) ?? new Map<number, Segment>();
      segments.set(source.index, { role, headSize });
      splitSegments.set(source.node, segments);
    } else {
      planColumns(view, source.node, [{ role, headSize, offset: 0 }], local, plan);
    }
  });
  for (const [split, segments] of splitSegments) planPackedProjection(view, split, segments, local, plan);
  plan.set(attention.name, { kind: 'attention', ...maskSlice(view, attention, qHeads, (rank) => heads(rank).q) });
  planOutputProjection(view, attention, qHeads, local('q'), plan);
}

function headCounts(view: GraphView, attention: Node): [number, number] {
  const [q, k, v] = [0, 1, 2].map((i) => view.dims(attention.inputs[i] as string));
  const known = (d: (number | undefined)[] | undefined) => d?.length === 4 && d[1] !== undefined && d[3] !== undefined;
  if (!known(q) || !known(k) || !known(v)) {
    throw cannotShard(attention, 'q, k and v need static [batch, heads, seq, head_dim] shapes (heads and head_dim known)');
  }
  return [q?.[1] as number, k?.[1] as number];
}

/** Walks from Attention input i back to the Linear (or Split of one) that computes it. */
function traceInput(view: GraphView, attention: Node, i: number, role: Role): { path: Node[]; source: PathSource } {
  const path: Node[] = [];
  let value = attention.inputs[i] as string;
  let reader = attention;
  for (;;) {
    const others = (view.consumers.get(value) ?? []).filter((n) => n !== reader);
    if (view.soleConsumer(value) !== reader && (others.length === 0 || !others.every((n) => isOp(n, 'Shape')))) {
      throw cannotShard(reader, `value '${value}' on the ${role} path of attention '${attention.name}' is also read elsewhere`);
    }
    const node = view.producer.get(value);
    if (node === undefined) throw cannotShard(attention, `its ${role} input comes from '${value}', not from a Linear`);
    if (isOp(node, 'Transpose') || isOp(node, 'Reshape') || isSolder(node, 'RotaryEmbedding')) {
      path.unshift(node);
      reader = node;
      value = node.inputs[0] as string;
      continue;
    }
    if (isOp(node, 'Split') || isSolder(node, 'Linear')) return { path, source: { node, index: node.outputs.indexOf(value) } };
    throw cannotShard(node, `attention '${attention.name}' reads its ${role} input through ${node.op}, which cannot be split by heads`);
  }
}

/**
 * A Shape node reading a sharded value sees the rank's head count, so it may only be used
 * for other dims: its range must leave the heads axis out, or only constant Gathers of
 * other dims may read it (T5 reads k's sequence length this way).
 */
function checkShapeReaders(view: GraphView, value: string, axis: number): void {
  const rank = view.rank(value) ?? 0;
  for (const shape of (view.consumers.get(value) ?? []).filter((n) => isOp(n, 'Shape'))) {
    const norm = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
    const start = norm(Number(shape.attrs['start']?.value ?? 0));
    const end = norm(Number(shape.attrs['end']?.value ?? rank));
    if (axis < start || axis >= end) continue;
    for (const reader of view.consumers.get(shape.outputs[0] as string) ?? []) {
      const index = isOp(reader, 'Gather') && reader.inputs[0] === shape.outputs[0] ? view.constant(reader.inputs[1] as string) : undefined;
      const picked = index === undefined ? [axis - start] : Array.from(index.data, (i) => (i < 0 ? i + end - start : i));
      if (picked.includes(axis - start)) throw cannotShard(shape, `it reads the sharded heads dim of '${value}'`);
    }
  }
}

/** The head layout after one node of a path, recording the node's edit. */
function follow(view: GraphView, node: Node, state: HeadAxis, localCount: (rank: number) => number, plan: ShardPlan): HeadAxis {
  if (plan.has(node.name)) throw cannotShard(node, 'it lies on two sharded paths');
  if (isOp(node, 'Transpose')) {
    const rank = view.rank(node.inputs[0] as string) ?? 0;
    const given = node.attrs['perm'];
    const perm = given?.kind === 'ints' ? given.value : Array.from({ length: rank }, (_, i) => rank - 1 - i);
    plan.set(node.name, { kind: 'follow' });
    return { ...state, axis: perm.indexOf(state.axis) };
  }
  if (isSolder(node, 'RotaryEmbedding')) {
    if (state.axis !== 1 || state.inner !== 1) throw cannotShard(node, 'its input does not hold the heads on axis 1');
    for (const table of node.inputs.slice(1)) {
      if (view.rank(table) === 4 && view.dims(table)?.[1] !== 1) throw cannotShard(node, `its cos/sin table '${table}' varies by head`);
    }
    plan.set(node.name, { kind: 'follow' });
    return state;
  }
  if (isOp(node, 'Reshape')) return followReshape(view, node, state, localCount, plan);
  throw cannotShard(node, `${node.op} cannot carry sharded heads`);
}

/** Finds the output axis that holds the heads, and plans the per-rank target entry for it. */
function followReshape(view: GraphView, node: Node, state: HeadAxis, localCount: (rank: number) => number, plan: ShardPlan): HeadAxis {
  const input = view.dims(node.inputs[0] as string);
  const output = view.dims(node.outputs[0] as string);
  if (input === undefined || output === undefined || input.slice(state.axis + 1).includes(undefined)) throw cannotShard(node, 'the dims after the heads must be static');
  const stride = state.inner * product(input.slice(state.axis + 1) as number[]);
  const extent = state.heads * stride;
  let axis = -1;
  let suffix = 1;
  for (let b = output.length - 1; b >= 0 && suffix <= extent; b--) {
    const d = output[b];
    if (d === undefined) break;
    // With one head, size-1 dims also match: the outermost one holds the head.
    if (suffix * d === extent && d % state.heads === 0) axis = b;
    else if (axis >= 0) break;
    suffix *= d;
  }
  const shapes = `${shapeString(input.map(orSymbol))} -> ${shapeString(output.map(orSymbol))}`;
  if (axis < 0) throw cannotShard(node, `it regroups the ${state.heads} heads across dims (${shapes})`);
  const target = view.constant(node.inputs[1] as string);
  if (target === undefined) throw cannotShard(node, 'its target shape is computed at run time, so the per-rank head count cannot be written into it');
  const allowZero = node.attrs['allowzero']?.value === 1;
  Array.from(target.data).forEach((entry, i) => {
    const copiesSharded = entry === 0 && !allowZero && i === state.axis;
    if (copiesSharded && !(i === axis && input[i] === output[i])) throw cannotShard(node, `target entry ${i} copies the sharded dim (${shapes})`);
    if (i === axis && entry > 0 && entry !== output[axis]) throw cannotShard(node, `target entry ${i} is ${entry}, expected ${output[axis]}`);
  });
  const inner = (output[axis] as number) / state.heads;
  plan.set(node.name, { kind: 'reshape', axis, size: (rank) => localCount(rank) * inner });
  return { axis, heads: state.heads, inner };
}

/** A column-parallel Linear whose output is `segments` laid side by side. */
function planColumns(view: GraphView, linear: Node, segments: readonly (Segment & { offset: number })[], local: (role: Role) => (rank: number) => readonly number[], plan: ShardPlan): void {
  if (!isSolder(linear, 'Linear')) throw cannotShard(linear, 'a sharded q/k/v path must start at a solder Linear');
  if ((linear.inputs[3] ?? '') !== '') throw cannotShard(linear, 'a column-parallel Linear cannot add a residual');
  if (plan.has(linear.name)) throw cannotShard(linear, 'it feeds two attention blocks');
  plan.set(linear.name, { kind: 'column', pick: (rank) => segments.flatMap((s) => headColumns(local(s.role)(rank), s.headSize, s.offset)) });
}

/** A packed QKV Linear and the Split on its last axis that separates q, k and v. */
function planPackedProjection(view: GraphView, split: Node, segments: Map<number, Segment>, local: (role: Role) => (rank: number) => readonly number[], plan: ShardPlan): void {
  const input = split.inputs[0] as string;
  const rank = view.rank(input) ?? 0;
  const axis = split.attrs['axis']?.value ?? 0;
  if (axis !== -1 && axis !== rank - 1) throw cannotShard(split, 'a packed q/k/v Split must cut the last axis');
  const linear = view.producer.get(input);
  if (linear === undefined || view.soleConsumer(input) !== split) throw cannotShard(split, 'a packed q/k/v Split must be the only reader of a Linear');
  const placed: (Segment & { offset: number })[] = [];
  let offset = 0;
  split.outputs.forEach((out, i) => {
    const segment = segments.get(i);
    if (segment === undefined) throw cannotShard(split, `its output '${out}' is not a q, k or v input of the attention it feeds`);
    placed.push({ ...segment, offset });
    offset += view.dims(out)?.at(-1) ?? Number.NaN;
  });
  if (offset !== view.dims(input)?.at(-1)) throw cannotShard(split, 'the split sizes must be static and cover the packed projection');
  planColumns(view, linear, placed, local, plan);
  plan.set(split.name, { kind: 'split', sizes: (r) => placed.map((s) => local(s.role)(r).length * s.headSize) });
}

/**
 * A mask with one entry per head is cut to the rank's q heads; a broadcast mask stays whole.
 * A mask whose head dim is only known at run time (1 or all heads) is first expanded to
 * all heads, so that the cut is right either way.
 */
function maskSlice(view: GraphView, attention: Node, qHeads: number, q: (rank: number) => readonly number[]) {
  const mask = attention.inputs[3] ?? '';
  const rank = mask === '' ? 0 : view.rank(mask);
  if (rank === undefined) throw cannotShard(attention, 'its mask has an unknown rank');
  if (rank < 3) return {};
  const axis = rank - 3;
  const dim = view.dims(mask)?.[axis];
  if (dim === 1) return {};
  if (dim !== undefined && dim !== qHeads) throw cannotShard(attention, `its mask has ${dim} heads, expected 1 or ${qHeads}`);
  const heads = (r: number) => [q(r)[0] as number, (q(r).at(-1) as number) + 1] as const;
  return { mask: { axis, heads, ...(dim === undefined ? { expandTo: qHeads } : {}) } };
}

/** The Linear that Attention's output reaches through Transpose/Reshape becomes row-parallel. */
function planOutputProjection(view: GraphView, attention: Node, qHeads: number, q: (rank: number) => readonly number[], plan: ShardPlan): void {
  let value = attention.outputs[0] as string;
  let state: HeadAxis = { axis: 1, heads: qHeads, inner: 1 };
  for (;;) {
    const next = view.soleConsumer(value);
    if (next === undefined || next.inputs[0] !== value) {
      throw cannotShard(attention, `its output reaches '${value}', which is not read by one output projection`);
    }
    if (isSolder(next, 'Linear')) {
      const rank = view.rank(value) ?? 0;
      if (state.axis !== rank - 1) throw cannotShard(next, 'its input does not hold the attention heads on its last axis');
      planRow(view, next, (r) => headColumns(q(r), state.inner), plan);
      return;
    }
    if (!isOp(next, 'Transpose') && !isOp(next, 'Reshape')) {
      throw cannotShard(next, `attention '${attention.name}' output passes through ${next.op} before its output projection`);
    }
    state = follow(view, next, state, (r) => q(r).length, plan);
    value = next.outputs[0] as string;
  }
}

/** A row-parallel Linear: the picked rows of its [K, N] weight, then an AllReduce. */
export function planRow(view: GraphView, linear: Node, pick: (rank: number) => readonly number[], plan: ShardPlan): void {
  if (plan.has(linear.name)) throw cannotShard(linear, 'it is already sharded');
  const activation = linear.attrs['activation']?.value ?? 'none';
  if (activation !== 'none') throw cannotShard(linear, `a row-parallel Linear cannot apply activation '${activation}' to partial sums`);
  if (view.graph.initializers.get(linear.inputs[1] as string) === undefined) throw cannotShard(linear, 'its weight is not an initializer');
  plan.set(linear.name, { kind: 'row', pick });
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function orSymbol(d: number | undefined): Dim {
  return d ?? sym('?');
}
