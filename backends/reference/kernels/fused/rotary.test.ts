// solder::RotaryEmbedding against HF's rotate_half / GPT-J's rotate_every_two composed from
// float64 Slice, Neg, Concat, Gather, Mul, Add.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intAttr } from '../../../../ir/attrs.js';
import { makeTensor } from '../../../../ir/tensor.js';
import { type Nd, add, concatLast, fromTensor, map, mismatch, mul, nd, reshape, size, sliceLast, values } from '../../../../test/float64-onnx.js';
import { runOp } from '../../../../test/run-op.js';

const TOL = { float32: { rtol: 2e-6, atol: 2e-6 }, float64: { rtol: 1e-12, atol: 1e-12 } } as const;

/** Gather along the last axis. */
function takeLast(a: Nd, indices: readonly number[]): Nd {
  const w = a.shape[a.shape.length - 1]!;
  const out: number[] = [];
  for (let r = 0; r < a.data.length / w; r++) for (const i of indices) out.push(a.data[r * w + i]!);
  return nd([...a.shape.slice(0, -1), indices.length], out);
}

const neg = (a: Nd) => map(a, (v) => -v);

function rotateHalf(x: Nd): Nd {
  const r = x.shape[x.shape.length - 1]!;
  return concatLast([neg(sliceLast(x, r / 2, r)), sliceLast(x, 0, r / 2)]);
}

/** stack((-x[..., 1::2], x[..., ::2]), -1).flatten(-2) */
function rotateEveryTwo(x: Nd): Nd {
  const r = x.shape[x.shape.length - 1]!;
  const evens = Array.from({ length: r / 2 }, (_, i) => 2 * i);
  const odd = takeLast(x, evens.map((i) => i + 1));
  const even = takeLast(x, evens);
  const pairs = concatLast([reshape(neg(odd), [...odd.shape, 1]), reshape(even, [...even.shape, 1])]);
  return reshape(pairs, x.shape);
}

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  heads: fc.integer({ min: 1, max: 3 }),
  seq: fc.integer({ min: 1, max: 4 }),
  halfRotary: fc.integer({ min: 1, max: 4 }),
  pass: fc.integer({ min: 0, max: 3 }),
  tableLayout: fc.constantFrom('[s,r]', '[b,s,r]', '[1,s,r]', '[b,1,s,r]', '[b,h,s,r]'),
  interleaved: fc.constantFrom(0, 1),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  seed: fc.integer(),
});

describe('solder::RotaryEmbedding reference kernel', () => {
  it('matches x*cos + rotate(x)*sin on the rotated part and passes the rest through', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const r = 2 * c.halfRotary;
      const headDim = r + c.pass;
      const xShape = [c.batch, c.heads, c.seq, headDim];
      const tableShape = {
        '[s,r]': [c.seq, r], '[b,s,r]': [c.batch, c.seq, r], '[1,s,r]': [1, c.seq, r],
        '[b,1,s,r]': [c.batch, 1, c.seq, r], '[b,h,s,r]': [c.batch, c.heads, c.seq, r],
      }[c.tableLayout];
      const x = makeTensor(c.dtype, xShape, values(c.seed, size(xShape)));
      const cos = makeTensor(c.dtype, tableShape, values(c.seed + 1, size(tableShape)));
      const sin = makeTensor(c.dtype, tableShape, values(c.seed + 2, size(tableShape)));
      const rotaryDim = c.pass === 0 && c.seed % 2 === 0 ? 0 : r;
      const [out] = runOp('RotaryEmbedding', [x, cos, sin], { interleaved: intAttr(c.interleaved), rotary_dim: intAttr(rotaryDim) });

      // HF unsqueezes a [b, s, r] table at dim 1; a [s, r] table broadcasts as it is.
      const asBhsr = (t: Nd) => (t.shape.length === 3 ? reshape(t, [t.shape[0]!, 1, t.shape[1]!, t.shape[2]!]) : t);
      const xs = fromTensor(x);
      const rot = sliceLast(xs, 0, r);
      const rotated = c.interleaved === 1 ? rotateEveryTwo(rot) : rotateHalf(rot);
      const mixed = add(mul(rot, asBhsr(fromTensor(cos))), mul(rotated, asBhsr(fromTensor(sin))));
      const want = c.pass === 0 ? mixed : concatLast([mixed, sliceLast(xs, r, headDim)]);
      expect(out!.shape).toEqual(want.shape);
      expect(mismatch(out!.data, want.data, TOL[c.dtype].rtol, TOL[c.dtype].atol)).toBeUndefined();
    }), { numRuns: 150 });
  });

  it('rejects an odd rotary_dim, naming the node', () => {
    const x = makeTensor('float32', [1, 1, 1, 4], [1, 2, 3, 4]);
    const t = makeTensor('float32', [1, 3], [1, 1, 1]);
    expect(() => runOp('RotaryEmbedding', [x, t, t], { rotary_dim: intAttr(3) })).toThrow(/test\/RotaryEmbedding.*even/);
  });
});
