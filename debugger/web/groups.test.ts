import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../ir/graph.js';
import { diffGraphs } from './diff.js';
import { commonPrefix, groupPath, splitDotted } from './groups.js';
import type { GraphJson, NodeJson } from './page/protocol.js';
import { GraphTree, type GroupItem, MAX_CHILDREN } from './page/tree.js';

const node = (name: string, metadata?: Record<string, string>): Node => ({
  name, op: 'Add', domain: '', inputs: [], outputs: [], attrs: {}, ...(metadata === undefined ? {} : { metadata }),
});

describe('groupPath', () => {
  it('reads torch.onnx name scopes, dropping the node itself', () => {
    const n = node('node_linear_33', { 'pkg.torch.onnx.name_scopes': "['', 'layers.4', 'layers.4.mlp', 'layers.4.mlp.up_proj', 'linear_33']" });
    expect(groupPath(n)).toEqual(['layers.4', 'mlp', 'up_proj']);
    expect(groupPath(node('node_arange', { 'pkg.torch.onnx.name_scopes': "['', 'arange']" }))).toEqual([]);
  });

  it('falls back to the namespace metadata', () => {
    const ns = 'transformers.LlamaModel/layers.10: transformers.LlamaDecoderLayer/layers.10.self_attn: transformers.LlamaAttention/slice_87: aten.slice.Tensor';
    expect(groupPath(node('node_slice_87', { namespace: ns }))).toEqual(['layers.10', 'self_attn']);
  });

  it('splits TorchScript-era ONNX names on slashes', () => {
    expect(groupPath(node('/layers.0/attention/q_proj/MatMul'))).toEqual(['layers.0', 'attention', 'q_proj']);
    expect(groupPath(node('/MatMul'))).toEqual([]);
  });

  it('reads FX-style flat module prefixes, and leaves plain node names at the top', () => {
    expect(groupPath(node('layers_0_attention_q_proj'))).toEqual(['layers.0']);
    expect(groupPath(node('encoder_layer_11_output_dense'))).toEqual(['encoder_layer.11']);
    expect(groupPath(node('blocks_2_stage_3_conv'))).toEqual(['blocks.2', 'stage.3']);
    expect(groupPath(node('node_linear_3'))).toEqual([]);
    expect(groupPath(node('add_17'))).toEqual([]);
  });

  it('keeps an index with its container', () => {
    expect(splitDotted('model.layers.12.mlp')).toEqual(['model', 'layers.12', 'mlp']);
    expect(commonPrefix([['a', 'b', 'c'], ['a', 'b'], ['a', 'b', 'd']])).toEqual(['a', 'b']);
    expect(commonPrefix([['a'], ['b']])).toEqual([]);
  });
});

function graphOf(nodes: readonly Node[]): Graph {
  return {
    name: 'g', inputs: [], outputs: [], nodes, initializers: new Map(), valueInfo: new Map(),
    meta: { irVersion: 8, opsets: [], metadata: {}, source: 'built' },
  };
}

describe('diffGraphs', () => {
  it('marks fused clusters on both sides, and added and removed nodes by name', () => {
    const before = graphOf([node('a'), node('b'), node('c'), node('d')]);
    const after = graphOf([{ ...node('a/Fused'), origins: ['a', 'b'] }, node('c'), node('e'), { ...node('d'), origins: ['d'] }]);
    const diff = diffGraphs(before, after);
    expect([...diff.before]).toEqual([['a', 'fused'], ['b', 'fused'], ['c', 'same'], ['d', 'same']]);
    expect([...diff.after]).toEqual([['a/Fused', 'fused'], ['c', 'same'], ['e', 'added'], ['d', 'same']]);
  });
});

function nodeJson(i: number, group: string[], inputs: string[]): NodeJson {
  return { name: `n${i}`, op: 'Add', domain: '', inputs, outputs: [`v${i}`], attrs: [], origins: [], group, status: i % 7 === 0 ? 'added' : 'same' };
}

function graphJson(nodes: NodeJson[]): GraphJson {
  return { side: 'before', name: 'g', inputs: [], outputs: [], nodes, values: [], initializers: [] };
}

const groupsOf = (g: GroupItem): GroupItem[] => [g, ...g.children.flatMap((c) => (c.kind === 'group' ? groupsOf(c) : []))];

describe('GraphTree', () => {
  const pathArb = fc.array(fc.constantFrom('a', 'b', 'layers.0', 'layers.1', 'mlp'), { maxLength: 4 });
  const graphArb = fc.array(fc.tuple(pathArb, fc.array(fc.nat(), { maxLength: 3 })), { minLength: 1, maxLength: 400 }).map((rows) =>
    graphJson(rows.map(([group, ins], i) => nodeJson(i, group, i === 0 ? [] : ins.map((k) => `v${k % i}`)))));

  it('holds every node once, in groups no larger than the limit, with consistent counts', () => {
    fc.assert(fc.property(graphArb, (g) => {
      const tree = new GraphTree(g);
      const seen: string[] = [];
      for (const grp of groupsOf(tree.root)) {
        expect(grp.children.length).toBeLessThanOrEqual(MAX_CHILDREN);
        if (grp !== tree.root) expect(grp.children.length).toBeGreaterThan(1);
        let count = 0;
        let changes = 0;
        for (const c of grp.children) {
          expect(c.parent).toBe(grp);
          expect(c.depth).toBe(grp.depth + 1);
          if (c.kind === 'node') {
            seen.push(c.node.name);
            count++;
            if (c.node.status !== 'same') changes++;
          } else {
            count += c.nodeCount;
            changes += c.changes;
          }
        }
        expect(grp.nodeCount).toBe(count);
        expect(grp.changes).toBe(changes);
      }
      expect(seen.sort()).toEqual(g.nodes.map((n) => n.name).sort());
    }), { numRuns: 60 });
  });

  it('puts each data edge between the two children of the group where its ends part', () => {
    fc.assert(fc.property(graphArb, (g) => {
      const tree = new GraphTree(g);
      const contains = (item: GroupItem | undefined, name: string): boolean => {
        const n = tree.byName.get(name);
        for (let p = n?.parent; p !== undefined; p = p.parent) if (p === item) return true;
        return false;
      };
      const drawn = new Set<string>();
      for (const grp of groupsOf(tree.root)) {
        for (const e of tree.edgesWithin(grp)) {
          expect(e.from.parent).toBe(grp);
          expect(e.to.parent).toBe(grp);
          expect(e.from).not.toBe(e.to);
          drawn.add(`${e.from.id}>${e.to.id}`);
        }
      }
      // Every edge of the graph shows up at exactly the level where its ends part.
      for (const to of g.nodes) {
        for (const v of to.inputs) {
          const from = g.nodes.find((n) => n.outputs.includes(v));
          if (from === undefined || from === to) continue;
          let a = tree.byName.get(from.name) as { parent: GroupItem | undefined; id: string };
          let b = tree.byName.get(to.name) as { parent: GroupItem | undefined; id: string };
          while (!contains(a.parent, to.name)) a = a.parent as GroupItem;
          while (b.parent !== a.parent) b = b.parent as GroupItem;
          expect(drawn.has(`${a.id}>${b.id}`)).toBe(true);
        }
      }
    }), { numRuns: 60 });
  });

  it('splits a flat graph of 1,000 nodes into nested chunks', () => {
    const g = graphJson(Array.from({ length: 1000 }, (_, i) => nodeJson(i, [], i === 0 ? [] : [`v${i - 1}`])));
    const tree = new GraphTree(g);
    expect(tree.root.children.length).toBeLessThanOrEqual(MAX_CHILDREN);
    expect(tree.root.children.every((c) => c.kind === 'group')).toBe(true);
    expect(tree.root.nodeCount).toBe(1000);
    const chunkEdges = tree.edgesWithin(tree.root);
    expect(chunkEdges.length).toBe(tree.root.children.length - 1);
  });
});
