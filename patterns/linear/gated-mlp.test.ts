// The SwiGLU/GeGLU gate as exporters write it (two MatMuls, SiLU as x * Sigmoid(x) or a
// fused Gelu, a Mul) becomes one GatedMLP computing the same; gates with biases or two
// different inputs are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../ir/dtype.js';
import { GraphBuilder } from '../../ir/builder.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { gatedMlp } from './gated-mlp.js';
import { LINEAR_RULES } from './index.js';
import { expectSameFunction, opsOf, randomTensor } from './test-support.js';

const caseArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
  k: fc.integer({ min: 1, max: 6 }),
  hidden: fc.integer({ min: 1, max: 8 }),
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  activation: fc.constantFrom('silu' as const, 'gelu' as const, 'gelu_tanh' as const),
  swap: fc.boolean(),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

interface GateOptions {
  readonly gateBias?: boolean;
  /** The up projection reads another input than the gate. */
  readonly upFrom?: 'x' | 'x2';
}

/** act(x @ Wg) * (x @ Wu), then the down projection, as llama writes it. */
function gateGraph(c: Case, o: GateOptions = {}) {
  const b = new GraphBuilder('gated-mlp');
  const x = b.input('x', c.dtype, [...c.lead, c.k]);
  const upX = o.upFrom === 'x2' ? b.input('x2', c.dtype, [...c.lead, c.k]) : x;
  let [gate] = b.node('MatMul', [x, b.initializer('wg', randomTensor(c.dtype, [c.k, c.hidden], c.seed + 1))], {}, { name: 'gate_proj' });
  if (o.gateBias) [gate] = b.node('Add', [gate!, b.initializer('bg', randomTensor(c.dtype, [c.hidden], c.seed + 4))], {}, { name: 'gate_bias' });
  const [up] = b.node('MatMul', [upX, b.initializer('wu', randomTensor(c.dtype, [c.k, c.hidden], c.seed + 2))], {}, { name: 'up_proj' });
  let act: string;
  if (c.activation === 'silu') {
    const [s] = b.node('Sigmoid', [gate!], {}, { name: 'sigmoid' });
    [act] = b.node('Mul', c.swap ? [s!, gate!] : [gate!, s!], {}, { name: 'silu' });
  } else {
    [act] = b.node('Gelu', [gate!], { approximate: c.activation === 'gelu' ? 'none' : 'tanh' }, { name: 'gelu', domain: SOLDER_DOMAIN });
  }
  const [gated] = b.node('Mul', c.swap ? [up!, act!] : [act!, up!], {}, { name: 'gate_mul' });
  const [down] = b.node('MatMul', [gated!, b.initializer('wd', randomTensor(c.dtype, [c.hidden, c.k], c.seed + 3))], {}, { name: 'down_proj' });
  b.output(down!);
  return b.build();
}

describe('linear/gated-mlp', () => {
  it('fuses the gate into one GatedMLP (the down projection stays a Linear) computing the same', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const source = gateGraph(c);
      const { graph } = applyRules(source, LINEAR_RULES);
      expect(opsOf(graph)).toEqual(['solder::GatedMLP', 'solder::Linear']);
      const gated = graph.nodes[0]!;
      expect(gated.inputs).toEqual(['x', 'wg', 'wu']);
      expect(gated.attrs['activation']).toEqual({ kind: 'string', value: c.activation });
      expect(gated.origins).toEqual(source.nodes.filter((n) => n.name !== 'down_proj').map((n) => n.name));
      expectSameFunction(source, graph, new Map([['x', randomTensor(c.dtype, [...c.lead, c.k], c.seed)]]));
    }), { numRuns: 80 });
  });

  const fixed: Case = { lead: [2, 3], k: 4, hidden: 6, dtype: 'float32', activation: 'silu', swap: false, seed: 9 };

  it('does not fuse a gate projection with a bias (GatedMLP has none)', () => {
    const { graph } = applyRules(gateGraph(fixed, { gateBias: true }), LINEAR_RULES);
    expect(opsOf(graph)).toEqual(['solder::Linear', 'solder::Linear', 'Mul', 'solder::Linear']);
    const [e] = explainRule(graph, gatedMlp, { node: 'gate_mul' });
    expect(e).toMatchObject({ outcome: 'no-match', node: 'silu/Linear' });
    expect(e!.reason).toBe("expected no input, found 'bg'");
  });

  it('does not fuse projections of two different inputs', () => {
    const { graph } = applyRules(gateGraph(fixed, { upFrom: 'x2' }), LINEAR_RULES);
    const [e] = explainRule(graph, gatedMlp, { node: 'gate_mul' });
    expect(e).toMatchObject({ outcome: 'no-match', node: 'up_proj/Linear' });
    expect(e!.reason).toBe("capture 'x' is 'x' elsewhere, 'x2' here");
  });
});
