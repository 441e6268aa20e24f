// Einsum against MatMul and direct transposes/diagonals, for random equations of standard forms.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringAttr } from '../../../ir/attrs.js';
import { makeTensor, numel } from '../../../ir/tensor.js';
import { closeness, randomTensor, runNn, valuesFrom } from '../../../test/nn-run.js';

const einsum = (equation: string, ...inputs: Parameters<typeof runNn>[1]) => runNn('Einsum', inputs, { equation: stringAttr(equation) })[0]!;
const dim = fc.integer({ min: 1, max: 4 });
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

describe('Einsum agrees with MatMul', () => {
  it('for matrix, batched and ellipsis-broadcast products, explicit and implicit', () => {
    fc.assert(fc.property(
      fc.array(dim, { maxLength: 2 }), dim, dim, dim, fc.boolean(), fc.constantFrom('explicit', 'implicit', 'ellipsis'), fc.shuffledSubarray([...LETTERS], { minLength: 5, maxLength: 5 }), fc.integer(),
      (batch, m, k, n, broadcast, form, letters, seed) => {
        const next = valuesFrom(seed);
        const bBatch = broadcast ? batch.map(() => 1) : batch;
        const a = randomTensor([...batch, m, k], next);
        const b = randomTensor([...bBatch, k, n], next);
        const [i, j, l] = letters.slice(0, 3) as [string, string, string];
        const batchLetters = letters.slice(3, 3 + batch.length).join('');
        let equation: string;
        if (form === 'ellipsis') equation = `...${i}${j},...${j}${l}->...${i}${l}`;
        else if (form === 'implicit' && batch.length === 0 && i < l) equation = `${i}${j},${j}${l}`;
        else equation = `${batchLetters}${i}${j},${broadcast ? '' : batchLetters}${j}${l}->${batchLetters}${i}${l}`;
        // A broadcast batch is dropped from B in the letter forms (same product, fewer dims).
        const bFor = form !== 'ellipsis' && broadcast ? makeTensor(b.dtype, [k, n], b.data) : b;
        const got = einsum(equation, a, bFor);
        const [want] = runNn('MatMul', [a, b]);
        expect(got.shape, equation).toEqual(want!.shape);
        expect(closeness(got.data, want!.data, 1e-12), equation).toBeUndefined();
      },
    ), { numRuns: 200 });
  });
});

describe('Einsum agrees with direct index arithmetic', () => {
  it('for random permutations (transposes)', () => {
    fc.assert(fc.property(fc.array(dim, { minLength: 1, maxLength: 4 }), fc.integer(), fc.integer(), (shape, permSeed, seed) => {
      const rank = shape.length;
      const perm = [...Array(rank).keys()].sort((x, y) => Math.sin(permSeed + x * 7.1) - Math.sin(permSeed + y * 7.1));
      const x = randomTensor(shape, valuesFrom(seed));
      const inLetters = LETTERS.slice(0, rank);
      const outLetters = perm.map((p) => inLetters[p]).join('');
      const got = einsum(`${inLetters}->${outLetters}`, x);
      const outShape = perm.map((p) => shape[p]!);
      const strides = shape.map((_, d) => numel(shape.slice(d + 1)));
      const want = Array.from({ length: numel(outShape) }, (_, flat) => {
        let off = 0;
        outShape.forEach((size, d) => { off += (Math.floor(flat / numel(outShape.slice(d + 1))) % size) * strides[perm[d]!]!; });
        return x.data[off]!;
      });
      expect(got.shape).toEqual(outShape);
      expect(closeness(got.data, want, 0)).toBeUndefined();
    }), { numRuns: 150 });
  });

  it('for diagonals, traces, dots and sums', () => {
    fc.assert(fc.property(dim, dim, fc.integer(), (n, batch, seed) => {
      const next = valuesFrom(seed);
      const sq = randomTensor([batch, n, n], next);
      const vec = [randomTensor([n], next), randomTensor([n], next)] as const;
      const diag = Array.from({ length: batch * n }, (_, f) => sq.data[Math.floor(f / n) * n * n + (f % n) * (n + 1)]!);
      expect(closeness(einsum('bii->bi', sq).data, diag, 0)).toBeUndefined();
      const traces = Array.from({ length: batch }, (_, b) => diag.slice(b * n, (b + 1) * n).reduce((s, v) => s + v, 0));
      expect(closeness(einsum('...ii', sq).data, traces, 1e-12)).toBeUndefined();
      const dot = vec[0].data.reduce((s, v, i) => s + v * vec[1].data[i]!, 0);
      expect(closeness(einsum('i,i->', vec[0], vec[1]).data, [dot], 1e-12)).toBeUndefined();
      expect(closeness(einsum('bij->', sq).data, [sq.data.reduce((s, v) => s + v, 0)], 1e-12)).toBeUndefined();
    }), { numRuns: 100 });
  });
});
