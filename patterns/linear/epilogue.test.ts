// Activations and residuals folded into the Linear before them: the folded Linear computes
// what the separate ops computed, and the folds that would be wrong (a shared projection, a
// residual a norm wants) are refused with a reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../ir/dtype.js';
import { GraphBuilder } from '../../ir/builder.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { linearGelu, linearResidual, linearSilu } from './epilogue.js';
import { LINEAR_RULES } from './index.js';
import { trimmed } from './linear-pattern.js';
import { expectSameFunction, opsOf, randomTensor } from './test-support.js';

const EPILOGUES = ['gelu', 'gelu_tanh', 'relu', 'tanh', 'sigmoid', 'silu'] as const;

const caseArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
  k: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 6 }),
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  bias: fc.boolean(),
  activation: fc.constantFrom('none' as const, ...EPILOGUES),
  residual: fc.constantFrom('none' as const, 'full' as const, 'row' as const),
  swap: fc.boolean(),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** act(x @ W + b) + r, every op separate; commutative operands swapped when asked. */
function epilogueGraph(c: Case) {
  const b = new GraphBuilder('epilogue');
  const pair = (a: string, z: string) => (c.swap ? [z, a] : [a, z]);
  const x = b.input('x', c.dtype, [...c.lead, c.k]);
  const w = b.initializer('w', randomTensor(c.dtype, [c.k, c.n], c.seed + 1));
  let [y] = b.node('MatMul', [x, w], {}, { name: 'mm' });
  if (c.bias) [y] = b.node('Add', pair(y!, b.initializer('bias', randomTensor(c.dtype, [c.n], c.seed + 2))), {}, { name: 'bias_add' });
  const act = c.activation;
  if (act === 'gelu' || act === 'gelu_tanh') [y] = b.node('Gelu', [y!], { approximate: act === 'gelu' ? 'none' : 'tanh' }, { name: 'gelu', domain: SOLDER_DOMAIN });
  if (act === 'relu' || act === 'tanh' || act === 'sigmoid') [y] = b.node(act === 'relu' ? 'Relu' : act === 'tanh' ? 'Tanh' : 'Sigmoid', [y!], {}, { name: act });
  if (act === 'silu') {
    const [s] = b.node('Sigmoid', [y!], {}, { name: 'sigmoid' });
    [y] = b.node('Mul', pair(y!, s!), {}, { name: 'silu' });
  }
  if (c.residual !== 'none') {
    const r = b.input('r', c.dtype, c.residual === 'full' ? [...c.lead, c.n] : [c.n]);
    [y] = b.node('Add', pair(y!, r), {}, { name: 'residual' });
  }
  b.output(y!);
  return b.build();
}

function feeds(c: Case) {
  const f = new Map([['x', randomTensor(c.dtype, [...c.lead, c.k], c.seed)]]);
  if (c.residual !== 'none') f.set('r', randomTensor(c.dtype, c.residual === 'full' ? [...c.lead, c.n] : [c.n], c.seed + 3));
  return f;
}

describe('linear epilogues', () => {
  it('fold the activation, then the residual, into one Linear computing the same', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const source = epilogueGraph(c);
      const { graph } = applyRules(source, LINEAR_RULES);
      expect(opsOf(graph)).toEqual(['solder::Linear']);
      const fused = graph.nodes[0]!;
      expect(fused.attrs['activation']?.value ?? 'none').toBe(c.activation);
      expect(fused.inputs).toEqual(trimmed(['x', 'w', c.bias ? 'bias' : '', c.residual === 'none' ? '' : 'r']));
      expect(fused.origins).toEqual(source.nodes.map((n) => n.name));
      expectSameFunction(source, graph, feeds(c));
    }), { numRuns: 120 });
  });

  it('does not fold an activation into a projection whose output has another reader', () => {
    const c: Case = { lead: [2], k: 3, n: 4, dtype: 'float32', bias: true, activation: 'gelu', residual: 'none', swap: false, seed: 5 };
    const source = epilogueGraph(c);
    const shared = { ...source, outputs: [...source.outputs, { name: 'bias_add_out0', type: source.valueInfo.get('bias_add_out0')! }] };
    const { graph } = applyRules(shared, LINEAR_RULES);
    expect(opsOf(graph)).toEqual(['solder::Linear', 'solder::Gelu']);
    const [e] = explainRule(graph, linearGelu);
    expect(e).toMatchObject({ outcome: 'declined', node: 'bias_add/Linear' });
    expect(e!.reason).toMatch(/intermediate 'bias_add_out0' of 'bias_add\/Linear' has other users \(a graph output\)/);
  });

  it('does not take x * Sigmoid(z) for a SiLU when z is another value', () => {
    const b = new GraphBuilder('not-silu');
    const x = b.input('x', 'float32', [2, 3]);
    const [y] = b.node('MatMul', [x, b.initializer('w', randomTensor('float32', [3, 3], 1))], {}, { name: 'mm' });
    const [s] = b.node('Sigmoid', [x], {}, { name: 'sigmoid' });
    const [out] = b.node('Mul', [y!, s!], {}, { name: 'mul' });
    b.output(out!);
    const { graph } = applyRules(b.build(), LINEAR_RULES);
    const [e] = explainRule(graph, linearSilu);
    expect(e).toMatchObject({ outcome: 'no-match', anchor: 'mul' });
    expect(e!.reason).toMatch(/capture 'y' is '.*' elsewhere, 'x' here/);
  });

  /** MatMul(x, W) + x, read by a LayerNormalization, an RMS norm's Pow(sum, 2), or a Pow(sum, 3). */
  function residualInto(reader: 'layer-norm' | 'square' | 'cube') {
    const b = new GraphBuilder('residual-reader');
    const x = b.input('x', 'float32', [2, 4]);
    const [y] = b.node('MatMul', [x, b.initializer('w', randomTensor('float32', [4, 4], 1))], {}, { name: 'mm' });
    const [sum] = b.node('Add', [y!, x], {}, { name: 'residual' });
    const [out] = reader === 'layer-norm'
      ? b.node('LayerNormalization', [sum!, b.initializer('gamma', randomTensor('float32', [4], 2))], { axis: -1 }, { name: 'ln' })
      : b.node('Pow', [sum!, b.initializer('p', makeTensor('float32', [], [reader === 'square' ? 2 : 3]))], {}, { name: 'pow' });
    b.output(out!);
    return b.build();
  }

  it.each([
    ['layer-norm', "the sum feeds LayerNormalization 'ln', which fuses the Add as its skip"],
    ['square', "the sum feeds Pow 'pow', which fuses the Add as its skip"],
  ] as const)('leaves a residual Add that a norm reads (%s) to the norm rules (Skip*Norm)', (reader, reason) => {
    const { graph } = applyRules(residualInto(reader), LINEAR_RULES);
    expect(opsOf(graph)).toEqual(['solder::Linear', 'Add', reader === 'layer-norm' ? 'LayerNormalization' : 'Pow']);
    const [e] = explainRule(graph, linearResidual);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'sum-feeds-no-norm', anchor: 'residual' });
    expect(e!.reason).toBe(reason);
  });

  it('folds a residual whose sum feeds something other than a norm', () => {
    const source = residualInto('cube');
    const { graph } = applyRules(source, LINEAR_RULES);
    expect(opsOf(graph)).toEqual(['solder::Linear', 'Pow']);
    expect(graph.nodes[0]!.inputs).toEqual(['x', 'w', '', 'x']);
    expectSameFunction(source, graph, new Map([['x', randomTensor('float32', [2, 4], 3)]]));
  });
});
