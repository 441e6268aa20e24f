import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DOMAIN } from '../test/tools-ops.js';
import { topoSort } from './algo.js';
import { GraphBuilder } from './builder.js';
import { SolderError } from './errors.js';
import { type Graph, type Node, bytesInMemory } from './graph.js';
import { makeTensor } from './tensor.js';
import { verify, verifyEnabled } from './verify.js';

const T = { domain: TEST_DOMAIN };

/** A valid graph using optional, variadic and multi-output slots. */
function valid(): { b: GraphBuilder; x: string } {
  const b = new GraphBuilder('ok');
  const x = b.input('x', 'float32', ['batch', 4]);
  const bias = b.initializer('bias', makeTensor('float32', [4], [1, 2, 3, 4]));
  const [y] = b.node('Bias', [x, ''], {}, { ...T, name: 'no_bias' });
  const [z] = b.node('Bias', [y!, bias], {}, { ...T, name: 'with_bias', outputs: ['z', ''] });
  const [lo, hi] = b.node('Split2', [z!], { axis: 1 }, { ...T, name: 'split' });
  const [cat] = b.node('Cat', [lo!, hi!, lo!], { axis: 1 }, { ...T, name: 'cat' });
  b.output(cat!);
  return { b, x };
}

/** The graph with one node replaced (found by name). */
function withNode(g: Graph, name: string, change: (n: Node) => Node): Graph {
  return { ...g, nodes: g.nodes.map((n) => (n.name === name ? change(n) : n)) };
}

function expectError(g: Graph, pattern: RegExp): void {
  let caught: unknown;
  try {
    verify(g);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SolderError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('verify', () => {
  it('accepts a valid graph with absent optional inputs and outputs', () => {
    expect(() => verify(valid().b.build())).not.toThrow();
  });

  it('rejects two nodes with one name, naming it', () => {
    const g = withNode(valid().b.build(), 'with_bias', (n) => ({ ...n, name: 'no_bias' }));
    expectError(g, /node 'no_bias' \(Bias\): another node has the same name/);
  });

  it('rejects a node without a name', () => {
    expectError(withNode(valid().b.build(), 'split', (n) => ({ ...n, name: '' })), /node #2 \(Split2\) has no name/);
  });

  it('rejects a value assigned twice, naming the second producer', () => {
    const g = withNode(valid().b.build(), 'split', (n) => ({ ...n, outputs: ['z', 'split_out1'] }));
    expectError(g, /node 'split' \(Split2\): output 'z' is already defined by node 'with_bias'/);
  });

  it('rejects a node output that shadows a graph input or initializer', () => {
    const g = withNode(valid().b.build(), 'no_bias', (n) => ({ ...n, outputs: ['bias'] }));
    expectError(g, /node 'no_bias' \(Bias\): output 'bias' is already defined by an initializer/);
    const h = withNode(valid().b.build(), 'no_bias', (n) => ({ ...n, outputs: ['x'] }));
    expectError(h, /node 'no_bias'.*already defined by a graph input/);
  });

  it('rejects nodes out of topological order, naming the reader', () => {
    const g = valid().b.build();
    const swapped = { ...g, nodes: [g.nodes[1]!, g.nodes[0]!, ...g.nodes.slice(2)] };
    expectError(swapped, /node 'with_bias' \(Bias\): input 'no_bias_out0' is produced later, by node 'no_bias'/);
  });

  it('accepts every topological order and rejects every other, naming a node', () => {
    const g = valid().b.build();
    fc.assert(
      fc.property(fc.shuffledSubarray([...g.nodes], { minLength: g.nodes.length }), (nodes) => {
        const shuffled = { ...g, nodes };
        if (topoSort(shuffled) === shuffled) expect(() => verify(shuffled)).not.toThrow();
        else expectError(shuffled, /^node '\w+' \(\w+\): input '\w+' is produced later/);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects undefined inputs and nodes reading their own output', () => {
    expectError(withNode(valid().b.build(), 'cat', (n) => ({ ...n, inputs: ['split_out0', 'nowhere'] })), /node 'cat' \(Cat\): input 'nowhere' is not defined/);
    expectError(withNode(valid().b.build(), 'cat', (n) => ({ ...n, inputs: ['cat_out0'] })), /node 'cat' \(Cat\): reads its own output 'cat_out0'/);
  });

  it('rejects absent required inputs and outputs', () => {
    expectError(withNode(valid().b.build(), 'no_bias', (n) => ({ ...n, inputs: ['', ''] })), /node 'no_bias' \(Bias\): input 0 \(x\) is required but absent/);
    expectError(withNode(valid().b.build(), 'split', (n) => ({ ...n, outputs: ['', 'split_out1'] })), /node 'split' \(Split2\): output 0 \(first\) is required but absent/);
  });

  it('rejects input and output counts outside the spec', () => {
    expectError(withNode(valid().b.build(), 'no_bias', (n) => ({ ...n, inputs: ['x', '', 'x'] })), /node 'no_bias' \(Bias\): has 3 inputs, Bias takes 1 to 2/);
    expectError(withNode(valid().b.build(), 'cat', (n) => ({ ...n, inputs: [] })), /node 'cat' \(Cat\): has 0 inputs, Cat takes at least 1/);
    expectError(withNode(valid().b.build(), 'split', (n) => ({ ...n, outputs: ['a'] })), /node 'split' \(Split2\): has 1 outputs, Split2 takes 2/);
  });

  it('rejects attributes the spec does not allow', () => {
    const g = valid().b.build();
    expectError(withNode(g, 'cat', (n) => ({ ...n, attrs: {} })), /node 'cat' \(Cat\): missing required attribute 'axis'/);
    expectError(withNode(g, 'cat', (n) => ({ ...n, attrs: { axis: { kind: 'string', value: '1' } } })), /node 'cat'.*'axis' should be int, found string/);
    expectError(withNode(g, 'split', (n) => ({ ...n, attrs: { axis: { kind: 'int', value: 1 }, alpha: { kind: 'float', value: 1 } } })), /node 'split'.*unknown attribute 'alpha'/);
  });

  it('rejects ops without a spec', () => {
    expectError(withNode(valid().b.build(), 'cat', (n) => ({ ...n, op: 'Frobnicate' })), /node 'cat' \(Frobnicate\): unsupported op Frobnicate in domain 'test.tools'/);
  });

  it('rejects declared types that contradict inference, naming the producer', () => {
    const g = valid().b.build();
    const wrong = { ...g, valueInfo: new Map(g.valueInfo).set('split_out0', { dtype: 'float32' as const, shape: [7, 2] }) };
    // 'batch' against 7 is compatible; 2 against 2 too: no error. A known mismatch is.
    expect(() => verify(wrong)).not.toThrow();
    const mismatch = { ...g, valueInfo: new Map(g.valueInfo).set('split_out0', { dtype: 'float32' as const, shape: [7, 3] }) };
    expectError(mismatch, /node 'split' \(Split2\): output 'split_out0' is float32\[batch, 2\] by inference but the file declares float32\[7, 3\]/);
    const dtype = { ...g, valueInfo: new Map(g.valueInfo).set('z', { dtype: 'float16' as const }) };
    expectError(dtype, /node 'with_bias' \(Bias\): output 'z'/);
  });

  it('rejects undefined and repeated graph outputs', () => {
    const g = valid().b.build();
    expectError({ ...g, outputs: [...g.outputs, { name: 'missing', type: { dtype: 'float32' } }] }, /graph output 'missing' is not defined/);
    expectError({ ...g, outputs: [g.outputs[0]!, g.outputs[0]!] }, /graph output 'cat_out0' is listed twice/);
  });

  it('rejects initializers whose bytes do not fit their shape, without reading them', () => {
    const g = valid().b.build();
    const init = g.initializers.get('bias')!;
    const unreadable = { byteLength: 12, read: (): Uint8Array => { throw new Error('read'); } };
    const broken = { ...g, initializers: new Map(g.initializers).set('bias', { ...init, bytes: unreadable }) };
    expectError(broken, /initializer 'bias' \(float32\[4\]\) has 12 bytes, expected 16/);
    const fine = { ...g, initializers: new Map(g.initializers).set('bias', { ...init, bytes: bytesInMemory(new Uint8Array(16)) }) };
    expect(() => verify(fine)).not.toThrow();
  });

  it('runs in linear time on 20,000 nodes', () => {
    const b = new GraphBuilder();
    let v = b.input('x', 'float32', ['batch', 8]);
    for (let i = 0; i < 20_000; i++) v = b.node('Add', [v, v], {}, { ...T, name: `n${i}` })[0]!;
    b.output(v);
    const g = b.build();
    const t = performance.now();
    verify(g);
    // ~50-150 ms on the shared 2-core box (most of it re-running inference); quadratic would be minutes.
    expect(performance.now() - t).toBeLessThan(3000);
  });
});

describe('verifyEnabled', () => {
  const saved = process.env['SOLDER_VERIFY'];
  afterEach(() => {
    if (saved === undefined) delete process.env['SOLDER_VERIFY'];
    else process.env['SOLDER_VERIFY'] = saved;
  });
  it('follows SOLDER_VERIFY=1', () => {
    process.env['SOLDER_VERIFY'] = '1';
    expect(verifyEnabled()).toBe(true);
    process.env['SOLDER_VERIFY'] = '0';
    expect(verifyEnabled()).toBe(false);
    delete process.env['SOLDER_VERIFY'];
    expect(verifyEnabled()).toBe(false);
  });
});
