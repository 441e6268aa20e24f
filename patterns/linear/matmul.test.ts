// Projections into solder::Linear: MatMul (+ bias), Gemm (transB, alpha, beta) and GPT-2's
// flattened addmm; each fused on random shapes keeps the function, and each refusal says why.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../ir/dtype.js';
import { GraphBuilder } from '../../ir/builder.js';
import { makeTensor } from '../../ir/tensor.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { gemmLinear } from './gemm.js';
import { LINEAR_RULES } from './index.js';
import { matmulAdd, matmulBare } from './matmul.js';
import { expectSameFunction, opsOf, randomTensor } from './test-support.js';
import { unflattenLinear } from './unflatten.js';

const BIAS_SHAPES = { N: (n: number) => [n], '1N': (n: number) => [1, n], '11N': (n: number) => [1, 1, n], scalar: () => [] } as const;

const caseArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  k: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 6 }),
  dtype: fc.constantFrom<DType>('float32', 'float64', 'float16'),
  bias: fc.constantFrom('none' as const, 'N' as const, '1N' as const, '11N' as const, 'scalar' as const),
  swapAdd: fc.boolean(),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** x @ W (+ b) with x [...lead, K]. */
function matmulGraph(c: Case) {
  const b = new GraphBuilder('matmul');
  const x = b.input('x', c.dtype, [...c.lead, c.k]);
  const w = b.initializer('w', randomTensor(c.dtype, [c.k, c.n], c.seed + 1));
  let [y] = b.node('MatMul', [x, w], {}, { name: 'mm' });
  if (c.bias !== 'none') {
    const bias = b.initializer('bias', randomTensor(c.dtype, BIAS_SHAPES[c.bias](c.n), c.seed + 2));
    [y] = b.node('Add', c.swapAdd ? [bias, y!] : [y!, bias], {}, { name: 'add' });
  }
  b.output(y!);
  return b.build();
}

describe('linear/matmul-add and linear/matmul', () => {
  it('fuse MatMul with or without a bias into one Linear computing the same', () => {
    fc.assert(fc.property(caseArb, (c) => {
      // A [1, 1, N] bias would grow a rank-2 x's output: the rule must refuse that one.
      const grows = c.bias === '11N' && c.lead.length < 2;
      const source = matmulGraph(c);
      const { graph, trace } = applyRules(source, LINEAR_RULES);
      expect(opsOf(graph)).toEqual(grows ? ['solder::Linear', 'Add'] : ['solder::Linear']);
      const fused = graph.nodes[0]!;
      expect(fused.inputs.length).toBe(c.bias !== 'none' && !grows ? 3 : 2);
      expect(trace.applications[0]!.rule).toBe(c.bias === 'none' || grows ? 'linear/matmul' : 'linear/matmul-add');
      expect(fused.origins).toEqual(c.bias === 'none' || grows ? ['mm'] : ['mm', 'add']);
      expectSameFunction(source, graph, new Map([['x', randomTensor(c.dtype, [...c.lead, c.k], c.seed)]]));
    }), { numRuns: 80 });
  });

  it('does not fuse a MatMul whose weight is computed in the graph', () => {
    const b = new GraphBuilder('dynamic-weight');
    const x = b.input('x', 'float32', ['batch', 4]);
    const w = b.input('w', 'float32', [4, 3]);
    const [y] = b.node('MatMul', [x, w], {}, { name: 'mm' });
    b.output(y!);
    const [e] = explainRule(b.build(), matmulBare);
    expect(e).toMatchObject({ outcome: 'no-match', node: 'mm' });
    expect(e!.message).toMatch(/'w' is not a constant/);
  });

  it('leaves an Add of a [M, N] constant to the residual rule: it is no bias', () => {
    const b = new GraphBuilder('not-a-bias');
    const x = b.input('x', 'float32', [5, 4]);
    const w = b.initializer('w', randomTensor('float32', [4, 3], 1));
    const c = b.initializer('c', randomTensor('float32', [5, 3], 2));
    const [mm] = b.node('MatMul', [x, w], {}, { name: 'mm' });
    const [y] = b.node('Add', [mm!, c], {}, { name: 'add' });
    b.output(y!);
    const source = b.build();
    const [e] = explainRule(source, matmulAdd);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'b-is-a-bias', node: 'add' });
    expect(e!.reason).toBe('constant [5, 3] is not a bias of width 3');
    const { graph } = applyRules(source, LINEAR_RULES);
    expect(graph.nodes[0]!.inputs).toEqual(['x', 'w', '', 'c']);
    expectSameFunction(source, graph, new Map([['x', randomTensor('float32', [5, 4], 3)]]));
  });
});

const gemmArb = fc.record({
  m: fc.integer({ min: 1, max: 4 }),
  k: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 6 }),
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  transB: fc.constantFrom(0, 1),
  alpha: fc.constantFrom(1, 0.5, 2),
  beta: fc.constantFrom(1, 0.5, 0),
  c: fc.constantFrom('none' as const, 'N' as const, '1N' as const, 'scalar' as const),
  seed: fc.integer(),
});

describe('linear/gemm', () => {
  it('turns Gemm into a Linear with a [K, N] weight, alpha and beta folded in', () => {
    fc.assert(fc.property(gemmArb, (c) => {
      const b = new GraphBuilder('gemm');
      const x = b.input('x', c.dtype, [c.m, c.k]);
      const w = b.initializer('w', randomTensor(c.dtype, c.transB === 1 ? [c.n, c.k] : [c.k, c.n], c.seed + 1));
      const inputs = [x, w];
      if (c.c !== 'none') inputs.push(b.initializer('c', randomTensor(c.dtype, BIAS_SHAPES[c.c](c.n), c.seed + 2)));
      const [y] = b.node('Gemm', inputs, { transB: c.transB, alpha: c.alpha, beta: c.beta }, { name: 'gemm' });
      b.output(y!);
      const source = b.build();
      const { graph } = applyRules(source, [gemmLinear]);
      expect(opsOf(graph)).toEqual(['solder::Linear']);
      expect(graph.nodes[0]!.inputs.length).toBe(c.c === 'none' || c.beta === 0 ? 2 : 3);
      expect(graph.initializers.get(graph.nodes[0]!.inputs[1]!)?.shape).toEqual([c.k, c.n]);
      expectSameFunction(source, graph, new Map([['x', randomTensor(c.dtype, [c.m, c.k], c.seed)]]));
    }), { numRuns: 60 });
  });

  it('does not fuse Gemm with transA=1', () => {
    const b = new GraphBuilder('gemm-transA');
    const x = b.input('x', 'float32', [4, 2]);
    const w = b.initializer('w', randomTensor('float32', [4, 3], 1));
    const [y] = b.node('Gemm', [x, w], { transA: 1 }, { name: 'gemm' });
    b.output(y!);
    const [e] = explainRule(b.build(), gemmLinear);
    expect(e).toMatchObject({ outcome: 'no-match', node: 'gemm' });
    expect(e!.reason).toMatch(/attributes \{ transA: 1, transB: 0 \} do not match/);
  });
});

/** Reshape(Linear-able Gemm(Reshape(x, [-1, K])), target) as GPT-2's Conv1D writes it. */
function flattenedGraph(lead: readonly number[], k: number, n: number, target: readonly number[], seed: number) {
  const b = new GraphBuilder('conv1d');
  const x = b.input('x', 'float32', [...lead, k]);
  const rows = b.initializer('rows', makeTensor('int64', [2], [-1, k]));
  const [flat] = b.node('Reshape', [x, rows], {}, { name: 'flatten' });
  const w = b.initializer('w', randomTensor('float32', [k, n], seed + 1));
  const bias = b.initializer('bias', randomTensor('float32', [n], seed + 2));
  const [y] = b.node('Gemm', [flat!, w, bias], {}, { name: 'addmm' });
  const shape = b.initializer('shape', makeTensor('int64', [target.length], target));
  const [out] = b.node('Reshape', [y!, shape], {}, { name: 'unflatten' });
  const [act] = b.node('Relu', [out!], {}, { name: 'relu' });
  b.output(act!);
  return b.build();
}

describe('linear/unflatten', () => {
  it('drops the flatten/unflatten pair around a projection, so the activation after it folds', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (lead, k, n, seed) => {
      const source = flattenedGraph(lead, k, n, [...lead, n], seed);
      const { graph } = applyRules(source, LINEAR_RULES);
      expect(opsOf(graph)).toEqual(['solder::Linear']);
      expect(graph.nodes[0]!.inputs).toEqual(['x', 'w', 'bias']);
      expect(graph.nodes[0]!.attrs['activation']).toEqual({ kind: 'string', value: 'relu' });
      expectSameFunction(source, graph, new Map([['x', randomTensor('float32', [...lead, k], seed)]]));
    }), { numRuns: 40 });
  });

  it('does not drop an unflatten that reorders the leading dims', () => {
    const source = flattenedGraph([2, 3], 4, 5, [3, 2, 5], 7);
    const { graph } = applyRules(source, [gemmLinear]);
    const [e] = explainRule(graph, unflattenLinear, { node: 'unflatten' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'restores-leading-dims' });
    expect(e!.reason).toBe('found [3, 2, 5], expected [2, 3, 5]');
  });
});
