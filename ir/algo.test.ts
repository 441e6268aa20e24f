import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_DOMAIN } from '../test/tools-ops.js';
import { consumersOf, dependencyGraph, findCycle, liveNodes, nodeReads, producerOf, reachableFrom, topoSort } from './algo.js';
import { GraphBuilder } from './builder.js';
import { SolderError } from './errors.js';
import type { Graph, Node } from './graph.js';

const T = { domain: TEST_DOMAIN };

/** x -> a -> b -> c, with d reading a and x, and a dead node e. */
function diamond(): Graph {
  const b = new GraphBuilder('diamond');
  const x = b.input('x', 'float32', [4]);
  const [a] = b.node('Add', [x, x], {}, { ...T, name: 'a' });
  const [bb] = b.node('Add', [a as string, x], {}, { ...T, name: 'b' });
  const [d] = b.node('Add', [a as string, x], {}, { ...T, name: 'd' });
  const [c] = b.node('Add', [bb as string, d as string], {}, { ...T, name: 'c' });
  b.node('Add', [x, x], {}, { ...T, name: 'e' });
  b.output(c as string);
  return b.build();
}

/** A chain of n Adds where node i reads node i-1 and node i-3 (skip connections). */
function chain(n: number): Graph {
  const b = new GraphBuilder('chain');
  const x = b.input('x', 'float32', ['batch', 8]);
  const outs: string[] = [x];
  for (let i = 0; i < n; i++) {
    const skip = outs[Math.max(0, outs.length - 3)] as string;
    const [y] = b.node('Add', [outs[outs.length - 1] as string, skip], {}, { ...T, name: `n${i}` });
    outs.push(y as string);
  }
  b.output(outs[outs.length - 1] as string);
  return b.build();
}

function isTopological(g: Graph): boolean {
  const seen = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) {
    if (!n.inputs.every((i) => i === '' || seen.has(i))) return false;
    for (const o of n.outputs) seen.add(o);
  }
  return true;
}

const names = (nodes: readonly Node[]) => nodes.map((n) => n.name);

describe('topoSort', () => {
  it('returns the same graph when the order is already valid', () => {
    const g = diamond();
    expect(topoSort(g)).toBe(g);
  });

  it('sorts any shuffle of a graph into a valid order holding the same nodes', () => {
    const g = chain(30);
    fc.assert(
      fc.property(fc.shuffledSubarray([...g.nodes], { minLength: g.nodes.length }), (shuffled) => {
        const sorted = topoSort({ ...g, nodes: shuffled });
        expect(isTopological(sorted)).toBe(true);
        expect(new Set(sorted.nodes)).toEqual(new Set(g.nodes));
        expect(sorted.nodes.length).toBe(g.nodes.length);
      }),
      { numRuns: 50 },
    );
  });

  it('starts from nodes that read only inputs and keeps the given order among nodes ready together', () => {
    const g = diamond();
    const byName = new Map(g.nodes.map((n) => [n.name, n]));
    const order = ['e', 'c', 'a', 'd', 'b'].map((n) => byName.get(n) as Node);
    // e and a read only x; then d and b (in the order given) once a is done; then c.
    expect(names(topoSort({ ...g, nodes: order }).nodes)).toEqual(['e', 'a', 'd', 'b', 'c']);
  });

  it('throws a SolderError naming a node on a cycle, and findCycle returns it', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    b.node('Add', [x, 'q_out0'], {}, { ...T, name: 'p' });
    b.node('Add', ['p_out0', 'r_out0'], {}, { ...T, name: 'q' });
    b.node('Add', ['q_out0', x], {}, { ...T, name: 'r' });
    const g = b.build({ infer: false });
    expect(() => topoSort(g)).toThrow(SolderError);
    expect(() => topoSort(g)).toThrow(/cycle: 'p' -> 'q' -> 'p'|cycle: 'q' -> 'p' -> 'q'|cycle: 'q' -> 'r' -> 'q'/);
    const cycle = findCycle(g) as Node[];
    expect(cycle.length).toBeGreaterThanOrEqual(2);
    cycle.forEach((n, i) => {
      const prev = cycle[(i + cycle.length - 1) % cycle.length] as Node;
      expect(n.inputs.some((v) => prev.outputs.includes(v))).toBe(true);
    });
    expect(findCycle(diamond())).toBeUndefined();
  });

  it('finds a self-loop', () => {
    const b = new GraphBuilder();
    b.node('Add', ['s_out0', 's_out0'], {}, { ...T, name: 's' });
    expect(names(findCycle(b.build({ infer: false })) ?? [])).toEqual(['s']);
  });

  it('orders a node after the producers of values its subgraph attribute captures', () => {
    const body = new GraphBuilder('body');
    body.node('Add', ['outer', 'outer'], {}, { ...T, name: 'inner' });
    body.declare('inner_out0', 'float32', [2]).output('inner_out0');
    const sub = body.build({ infer: false });
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    b.node('Add', [x, x], { body: { kind: 'graph', value: sub } }, { ...T, name: 'user' });
    b.node('Add', [x, x], {}, { ...T, name: 'producer', outputs: ['outer'] });
    const g = b.build({ infer: false });
    expect(nodeReads(g.nodes[0] as Node)).toEqual(['x', 'x', 'outer']);
    expect(names(topoSort(g).nodes)).toEqual(['producer', 'user']);
  });

  it('handles 20,000-node chains in linear time, including a fully reversed order', () => {
    const g = chain(20_000);
    let t = performance.now();
    expect(topoSort(g)).toBe(g);
    const forward = performance.now() - t;
    const reversed = { ...g, nodes: [...g.nodes].reverse() };
    t = performance.now();
    const sorted = topoSort(reversed);
    const backward = performance.now() - t;
    expect(names(sorted.nodes)).toEqual(names(g.nodes));
    t = performance.now();
    liveNodes(g);
    reachableFrom(g, ['x']);
    consumersOf(g);
    producerOf(g);
    const others = performance.now() - t;
    // Measured ~5-20 ms each on the 2-core box; a quadratic or recursive version takes seconds or overflows.
    expect(forward).toBeLessThan(500);
    expect(backward).toBeLessThan(500);
    expect(others).toBeLessThan(1000);
  });
});

describe('producers, consumers, reachability, liveness', () => {
  it('maps values to their producer and consumers', () => {
    const g = diamond();
    const producers = producerOf(g);
    expect(producers.get('a_out0')?.name).toBe('a');
    expect(producers.has('x')).toBe(false);
    const consumers = consumersOf(g);
    expect(names(consumers.get('a_out0') ?? [])).toEqual(['b', 'd']);
    // a reads x twice but is listed once.
    expect(names(consumers.get('x') ?? [])).toEqual(['a', 'b', 'd', 'e']);
  });

  it('finds the nodes downstream of values', () => {
    const g = diamond();
    expect(names(reachableFrom(g, ['b_out0']))).toEqual(['c']);
    expect(names(reachableFrom(g, ['a_out0']))).toEqual(['b', 'd', 'c']);
    expect(names(reachableFrom(g, ['c_out0']))).toEqual([]);
  });

  it('finds the nodes graph outputs depend on, leaving dead ones out', () => {
    expect(names(liveNodes(diamond()))).toEqual(['a', 'b', 'd', 'c']);
  });

  it('builds a graphology graph with one edge per producer/consumer pair', () => {
    const g = dependencyGraph(diamond());
    expect(g.order).toBe(5);
    expect(g.size).toBe(4);
    expect(g.getEdgeAttribute(g.edge('a', 'b'), 'values')).toEqual(['a_out0']);
    expect(g.getNodeAttribute('c', 'node').op).toBe('Add');
    expect(g.inNeighbors('c').sort()).toEqual(['b', 'd']);
  });
});
