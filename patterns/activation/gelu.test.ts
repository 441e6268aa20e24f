// The GELU rules on small built graphs: every association, operand order and spelling the
// exporters produce fuses into one solder::Gelu; a constant that is not GELU's declines,
// and explain names it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { verify } from '../../ir/verify.js';
import { type GeluForm, geluFeeds, geluGraph } from '../../test/activation-graphs.js';
import { mismatch } from '../../test/float64-onnx.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { rule } from '../rule.js';
import { GELU_RULES, geluErfHalfInside, geluTanhHalfFirst } from './gelu.js';
import { siluOf } from './silu.js';

function fusedGelu(source: Graph): Graph {
  const { graph } = applyRules(source, GELU_RULES);
  verify(graph);
  return graph;
}

const forms: GeluForm[] = [0, 1, 2].flatMap((association) => [0, -1].flatMap((swaps) => [
  { approximate: 'none', association, swaps, erfArgument: 'div' },
  { approximate: 'none', association, swaps, erfArgument: 'mul' },
  { approximate: 'tanh', association, swaps, cube: 'pow' },
  { approximate: 'tanh', association, swaps, cube: 'mul' },
] as GeluForm[]));

describe('GELU', () => {
  it.each([...forms, { approximate: 'none', op: true }, { approximate: 'tanh', op: true }] as GeluForm[])('fuses %o into one Gelu', (form) => {
    const g = fusedGelu(geluGraph(['batch', 6], 'float32', form));
    expect(g.nodes.map((n) => `${n.domain}::${n.op}`)).toEqual(['solder::Gelu']);
    expect(g.nodes[0]!.inputs).toEqual(['x']);
    expect(g.nodes[0]!.attrs['approximate']?.value).toBe(form.approximate);
  });

  it('accepts constants rounded to float16, the dtype they are stored in', () => {
    const g = fusedGelu(geluGraph([4], 'float16', { approximate: 'tanh', association: 1 }));
    expect(g.nodes.map((n) => n.op)).toEqual(['Gelu']);
  });

  it.each([
    [{ approximate: 'none', association: 2, constants: { sqrt2: 1.5 } }, geluErfHalfInside, 'divisor-is-sqrt(2)', 'erf_arg', /found 1\.5, expected 1\.414/],
    [{ approximate: 'none', association: 2, erfArgument: 'mul', constants: { invSqrt2: 0.7 } }, geluErfHalfInside, 'multiplier-is-1/sqrt(2)', 'erf_arg', /found 0\.699999988079071, expected 0\.7071/],
    [{ approximate: 'none', association: 2, constants: { one: 2 } }, geluErfHalfInside, 'offset-is-1', 'one_plus', /found 2, expected 1/],
    [{ approximate: 'tanh', association: 1, constants: { cubic: 0.05 } }, geluTanhHalfFirst, 'cubic-coefficient-is-0.044715', 'cubic_term', /expected 0\.044715/],
    [{ approximate: 'tanh', association: 1, constants: { sqrtTwoOverPi: 0.8 } }, geluTanhHalfFirst, 'scale-is-sqrt(2/pi)', 'tanh_arg', /expected 0\.7978845/],
    [{ approximate: 'tanh', association: 1, constants: { three: 2 } }, geluTanhHalfFirst, 'exponent-is-3', 'cube', /found 2, expected 3/],
    [{ approximate: 'tanh', association: 1, constants: { half: 0.25 } }, geluTanhHalfFirst, 'factor-is-0.5', 'x_half', /found 0\.25, expected 0\.5/],
    [{ approximate: 'tanh', association: 1, halfShape: [1, 1, 1] }, geluTanhHalfFirst, 'output-shape-is-x-shape', 'x_half', /found \[1, batch, 6\], expected \[batch, 6\]/],
  ] as const)('declines %o: explain names the check', (form, r, checkName, node, reason) => {
    const source = geluGraph(['batch', 6], 'float32', form as GeluForm);
    const [e] = explainRule(source, r, { node: 'gelu' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: checkName, node });
    expect(e!.reason).toMatch(reason);
    expect(applyRules(source, GELU_RULES).trace.applications).toHaveLength(0);
  });

  it('does not fuse x · ½ · φ when φ reads another value than x', () => {
    const source = geluGraph([3], 'float32', { approximate: 'none', association: 0 });
    const y = 'y';
    const rewired: Graph = { ...source, inputs: [...source.inputs, { name: y, type: source.inputs[0]!.type }], nodes: source.nodes.map((n) => (n.name === 'erf_arg' ? { ...n, inputs: [y, n.inputs[1]!] } : n)) };
    const [e] = explainRule(rewired, GELU_RULES[1]!, { node: 'gelu' });
    expect(e).toMatchObject({ anchor: 'gelu', outcome: 'no-match' });
    expect(e!.reason).toMatch(/capture 'x' is 'x' elsewhere, 'y' here/);
  });
});

/** The fused kernel computes in float64 and rounds once; the reference is the exact cluster in float64. */
const TOL: Partial<Record<DType, { rtol: number; atol: number }>> = {
  float64: { rtol: 1e-12, atol: 1e-14 },
  float32: { rtol: 2 ** -21, atol: 1e-12 },
  float16: { rtol: 2 ** -8, atol: 1e-6 },
};

describe('GELU rules keep the function', () => {
  const formArb = fc.record({
    approximate: fc.constantFrom<GeluForm['approximate']>('none', 'tanh'),
    op: fc.boolean(),
    association: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    swaps: fc.nat({ max: 255 }),
    erfArgument: fc.constantFrom<GeluForm['erfArgument']>('div', 'mul'),
    cube: fc.constantFrom<GeluForm['cube']>('pow', 'mul'),
  });
  const shapeArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 3 });

  it('on random shapes, values, dtypes and forms', () => {
    fc.assert(fc.property(formArb, shapeArb, fc.constantFrom<DType>('float32', 'float64', 'float16'), fc.integer(), (form, shape, dtype, seed) => {
      const graph = fusedGelu(geluGraph(shape, dtype, form));
      expect(graph.nodes.map((n) => `${n.domain}::${n.op}`)).toEqual([`${SOLDER_DOMAIN}::Gelu`]);
      const out = graph.outputs[0]!.name;
      const got = interpret(graph, geluFeeds(shape, dtype, seed)).outputs.get(out)!;
      const want = interpret(geluGraph(shape, dtype, form, true), geluFeeds(shape, dtype, seed, true)).outputs.get(out)!;
      const { rtol, atol } = TOL[dtype]!;
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, rtol, atol)).toBeUndefined();
    }), { numRuns: 150 });
  });
});

describe('siluOf', () => {
  it('matches x · Sigmoid(x) in either operand order, and only with the same x', () => {
    const silu = rule({ name: 'test/silu', root: 'Mul', pattern: siluOf('x'), rewrite: (m) => ({ nodes: [{ op: 'Identity', inputs: [m.value('x')], outputs: m.root.outputs }], replaces: 'root' }) });
    const b = new GraphBuilder('silu');
    const [x, z] = ['x', 'z'].map((n) => b.input(n, 'float32', [4]));
    const sigmoid = (name: string) => b.node('Sigmoid', [x!], {}, { name })[0]!;
    const [left] = b.node('Mul', [sigmoid('sig_1'), x!], {}, { name: 'sig_first' });
    const [right] = b.node('Mul', [x!, sigmoid('sig_2')], {}, { name: 'x_first' });
    const [other] = b.node('Mul', [z!, sigmoid('sig_3')], {}, { name: 'other' });
    b.output(left!, right!, other!);
    const { trace } = applyRules(b.build(), [silu]);
    expect(trace.applications.map((a) => a.anchor)).toEqual(['sig_first', 'x_first']);
  });
});
