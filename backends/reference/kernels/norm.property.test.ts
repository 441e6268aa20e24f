// LayerNormalization and RMSNormalization against their float64 formulas, on random shapes and axes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatAttr, intAttr } from '../../../ir/attrs.js';
import { numel } from '../../../ir/tensor.js';
import { closeness, randomTensor, runNn, valuesFrom } from '../../../test/nn-run.js';

const cases = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
  axisPick: fc.nat(),
  negative: fc.boolean(),
  epsilon: fc.constantFrom(1e-5, 1e-3, 0.1),
  withBias: fc.boolean(),
  seed: fc.integer(),
});

describe('LayerNormalization matches (x - mean) / sqrt(var + eps) * scale + bias', () => {
  it('with Mean and InvStdDev outputs, over random axes', () => {
    fc.assert(fc.property(cases, ({ shape, axisPick, negative, epsilon, withBias, seed }) => {
      const next = valuesFrom(seed);
      const axis = axisPick % shape.length;
      const inner = numel(shape.slice(axis));
      const x = randomTensor(shape, next);
      const scale = randomTensor(shape.slice(axis), next);
      const bias = withBias ? randomTensor(shape.slice(axis), next) : undefined;
      const attrs = { axis: intAttr(negative ? axis - shape.length : axis), epsilon: floatAttr(epsilon), stash_type: intAttr(11) };
      const [y, mean, inv] = runNn('LayerNormalization', [x, scale, bias], attrs, 3);
      const want: number[] = [];
      const means: number[] = [];
      const invs: number[] = [];
      for (let g = 0; g < x.data.length / inner; g++) {
        const row = Array.from(x.data.slice(g * inner, (g + 1) * inner));
        const mu = row.reduce((a, b) => a + b, 0) / inner;
        const variance = row.reduce((a, b) => a + (b - mu) ** 2, 0) / inner;
        row.forEach((v, i) => want.push(((v - mu) / Math.sqrt(variance + epsilon)) * scale.data[i]! + (bias?.data[i] ?? 0)));
        means.push(mu);
        invs.push(1 / Math.sqrt(variance + epsilon));
      }
      expect(closeness(y!.data, want, 1e-10)).toBeUndefined();
      expect(mean!.shape).toEqual(shape.map((d, i) => (i < axis ? d : 1)));
      expect(mean!.dtype).toBe('float64');
      expect(closeness(mean!.data, means, 1e-12)).toBeUndefined();
      expect(closeness(inv!.data, invs, 1e-10)).toBeUndefined();
    }), { numRuns: 150 });
  });
});

describe('RMSNormalization matches x / sqrt(mean(x^2) + eps) * scale', () => {
  it('over random axes', () => {
    fc.assert(fc.property(cases, ({ shape, axisPick, negative, epsilon, seed }) => {
      const next = valuesFrom(seed);
      const axis = axisPick % shape.length;
      const inner = numel(shape.slice(axis));
      const x = randomTensor(shape, next);
      const scale = randomTensor(shape.slice(axis), next);
      const [y] = runNn('RMSNormalization', [x, scale], { axis: intAttr(negative ? axis - shape.length : axis), epsilon: floatAttr(epsilon) });
      const want: number[] = [];
      for (let g = 0; g < x.data.length / inner; g++) {
        const row = Array.from(x.data.slice(g * inner, (g + 1) * inner));
        const rms = Math.sqrt(row.reduce((a, b) => a + b * b, 0) / inner + epsilon);
        row.forEach((v, i) => want.push((v / rms) * scale.data[i]!));
      }
      expect(closeness(y!.data, want, 1e-10)).toBeUndefined();
    }), { numRuns: 150 });
  });
});
