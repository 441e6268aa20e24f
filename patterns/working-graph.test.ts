// WorkingGraph.remember: an analysis is reused while nothing it read has changed, reused
// answers still count as reads of the attempt that reuses them, and a change to any value
// it read (a node removed or inserted, a type set) makes it run again.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.js';
import { tensorToBytes, makeTensor } from '../ir/tensor.js';
import { WorkingGraph } from './working-graph.js';

function chain() {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  const w = b.initializer('w', makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]));
  const [s] = b.node('Add', [x, w], {}, { name: 'add' });
  const [y] = b.node('Relu', [s!], {}, { name: 'relu' });
  return new WorkingGraph(b.output(y!).build());
}

describe('WorkingGraph.remember', () => {
  it('reuses an answer until a value it read changes, and reports the reads each time', () => {
    const g = chain();
    let runs = 0;
    const producerOp = (v: string) => g.remember(`op ${v}`, () => {
      runs++;
      return g.producer(v)?.node.op;
    });
    const y = g.snapshot().map((id) => g.nodeById(id)!).find((n) => n.op === 'Relu')!.outputs[0]!;
    expect(producerOp(y)).toBe('Relu');
    expect(g.recordReads(() => producerOp(y))).toEqual(new Set([y]));
    expect(runs).toBe(1);

    const relu = g.producer(y)!.node;
    g.remove([relu]);
    g.insert(relu, [{ ...relu, name: 'sigmoid', op: 'Sigmoid' }], false);
    expect(producerOp(y)).toBe('Sigmoid');
    expect(runs).toBe(2);
    // A change to a value it did not read keeps the answer.
    g.setType('x', { dtype: 'float32', shape: [2, 3] });
    expect(producerOp(y)).toBe('Sigmoid');
    expect(runs).toBe(2);
  });

  it('rethrows a remembered failure without running again', () => {
    const g = chain();
    let runs = 0;
    const fails = () => g.remember('fails', () => {
      runs++;
      g.typeOf('x');
      throw new Error('not this form');
    });
    expect(fails).toThrow('not this form');
    expect(fails).toThrow('not this form');
    expect(runs).toBe(1);
    g.setType('x', { dtype: 'float32', shape: [2, 3] });
    expect(fails).toThrow('not this form');
    expect(runs).toBe(2);
  });

  it('gives stored initializers undecoded, and none for graph inputs', () => {
    const g = chain();
    expect(g.storedConstant('w')?.bytes.read()).toEqual(tensorToBytes(makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6])));
    expect(g.storedConstant('x')).toBeUndefined();
  });
});

describe('WorkingGraph.earliestAnchor', () => {
  // x -> add -> relu -> mul(add, relu): a rewrite rooted at mul that replaces add's output
  // must stand before relu, which reads it.
  function diamond() {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const late = b.input('late', 'float32', [2, 3]);
    const [s] = b.node('Add', [x, x], {}, { name: 'add' });
    const [r] = b.node('Relu', [s!], {}, { name: 'relu' });
    const [t] = b.node('Tanh', [late], {}, { name: 'tanh' });
    const [m] = b.node('Mul', [s!, r!, t!], {}, { name: 'mul' });
    return { g: new WorkingGraph(b.output(m!).build()), s: s!, t: t!, m: m! };
  }
  const node = (g: WorkingGraph, name: string) => g.snapshot().map((id) => g.nodeById(id)!).find((n) => n.name === name)!;

  it('is the first replaced node when what the new nodes read is ready there', () => {
    const { g, s } = diamond();
    const added = [{ name: 'twice', op: 'Mul', domain: '', inputs: ['x', 'x'], outputs: [s], attrs: {} }];
    expect(g.earliestAnchor([node(g, 'mul'), node(g, 'add')], added)?.name).toBe('add');
  });

  it('skips replaced nodes that stand before a producer of what the new nodes read', () => {
    const { g, s, t } = diamond();
    const added = [{ name: 'with_tanh', op: 'Mul', domain: '', inputs: ['x', t], outputs: [s], attrs: {} }];
    // tanh comes after add, so only mul (after tanh) can hold the new node.
    expect(g.earliestAnchor([node(g, 'add'), node(g, 'mul')], added)?.name).toBe('mul');
    expect(g.earliestAnchor([node(g, 'add')], added)).toBeUndefined();
  });
});

describe('WorkingGraph.compact', () => {
  it('keeps nodes inserted before a node that was itself inserted in the same sweep', () => {
    const g = chain();
    const relu = g.snapshot().map((id) => g.nodeById(id)!).find((n) => n.op === 'Relu')!;
    const first = { name: 'first', op: 'Neg', domain: '', inputs: ['x'], outputs: ['neg'], attrs: {} };
    const second = { name: 'second', op: 'Abs', domain: '', inputs: ['x'], outputs: ['abs'], attrs: {} };
    g.insert(relu, [first], false);
    g.insert(first, [second], false);
    g.compact();
    expect(g.snapshot().map((id) => g.nodeById(id)!.name)).toEqual(['add', 'second', 'first', 'relu']);
  });
});
