import { describe, expect, it } from 'vitest';
import { TEST_DOMAIN } from '../test/tools-ops.js';
import { GraphBuilder, toAttrs } from './builder.js';
import { SolderError } from './errors.js';
import { tensorFromBytes, makeTensor } from './tensor.js';
import { typeToString } from './types.js';

describe('GraphBuilder', () => {
  it('names nodes and outputs predictably and infers output types', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', ['batch', 6]);
    const [lo, hi] = b.node('Split2', [x], { axis: 1 }, { domain: TEST_DOMAIN });
    const [sum] = b.node('Add', [lo!, hi!], {}, { domain: TEST_DOMAIN, name: 'sum' });
    b.output(sum!);
    const g = b.build();
    expect([lo, hi, sum]).toEqual(['Split2_0_out0', 'Split2_0_out1', 'sum_out0']);
    expect(g.nodes.map((n) => [n.name, n.domain])).toEqual([['Split2_0', TEST_DOMAIN], ['sum', TEST_DOMAIN]]);
    expect(g.outputs.map((o) => `${o.name}: ${typeToString(o.type)}`)).toEqual(['sum_out0: float32[batch, 3]']);
    expect(g.meta.source).toBe('built');
    expect(g.meta.opsets).toEqual([{ domain: '', version: 18 }, { domain: TEST_DOMAIN, version: 1 }]);
  });

  it('names only required outputs by default', () => {
    const b = new GraphBuilder();
    expect(b.node('Bias', [b.input('x', 'float32', [2])], {}, { domain: TEST_DOMAIN, name: 'n' })).toEqual(['n_out0']);
  });

  it('stores initializers as little-endian bytes that decode to the tensor', () => {
    const b = new GraphBuilder();
    const t = makeTensor('int64', [3], [5, -7, 2 ** 40]);
    b.initializer('w', t);
    const init = b.build().initializers.get('w')!;
    expect(Array.from(tensorFromBytes(init.dtype, init.shape, init.bytes.read()).data)).toEqual([5, -7, 2 ** 40]);
  });

  it('turns plain values into typed attributes', () => {
    const t = makeTensor('float32', [1], [3]);
    expect(toAttrs({ a: 2, b: 0.5, c: [1, 2], d: [0.5, 1], e: 'x', f: ['p', 'q'], g: t, h: { kind: 'float', value: 1 }, i: [] })).toEqual({
      a: { kind: 'int', value: 2 },
      b: { kind: 'float', value: 0.5 },
      c: { kind: 'ints', value: [1, 2] },
      d: { kind: 'floats', value: [0.5, 1] },
      e: { kind: 'string', value: 'x' },
      f: { kind: 'strings', value: ['p', 'q'] },
      g: { kind: 'tensor', value: t },
      h: { kind: 'float', value: 1 },
      i: { kind: 'ints', value: [] },
    });
  });

  it('builds broken graphs on request, and refuses untyped outputs then', () => {
    const b = new GraphBuilder();
    b.node('Add', ['a', 'b'], {}, { domain: TEST_DOMAIN, name: 'n' });
    expect(() => b.build()).toThrow(/node 'n'.*input 'a' is not defined/);
    expect(b.build({ infer: false }).nodes).toHaveLength(1);
    b.output('n_out0');
    expect(() => b.build({ infer: false })).toThrow(SolderError);
    b.declare('n_out0', 'float32', [2]);
    expect(typeToString(b.build({ infer: false }).outputs[0]!.type)).toBe('float32[2]');
  });
});
