import { describe, expect, it } from 'vitest';
import { TEST_DOMAIN } from '../test/tools-ops.js';
import { GraphBuilder } from './builder.js';
import { printGraph, formatAttr } from './print.js';
import { makeTensor } from './tensor.js';

function tiny() {
  const b = new GraphBuilder('tiny');
  const x = b.input('x', 'float32', ['batch', 4]);
  const w = b.initializer('w', makeTensor('float32', [4, 4], Array.from({ length: 16 }, (_, i) => i)));
  const bias = b.initializer('bias', makeTensor('float16', [4], [1, 2, 3, 4]));
  const [h] = b.node('MatMul', [x, w], {}, { domain: TEST_DOMAIN, name: 'proj' });
  const [c] = b.node('Constant', [], { value: makeTensor('int64', [2], [0, -1]) }, { name: 'target' });
  const [r] = b.node('Reshape', [h!, c!], {}, { name: 'flat' });
  const [y] = b.node('Bias', [r!, ''], {}, { domain: TEST_DOMAIN, name: 'b', outputs: ['y', ''], origins: ['add_1', 'mul_2'] });
  const [t] = b.node('Transpose', [y!], { perm: [1, 0] }, { name: 'tr' });
  b.output(t!, bias);
  return b.build();
}

describe('printGraph', () => {
  it('lists inputs, initializers, one typed line per node, and outputs', () => {
    expect(printGraph(tiny())).toBe(
      [
        'graph tiny(%x: float32[batch, 4]) {',
        '  # 2 initializers, 20 elements, 72 B',
        '  const %w: float32[4, 4]',
        '  const %bias: float16[4]',
        '  %proj_out0: float32[batch, 4] = test.tools::MatMul(%x, %w)  # proj',
        '  %target_out0: int64[2] = Constant[value=int64[2]{0, -1}]()  # target',
        '  %flat_out0: float32[batch, 4] = Reshape(%proj_out0, %target_out0)  # flat',
        '  %y: float32[batch, 4], _ = test.tools::Bias(%flat_out0, _)  # b (from add_1, mul_2)',
        '  %tr_out0: float32[4, batch] = Transpose[perm=[1, 0]](%y)  # tr',
        '  return %tr_out0: float32[4, batch], %bias: float16[4]',
        '}',
      ].join('\n'),
    );
  });

  it('summarises initializers on request, without reading their bytes', () => {
    const g = tiny();
    const lazy = new Map([...g.initializers].map(([k, v]) => [k, { ...v, bytes: { byteLength: v.bytes.byteLength, read: (): Uint8Array => { throw new Error('read'); } } }]));
    const text = printGraph({ ...g, initializers: lazy }, { initializers: 'summary' });
    expect(text).toContain('# 2 initializers, 20 elements, 72 B');
    expect(text).not.toContain('const %w');
  });
});

describe('formatAttr', () => {
  it('prints every kind compactly', () => {
    expect(formatAttr({ kind: 'int', value: -1 })).toBe('-1');
    expect(formatAttr({ kind: 'float', value: 1e-5 })).toBe('0.00001');
    expect(formatAttr({ kind: 'float', value: 0.1 + 0.2 })).toBe('0.3');
    expect(formatAttr({ kind: 'string', value: 'tanh' })).toBe('"tanh"');
    expect(formatAttr({ kind: 'ints', value: Array.from({ length: 20 }, (_, i) => i) })).toBe('[0, 1, 2, 3, 4, 5, 6, ... 13 more]');
    expect(formatAttr({ kind: 'floats', value: [0.5, 2] })).toBe('[0.5, 2]');
    expect(formatAttr({ kind: 'strings', value: ['a', 'b'] })).toBe('["a", "b"]');
    expect(formatAttr({ kind: 'tensor', value: makeTensor('float32', [64, 64]) })).toBe('float32[64, 64]');
    expect(formatAttr({ kind: 'tensor', value: makeTensor('float32', [], [0.25]) })).toBe('float32[]{0.25}');
    expect(formatAttr({ kind: 'graph', value: tiny() })).toBe('<graph tiny: 5 nodes>');
  });
});
