// shardGraph on synthetic layers: every rank graph, run together with a simulated
// all-reduce, computes what the unsharded graph computes; wrong slices do not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import { stringAttr, intAttr } from '../../ir/attrs.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Node, initializerFromTensor } from '../../ir/graph.js';
import { type Tensor, tensorFromBytes } from '../../ir/tensor.js';
import { shardGraph, TP_ROLE_KEY } from './shard.js';
import { runTensorParallel } from './simulate.js';
import { type LayerShape, layerFeeds, transformerLayer } from './test-graphs.js';

const BASE: LayerShape = { qHeads: 4, kvHeads: 4, headSize: 4, packed: true, explicitHeads: true, perHeadMask: true, mlp: 'gelu', seed: 7 };

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  return m;
}

/** The largest difference between any rank's output and the unsharded graph's. */
function shardedError(graph: Graph, ranks: readonly Graph[], feeds: Map<string, Tensor>): number {
  const want = interpret(graph, feeds).outputs;
  const got = runTensorParallel(ranks, feeds);
  let worst = 0;
  for (const outputs of got) for (const o of graph.outputs) worst = Math.max(worst, maxAbsDiff(outputs.get(o.name) as Tensor, want.get(o.name) as Tensor));
  return worst;
}

function nodeNamed(graph: Graph, name: string): Node {
  const node = graph.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node ${name}`);
  return node;
}

function weightOf(graph: Graph, node: Node, input = 1): Tensor {
  const init = graph.initializers.get(node.inputs[input] as string);
  if (init === undefined) throw new Error(`input ${input} of ${node.name} is not an initializer`);
  return tensorFromBytes(init.dtype, init.shape, init.bytes.read());
}

function withInitializer(graph: Graph, name: string, t: Tensor): Graph {
  return { ...graph, initializers: new Map(graph.initializers).set(name, initializerFromTensor(name, t)) };
}

function replaceNode(graph: Graph, name: string, edit: (n: Node) => Node): Graph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.name === name ? edit(n) : n)) };
}

describe('shardGraph on synthetic layers', () => {
  it('matches the unsharded layer for random head layouts, projections and MLPs', () => {
    const layer = fc.record({
      qHeads: fc.constantFrom(2, 4, 8),
      groups: fc.constantFrom(1, 2, 4),
      headSize: fc.constantFrom(2, 4),
      ranks: fc.constantFrom(2, 4),
      packed: fc.boolean(),
      explicitHeads: fc.boolean(),
      perHeadMask: fc.boolean(),
      mlp: fc.constantFrom('gelu' as const, 'relu-node' as const, 'gated' as const),
      seed: fc.integer({ min: 1, max: 1000 }),
    }).filter((c) => c.qHeads % c.ranks === 0 && c.qHeads % c.groups === 0);
    fc.assert(
      fc.property(layer, ({ groups, ranks, ...rest }) => {
        const shape: LayerShape = { ...rest, kvHeads: rest.qHeads / groups };
        const graph = transformerLayer(shape);
        const shards = shardGraph(graph, { ranks });
        expect(shards).toHaveLength(ranks);
        expect(shardedError(graph, shards, layerFeeds(shape))).toBeLessThanOrEqual(1e-5);
      }),
      { numRuns: 12 },
    );
  });

  it.each(['gelu', 'relu-node', 'gated'] as const)('shards the %s MLP with GQA heads over 2 and 4 ranks', (mlp) => {
    const shape = { ...BASE, qHeads: 8, kvHeads: 2, mlp };
    const graph = transformerLayer(shape);
    for (const ranks of [2, 4]) expect(shardedError(graph, shardGraph(graph, { ranks }), layerFeeds(shape))).toBeLessThanOrEqual(1e-5);
  });

  it('writes the per-rank head count into explicit Reshape targets and split sizes', () => {
    const graph = transformerLayer({ ...BASE, qHeads: 8, kvHeads: 2 });
    const [rank0] = shardGraph(graph, { ranks: 4 });
    const target = (name: string) => Array.from(weightOf(rank0 as Graph, nodeNamed(rank0 as Graph, name)).data);
    expect(target('q_view')).toEqual([0, 0, 2, 4]);
    expect(target('k_view')).toEqual([0, 0, 1, 4]); // 2 kv heads over 4 ranks: one replicated kv head each
    expect(target('merge_heads')).toEqual([0, 0, 8]);
    const split = (rank0 as Graph).nodes.find((n) => n.op === 'Split') as Node;
    expect(Array.from(weightOf(rank0 as Graph, split).data)).toEqual([8, 4, 4]);
  });

  it('keeps on each rank the kv head its q heads read when kv heads are replicated', () => {
    const shape = { ...BASE, qHeads: 4, kvHeads: 2, packed: false };
    const graph = transformerLayer(shape);
    const wk = weightOf(graph, nodeNamed(graph, 'Linear_1'));
    const d = shape.headSize;
    shardGraph(graph, { ranks: 4 }).forEach((g, rank) => {
      const local = weightOf(g, nodeNamed(g, 'Linear_1'));
      expect(local.shape).toEqual([16, d]);
      const kvHead = Math.floor(rank / 2); // q head `rank` reads kv head floor(rank / (4 / 2))
      for (let row = 0; row < 16; row++) {
        for (let c = 0; c < d; c++) expect(local.data[row * d + c]).toBe(wk.data[row * 8 + kvHead * d + c]);
      }
    });
  });

  it('records column/row roles and one AllReduce per row-parallel Linear', () => {
    const graph = transformerLayer({ ...BASE, mlp: 'gated' });
    for (const g of shardGraph(graph, { ranks: 2 })) {
      const role = (name: string) => nodeNamed(g, name).metadata?.[TP_ROLE_KEY];
      expect(role('o_proj')).toBe('row');
      expect(role('down_proj')).toBe('row');
      expect(g.nodes.filter((n) => n.metadata?.[TP_ROLE_KEY] === 'column').map((n) => n.op).sort()).toEqual(['GatedMLP', 'Linear']);
      const reduces = g.nodes.filter((n) => n.op === 'AllReduce');
      expect(reduces.map((n) => n.attrs['ranks'])).toEqual([intAttr(2), intAttr(2)]);
      expect(g.meta.metadata['solder.tensor_parallel.ranks']).toBe('2');
    }
  });

  it('adds the row-parallel bias and residual on rank 0 only', () => {
    const shards = shardGraph(transformerLayer(BASE), { ranks: 2 });
    expect(nodeNamed(shards[0] as Graph, 'o_proj').inputs).toHaveLength(4);
    expect(nodeNamed(shards[1] as Graph, 'o_proj').inputs).toHaveLength(2);
  });
});

describe('wrong slices are caught by the comparison (mutation checks)', () => {
  const shape = { ...BASE, qHeads: 4, kvHeads: 2, mlp: 'gated' as const };
  const graph = transformerLayer(shape);
  const feeds = layerFeeds(shape);
  const shards = shardGraph(graph, { ranks: 2 });

  it('the correct shards agree', () => {
    expect(shardedError(graph, shards, feeds)).toBeLessThanOrEqual(1e-5);
  });

  it('row-parallel weights swapped between ranks (rows sliced for the wrong heads)', () => {
    const [a, b] = shards as [Graph, Graph];
    const [wa, wb] = [nodeNamed(a, 'o_proj').inputs[1] as string, nodeNamed(b, 'o_proj').inputs[1] as string];
    const swapped = [withInitializer(a, wa, weightOf(b, nodeNamed(b, 'o_proj'))), withInitializer(b, wb, weightOf(a, nodeNamed(a, 'o_proj')))];
    expect(shardedError(graph, swapped, feeds)).toBeGreaterThan(1e-3);
  });

  it('row-parallel Linear split by columns: full K rows, half the output columns, concatenated instead of summed', () => {
    // Each rank multiplies only its half of the K rows, but by the columns a column split would
    // give it; the AllReduce then adds halves of different output columns.
    const full = weightOf(graph, nodeNamed(graph, 'down_proj'));
    const [k, n] = full.shape as [number, number];
    const mutated = shards.map((g, rank) => {
      const local = weightOf(g, nodeNamed(g, 'down_proj'));
      const rows = local.shape[0] as number;
      const data = local.data.slice();
      for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) data[r * n + c] = (full.data[(r + rank * rows) * n + ((c + rank * (n / 2)) % n)] as number);
      expect(rows * 2).toBe(k);
      return withInitializer(g, nodeNamed(g, 'down_proj').inputs[1] as string, { ...local, data });
    });
    expect(shardedError(graph, mutated, feeds)).toBeGreaterThan(1e-3);
  });

  it('bias added on every rank instead of once', () => {
    const twice = shards.map((g, rank) => (rank === 0 ? g : replaceNode(g, 'o_proj', (n) => ({ ...n, inputs: [n.inputs[0] as string, n.inputs[1] as string, 'b_o'] }))));
    const withBias = twice.map((g) => ({ ...g, initializers: new Map(g.initializers).set('b_o', graph.initializers.get('b_o')!) }));
    expect(shardedError(graph, withBias, feeds)).toBeGreaterThan(1e-3);
  });
});

describe('graphs the pass cannot shard fail naming the node', () => {
  it('more ranks than the heads divide', () => {
    expect(() => shardGraph(transformerLayer(BASE), { ranks: 3 })).toThrow(/node 'attention' \(Attention\): cannot split 4 attention heads over 3 ranks/);
  });

  it('a head-count Reshape whose target is computed at run time', () => {
    const graph = transformerLayer(BASE);
    const identity: Node = { name: 'runtime_target', op: 'Identity', domain: '', inputs: ['q_shape'], outputs: ['q_shape_rt'], attrs: {} };
    const q = graph.nodes.findIndex((n) => n.name === 'q_view');
    const nodes = [...graph.nodes.slice(0, q), identity, { ...(graph.nodes[q] as Node), inputs: [(graph.nodes[q] as Node).inputs[0] as string, 'q_shape_rt'] }, ...graph.nodes.slice(q + 1)];
    expect(() => shardGraph({ ...graph, nodes }, { ranks: 2 })).toThrow(/node 'q_view' \(Reshape\): .*computed at run time/);
  });

  it('a row-parallel Linear with an activation', () => {
    const graph = replaceNode(transformerLayer(BASE), 'o_proj', (n) => ({ ...n, attrs: { activation: stringAttr('relu') } }));
    expect(() => shardGraph(graph, { ranks: 2 })).toThrow(/node 'o_proj' \(Linear\): .*activation 'relu'/);
  });

  it('a graph with nothing to shard, and a bad rank count', () => {
    const graph = transformerLayer(BASE);
    const plain = { ...graph, nodes: graph.nodes.filter((n) => n.op !== 'Attention' && n.op !== 'Linear') };
    expect(() => shardGraph({ ...plain, outputs: [] }, { ranks: 2 })).toThrow(SolderError);
    expect(() => shardGraph(graph, { ranks: 0 })).toThrow(/positive integer/);
    expect(shardGraph(graph, { ranks: 1 })).toEqual([graph]);
  });
});

describe('the AllReduce reference kernel', () => {
  it('is the identity on one rank and refuses to run a partial sum alone', () => {
    const graph = transformerLayer(BASE);
    const feeds = layerFeeds(BASE);
    const [rank0] = shardGraph(graph, { ranks: 2 });
    expect(() => interpret(rank0 as Graph, feeds)).toThrow(/AllReduce over 2 ranks needs every rank's partial sum/);
    const oneRank = { ...(rank0 as Graph), nodes: (rank0 as Graph).nodes.map((n) => (n.op === 'AllReduce' ? { ...n, attrs: { ranks: intAttr(1) } } : n)) };
    const reduce = oneRank.nodes.find((n) => n.op === 'AllReduce') as Node;
    const values = interpret(oneRank, feeds, { keepAll: true }).values;
    expect(values.get(reduce.outputs[0] as string)?.data).toEqual(values.get(reduce.inputs[0] as string)?.data);
  });
});
