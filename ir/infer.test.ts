import { describe, expect, it } from 'vitest';
import { TEST_DOMAIN, addDirect } from '../test/tools-ops.js';
import { GraphBuilder } from './builder.js';
import { sym } from './dim.js';
import { SolderError } from './errors.js';
import { type Graph, type Node, typeOf } from './graph.js';
import { type Evaluator, inferTypes, mergeTypes } from './infer.js';
import { makeTensor } from './tensor.js';
import { typeToString } from './types.js';

const T = { domain: TEST_DOMAIN };
const typeStr = (g: Graph, name: string) => {
  const t = typeOf(g, name);
  return t === undefined ? 'undefined' : typeToString(t);
};

/** Reference evaluator for the test domain's Add, computed directly in float64. */
const evaluateTestAdd: Evaluator = (node, inputs) =>
  node.domain === TEST_DOMAIN && node.op === 'Add' ? [addDirect(inputs[0]!, inputs[1]!)] : undefined;

describe('inferTypes', () => {
  it('carries symbolic dims from the inputs through every node', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 'seq', 64]);
    const w = b.initializer('w', makeTensor('float32', [64, 32], Array.from({ length: 64 * 32 }, (_, i) => i / 7)));
    const bias = b.initializer('bias', makeTensor('float32', [32], Array.from({ length: 32 }, (_, i) => i)));
    const [h] = b.node('MatMul', [x, w], {}, T);
    const [y] = b.node('Add', [h!, bias], {}, T);
    const [lo, hi] = b.node('Split2', [y!], { axis: -1 }, T);
    const [both] = b.node('Cat', [lo!, hi!, lo!], { axis: 2 }, T);
    b.output(both!);
    const g = b.build();
    expect(typeStr(g, h!)).toBe('float32[batch, seq, 32]');
    expect(typeStr(g, lo!)).toBe('float32[batch, seq, 16]');
    expect(typeStr(g, both!)).toBe('float32[batch, seq, 48]');
    expect(typeToString(g.outputs[0]!.type)).toBe('float32[batch, seq, 48]');
    expect([...g.valueInfo.keys()].sort()).toEqual([h, y, lo, hi, both].sort());
  });

  it('combines symbols arithmetically (concatenating symbolic lengths)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 'n']);
    const y = b.input('y', 'float32', ['batch', 'm']);
    const [z] = b.node('Cat', [x, y, x], { axis: 1 }, T);
    b.output(z!);
    expect(typeStr(b.build(), z!)).toBe('float32[batch, m + 2*n]');
  });

  it('gives Reshape the value of an initializer, of a Constant node, and of a static Shape', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 'seq', 64]);
    const target = b.initializer('target', makeTensor('int64', [4], [0, 0, 4, 16]));
    const [split] = b.node('Reshape', [x, target]);
    const [c] = b.node('Constant', [], { value: makeTensor('int64', [3], [0, -1, 16]) });
    const [merged] = b.node('Reshape', [x, c!]);
    const s = b.input('s', 'float32', [2, 3, 4]);
    const [shapeOfS] = b.node('Shape', [s], { start: 1 });
    const [likeS] = b.node('Reshape', [b.input('v', 'float32', [12]), shapeOfS!]);
    b.output(split!, merged!, likeS!);
    const g = b.build();
    expect(typeStr(g, split!)).toBe('float32[batch, seq, 4, 16]');
    expect(typeStr(g, merged!)).toBe('float32[batch, 4*seq, 16]');
    expect(typeStr(g, likeS!)).toBe('float32[3, 4]');
  });

  it('folds small constant subgraphs through the evaluator, and only through it', () => {
    const build = () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [6, 4]);
      const base = b.initializer('base', makeTensor('int64', [2], [1, 20]));
      const delta = b.initializer('delta', makeTensor('int64', [2], [2, -12]));
      const [shape] = b.node('Add', [base, delta], {}, { ...T, name: 'shape_add' });
      const [y] = b.node('Reshape', [x, shape!], {}, { name: 'reshape' });
      b.output(y!);
      return { b, y: y! };
    };
    const folded = build();
    expect(typeStr(folded.b.build({ evaluate: evaluateTestAdd }), folded.y)).toBe('float32[3, 8]');
    const unfolded = build();
    expect(typeStr(unfolded.b.build(), unfolded.y)).toBe('float32[reshape_d0, reshape_d1]');
  });

  it('does not fold tensors larger than maxConstantElements, nor read such initializers', () => {
    const b = new GraphBuilder();
    const big = b.initializer('big', makeTensor('int64', [100], Array.from({ length: 100 }, (_, i) => i + 1)));
    b.node('Add', [big, big], {}, T);
    let calls = 0;
    const counting: Evaluator = (node, inputs) => {
      calls++;
      return evaluateTestAdd(node, inputs);
    };
    const g = b.build({ infer: false });
    const init = g.initializers.get('big')!;
    const unreadable = { byteLength: init.bytes.byteLength, read: (): Uint8Array => { throw new Error('weights were read'); } };
    inferTypes({ ...g, initializers: new Map([['big', { ...init, bytes: unreadable }]]) }, { evaluate: counting, maxConstantElements: 64 });
    expect(calls).toBe(0);
    b.build({ evaluate: counting, maxConstantElements: 100 });
    expect(calls).toBe(1);
  });

  it('rejects a folded value that contradicts the spec', () => {
    const b = new GraphBuilder();
    const a = b.initializer('a', makeTensor('int64', [2], [1, 2]));
    b.node('Add', [a, a], {}, { ...T, name: 'liar' });
    const wrong: Evaluator = () => [makeTensor('int64', [3], [1, 2, 3])];
    expect(() => b.build({ evaluate: wrong })).toThrow(/node 'liar'.*folds to int64\[3\]/);
  });

  it('sorts the nodes first', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    b.node('Add', ['first_out0', x], {}, { ...T, name: 'second' });
    b.node('Add', [x, x], {}, { ...T, name: 'first' });
    b.output('second_out0');
    const g = b.build();
    expect(g.nodes.map((n) => n.name)).toEqual(['first', 'second']);
    expect(typeStr(g, 'second_out0')).toBe('float32[2]');
  });

  it('names the node reading an undefined value', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    b.node('Add', [x, 'ghost'], {}, { ...T, name: 'reader' });
    expect(() => b.build()).toThrow(/node 'reader' \(Add\): input 'ghost' is not defined/);
  });

  it('names the node when a declared dtype or known dim disagrees with inference', () => {
    const dtype = new GraphBuilder();
    const x = dtype.input('x', 'float32', [2, 3]);
    dtype.node('Add', [x, x], {}, { ...T, name: 'sum' });
    dtype.declare('sum_out0', 'float16', [2, 3]);
    expect(() => dtype.build()).toThrow(SolderError);
    expect(() => dtype.build()).toThrow(/node 'sum' \(Add\): output 'sum_out0' is float32\[2, 3\] by inference but the file declares float16\[2, 3\]/);

    const dim = new GraphBuilder();
    const y = dim.input('y', 'float32', [2, 3]);
    dim.node('Add', [y, y], {}, { ...T, name: 'sum' });
    dim.declare('sum_out0', 'float32', [2, 4]);
    expect(() => dim.build()).toThrow(/node 'sum'.*declares float32\[2, 4\]/);

    const out = new GraphBuilder();
    const z = out.input('z', 'float32', [2, 3]);
    const [s] = out.node('Add', [z, z], {}, { ...T, name: 'sum' });
    out.output(s!);
    const g = out.build();
    const lying = { ...g, outputs: [{ name: s!, type: { dtype: 'float32' as const, shape: [3, 2] } }] };
    expect(() => inferTypes(lying)).toThrow(/node 'sum'/);
  });

  it("keeps the file's dims where inference only has a symbol it made up", () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 12]);
    const shape = b.input('shape', 'int64', [2]);
    const [y] = b.node('Reshape', [x, shape], {}, { name: 'r' });
    const [z] = b.node('Add', [y!, y!], {}, T);
    b.declare(y!, 'float32', ['batch', 'width']);
    b.output(z!);
    const g = b.build();
    // r_d0 / r_d1 are inference's own symbols: the declared 'batch' and 'width' win, and flow on.
    expect(typeStr(g, y!)).toBe('float32[batch, width]');
    expect(typeStr(g, z!)).toBe('float32[batch, width]');
  });

  it('solves made-up symbols from a declaration downstream, and rewrites every type holding them', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 12]);
    const shape = b.input('shape', 'int64', [3]);
    const [y] = b.node('Reshape', [x, shape], {}, { name: 'r' });
    const [z] = b.node('Add', [y!, y!], {}, T);
    const [c] = b.node('Cat', [z!, z!], { axis: 2 }, T);
    b.declare(c!, 'float32', ['batch', 3, 'w2']);
    b.output(c!);
    const g = b.build();
    // The declaration of c says r_d0 is batch and r_d1 is 3; 2*r_d2 = w2 solves no single symbol.
    expect(typeStr(g, c!)).toBe('float32[batch, 3, w2]');
    expect(typeStr(g, y!)).toBe('float32[batch, 3, r_d2]');
    expect(typeStr(g, z!)).toBe('float32[batch, 3, r_d2]');
    expect(typeToString(g.outputs[0]!.type)).toBe('float32[batch, 3, w2]');
  });

  it('refines graph output types that the file left vague', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 8]);
    const [y] = b.node('Add', [x, x], {}, T);
    b.output(y!);
    const g = b.build();
    const vague: Graph = { ...g, valueInfo: new Map(), outputs: [{ name: y!, type: { dtype: 'float32' } }] };
    expect(typeToString(inferTypes(vague).outputs[0]!.type)).toBe('float32[batch, 8]');
  });
});

describe('mergeTypes', () => {
  const node: Node = { name: 'n', op: 'Op', domain: '', inputs: [], outputs: [], attrs: {} };
  it('prefers known dims and named symbols over inference-made ones', () => {
    const merged = mergeTypes(node, 'v', { dtype: 'float32', shape: [sym('n_d0'), 4, sym('batch'), sym('k')] }, {
      dtype: 'float32',
      shape: [sym('seq'), sym('width'), 7, sym('other')],
    });
    expect(typeToString(merged)).toBe('float32[seq, 4, 7, k]');
  });
  it('takes the declared rank when inference has none, and rejects rank changes', () => {
    expect(typeToString(mergeTypes(node, 'v', { dtype: 'int64' }, { dtype: 'int64', shape: [3] }))).toBe('int64[3]');
    expect(() => mergeTypes(node, 'v', { dtype: 'int64', shape: [3] }, { dtype: 'int64', shape: [3, 1] })).toThrow(SolderError);
  });
});
