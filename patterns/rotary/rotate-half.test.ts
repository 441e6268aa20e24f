// HF's rotate_half rotary embedding becomes one RotaryEmbedding computing the same, for any
// head size, slice spelling, operand order and cos/sin table layout; slices that do not cut
// the head in halves are refused with the numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import { makeTensor } from '../../ir/tensor.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { expectSameFunction, opsOf, randomTensor } from '../linear/test-support.js';
import { ROTARY_RULES } from './index.js';
import { rotateHalf } from './rotate-half.js';

const INT64_MAX = 9223372036854775807;

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  heads: fc.integer({ min: 1, max: 3 }),
  seq: fc.integer({ min: 1, max: 4 }),
  headDim: fc.constantFrom(2, 4, 6, 8, 16),
  table: fc.constantFrom('[s,d]' as const, '[1,s,d]' as const, '[h,s,d]' as const, '[b,1,s,d]' as const, '[1,1,s,d]' as const),
  axis: fc.constantFrom(-1, 3),
  steps: fc.boolean(),
  endAsMax: fc.boolean(),
  negativeStart: fc.boolean(),
  swap: fc.boolean(),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function tableShape(c: Case): number[] {
  const [s, d] = [c.seq, c.headDim];
  switch (c.table) {
    case '[s,d]': return [s, d];
    case '[1,s,d]': return [1, s, d];
    case '[h,s,d]': return [c.heads, s, d];
    case '[b,1,s,d]': return [c.batch, 1, s, d];
    case '[1,1,s,d]': return [1, 1, s, d];
  }
}

interface Variant {
  /** Where the slices cut the head (d/2 by default). */
  readonly split?: number;
  /** x's batch, when it differs from the tables'. */
  readonly xBatch?: number;
}

/** x * cos + cat(-x[..., split:], x[..., :split]) * sin. */
function rotaryGraph(c: Case, o: Variant = {}) {
  const b = new GraphBuilder('rotary');
  const d = c.headDim;
  const split = o.split ?? d / 2;
  const x = b.input('x', c.dtype, [o.xBatch ?? c.batch, c.heads, c.seq, d]);
  const cos = b.input('cos', c.dtype, tableShape(c));
  const sin = b.input('sin', c.dtype, tableShape(c));
  const int = (name: string, v: number) => b.initializer(name, makeTensor('int64', [1], [v]));
  const slice = (name: string, start: number, end: number) => {
    const inputs = [x, int(`${name}_start`, start), int(`${name}_end`, end), int(`${name}_axes`, c.axis)];
    if (c.steps) inputs.push(int(`${name}_steps`, 1));
    return b.node('Slice', inputs, {}, { name })[0]!;
  };
  const pair = (a: string, z: string) => (c.swap ? [z, a] : [a, z]);
  const lo = slice('slice_lo', 0, split);
  const hi = slice('slice_hi', c.negativeStart ? split - d : split, c.endAsMax ? INT64_MAX : d);
  const [neg] = b.node('Neg', [hi], {}, { name: 'neg' });
  const [rotated] = b.node('Concat', [neg!, lo], { axis: c.axis }, { name: 'cat' });
  const [xc] = b.node('Mul', pair(x, cos), {}, { name: 'mul_cos' });
  const [rs] = b.node('Mul', pair(rotated!, sin), {}, { name: 'mul_sin' });
  const [out] = b.node('Add', pair(xc!, rs!), {}, { name: 'add' });
  b.output(out!);
  return b.build();
}

function feeds(c: Case) {
  return new Map([
    ['x', randomTensor(c.dtype, [c.batch, c.heads, c.seq, c.headDim], c.seed)],
    ['cos', randomTensor(c.dtype, tableShape(c), c.seed + 1)],
    ['sin', randomTensor(c.dtype, tableShape(c), c.seed + 2)],
  ]);
}

describe('rotary/rotate-half', () => {
  it('fuses x*cos + rotate_half(x)*sin into a RotaryEmbedding computing the same', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const source = rotaryGraph(c);
      const { graph } = applyRules(source, ROTARY_RULES);
      const reshaped = c.table === '[1,s,d]' || c.table === '[h,s,d]';
      expect(opsOf(graph)).toEqual(reshaped ? ['Unsqueeze', 'Unsqueeze', 'solder::RotaryEmbedding'] : ['solder::RotaryEmbedding']);
      const fused = graph.nodes[graph.nodes.length - 1]!;
      expect(fused.inputs[0]).toBe('x');
      expect(fused.origins).toEqual(['slice_lo', 'slice_hi', 'neg', 'cat', 'mul_cos', 'mul_sin', 'add']);
      expectSameFunction(source, graph, feeds(c));
    }), { numRuns: 120 });
  });

  const fixed: Case = {
    batch: 1, heads: 2, seq: 3, headDim: 8, table: '[s,d]', axis: -1, steps: false, endAsMax: true, negativeStart: false, swap: false, dtype: 'float32', seed: 1,
  };

  it('does not fuse slices that cut the head elsewhere than in halves', () => {
    const source = rotaryGraph(fixed, { split: 2 });
    const [e] = explainRule(source, rotateHalf);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'lo-takes-first-half', node: 'slice_lo' });
    expect(e!.reason).toBe('found [0, 2), expected [0, 4)');
    expect(applyRules(source, ROTARY_RULES).trace.applications).toHaveLength(0);
  });

  it('does not fuse tables that would grow x (cos per batch row, x with one row)', () => {
    const source = rotaryGraph({ ...fixed, table: '[b,1,s,d]', batch: 2 }, { xBatch: 1 });
    const [e] = explainRule(source, rotateHalf);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'cos-keeps-x-shape' });
    expect(e!.reason).toBe('found [2, 2, 3, 8], expected [1, 2, 3, 8]');
  });
});
