// The worked example from the README: the Pow(-0.5) form of RMSNorm fuses, computes the
// same function, and a different power is declined with the check's name.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import { SOLDER_DOMAIN, type Graph } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { verify } from '../../ir/verify.js';
import { interpret } from '../../backends/reference/interpreter.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { rmsNormPow } from './rms-pow.js';

function powRmsNorm(power: number): Graph {
  const b = new GraphBuilder('rms-pow');
  const x = b.input('x', 'float32', ['batch', 'seq', 8]);
  const w = b.initializer('w', makeTensor('float32', [8], [1.5, 0.5, -1, 2, 0.25, 1, -0.75, 3]));
  const [square] = b.node('Mul', [x, x], {}, { name: 'square' });
  const axes = b.initializer('axes', makeTensor('int64', [1], [-1]));
  const [mean] = b.node('ReduceMean', [square!, axes], { keepdims: 1 }, { name: 'mean' });
  const eps = b.initializer('eps', makeTensor('float32', [], [1e-6]));
  const [shifted] = b.node('Add', [mean!, eps], {}, { name: 'add_eps' });
  const p = b.initializer('power', makeTensor('float32', [], [power]));
  const [inv] = b.node('Pow', [shifted!, p], {}, { name: 'inv_rms' });
  const [normed] = b.node('Mul', [x, inv!], {}, { name: 'normed' });
  const [y] = b.node('Mul', [normed!, w], {}, { name: 'scaled' });
  b.output(y!);
  return b.build();
}

describe('norm/rms-pow (the README example)', () => {
  it('fuses x · (mean(x²) + eps)^-0.5 · w into one RMSNorm computing the same values', () => {
    const source = powRmsNorm(-0.5);
    const { graph } = applyRules(source, [rmsNormPow]);
    verify(graph);
    expect(graph.nodes.map((n) => `${n.domain}::${n.op}`)).toEqual([`${SOLDER_DOMAIN}::RMSNorm`]);
    expect(graph.nodes[0]!.origins).toEqual(expect.arrayContaining(['square', 'mean', 'add_eps', 'inv_rms', 'normed', 'scaled']));
    const x = makeTensor('float32', [2, 3, 8], Array.from({ length: 48 }, (_, i) => Math.sin(i + 1) * 3));
    const want = interpret(source, new Map([['x', x]])).outputs.values().next().value!;
    const got = interpret(graph, new Map([['x', x]])).outputs.values().next().value!;
    const maxAbs = Math.max(...Array.from(got.data, (v, i) => Math.abs(v - (want.data[i] as number))));
    expect(maxAbs).toBeLessThan(1e-5);
  });

  it('declines another power and names the check', () => {
    const source = powRmsNorm(-0.25);
    expect(applyRules(source, [rmsNormPow]).graph.nodes.some((n) => n.op === 'RMSNorm')).toBe(false);
    const [why] = explainRule(source, rmsNormPow, { node: 'scaled' });
    expect(why?.check).toBe('power-is-minus-half');
    expect(why?.reason).toContain('-0.25');
  });
});
