// solder::Attention against softmax(q·kᵀ·scale + mask) · v composed from float64 ONNX ops,
// and fully_masked_rows='average' / 'zero' against a direct float64 loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatAttr, intAttr, stringAttr } from '../../../../ir/attrs.js';
import { type Tensor, makeTensor } from '../../../../ir/tensor.js';
import {
  type Nd, add, expand, fromTensor, matmul, mismatch, mul, nd, reshape, scalar, softmaxLast, transpose, values, where,
} from '../../../../test/float64-onnx.js';
import { attentionSizes, randomQkv } from '../../../../test/attention-sizes.js';
import { runOp } from '../../../../test/run-op.js';

const TOL = { float32: { rtol: 2e-6, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-12 } } as const;

/** HF's repeat_kv: Reshape(Expand(Unsqueeze(x, 2))) from [b, kvh, s, d] to [b, kvh*group, s, d]. */
function repeatKv(x: Nd, group: number): Nd {
  const [b, h, s, d] = x.shape as [number, number, number, number];
  return reshape(expand(reshape(x, [b, h, 1, s, d]), [b, h, group, s, d]), [b, h * group, s, d]);
}

function composedAttention(q: Nd, k: Nd, v: Nd, mask: Nd | undefined, maskIsBool: boolean, scale: number, causal: boolean): Nd {
  const group = q.shape[1]! / k.shape[1]!;
  let scores = mul(matmul(q, transpose(repeatKv(k, group), [0, 1, 3, 2])), scalar(scale));
  if (mask !== undefined) scores = maskIsBool ? where(mask, scores, scalar(-Infinity)) : add(scores, mask);
  if (causal) {
    const [qSeq, kvSeq] = [q.shape[2]!, k.shape[2]!];
    const band = Array.from({ length: qSeq * kvSeq }, (_, f) => (f % kvSeq > Math.floor(f / kvSeq) + kvSeq - qSeq ? -Infinity : 0));
    scores = add(scores, nd([qSeq, kvSeq], band));
  }
  return matmul(softmaxLast(scores), repeatKv(v, group));
}

const MASKS = ['none', 'padding', 'full-additive', 'bool-padding', 'bool-full'] as const;

const caseArb = fc.record({
  ...attentionSizes({ batch: 2, kvHeads: 3, group: 3, qSeq: 5, kvSeq: 6, headDim: 8, valueDim: 8 }),
  mask: fc.constantFrom(...MASKS),
  causal: fc.boolean(),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  scale: fc.double({ min: 0.05, max: 2, noNaN: true }),
  seed: fc.integer(),
});

/** The mask tensor of a case: HF-style padding rows [b, 1, 1, kv] or full [b, 1, q, kv]. */
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function maskFor(c: Case) {
  if (c.mask === 'none') return undefined;
  const full = c.mask === 'full-additive' || c.mask === 'bool-full';
  const shape = full ? [c.batch, 1, c.qSeq, c.kvSeq] : [c.batch, 1, 1, c.kvSeq];
  const raw = values(c.seed ^ 0x5bd1e995, shape.reduce((a, b) => a * b, 1));
  if (c.mask.startsWith('bool')) return makeTensor('bool', shape, raw.map((r) => (r > -1.2 ? 1 : 0)));
  // Additive: a mix of 0, finite biases and HF's large negative fill.
  return makeTensor(c.dtype, shape, raw.map((r) => (r < -1.2 ? -1e9 : r > 1 ? 0 : r)));
}

describe('solder::Attention reference kernel', () => {
  it('matches the eager composition for random shapes, GQA, masks and causal', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const { q, k, v } = randomQkv(c, c.dtype, c.seed);
      const mask = maskFor(c);
      const [out] = runOp('Attention', [q, k, v, mask], { scale: floatAttr(c.scale), causal: intAttr(c.causal ? 1 : 0) });
      const want = composedAttention(fromTensor(q), fromTensor(k), fromTensor(v), mask && fromTensor(mask), mask?.dtype === 'bool', c.scale, c.causal);
      expect(out!.shape).toEqual(want.shape);
      expect(mismatch(out!.data, want.data, TOL[c.dtype].rtol, TOL[c.dtype].atol)).toBeUndefined();
    }), { numRuns: 150 });
  });

  it.each(['average', 'zero'] as const)("fully_masked_rows='%s': a fully masked row is v averaged over every key, or 0; other rows as 'nan' gives", (rows) => {
    let maskedRows = 0;
    fc.assert(fc.property(caseArb, fc.constantFrom('padding', 'full'), fc.double({ min: 0.2, max: 0.8, noNaN: true }), (c, maskShape, dropRate) => {
      const { q, k, v } = randomQkv(c, c.dtype, c.seed);
      const shape = maskShape === 'full' ? [c.batch, 1, c.qSeq, c.kvSeq] : [c.batch, 1, 1, c.kvSeq];
      // Often every key of a row dropped (and with q_seq > kv_seq, causal rows that see no key).
      const keep = c.mask === 'none' ? undefined : makeTensor('bool', shape, values(c.seed ^ 0x2545f491, shape.reduce((a, b) => a * b, 1)).map((r) => ((r + 2) / 4 > dropRate ? 1 : 0)));
      const attrs = { scale: floatAttr(c.scale), causal: intAttr(c.causal ? 1 : 0) };
      const [out] = runOp('Attention', [q, k, v, keep], { ...attrs, fully_masked_rows: stringAttr(rows) });
      const [eager] = runOp('Attention', [q, k, v, keep], attrs);
      const want = directAttention(q, k, v, keep, c.scale, c.causal, rows);
      maskedRows += want.maskedRows;
      expect(mismatch(out!.data, want.out, TOL[c.dtype].rtol, TOL[c.dtype].atol)).toBeUndefined();
      // Rows that keep a key are the eager ones; fully masked rows are NaN there.
      for (let i = 0; i < want.out.length; i++) {
        if (want.fullyMasked[i] === 1) expect(eager!.data[i]).toBeNaN();
        else expect(out!.data[i]).toBe(eager!.data[i]);
      }
    }), { numRuns: 150 });
    expect(maskedRows, 'fully masked rows seen').toBeGreaterThan(0);
  });

  it("rejects fully_masked_rows='average' or 'zero' with an additive mask, and unknown values", () => {
    const x = makeTensor('float32', [1, 1, 2, 2], values(1, 4));
    const additive = makeTensor('float32', [1, 1, 1, 2], [0, -Infinity]);
    expect(() => runOp('Attention', [x, x, x, additive], { scale: floatAttr(1), fully_masked_rows: stringAttr('average') })).toThrow(/needs a bool keep-mask/);
    expect(() => runOp('Attention', [x, x, x, additive], { scale: floatAttr(1), fully_masked_rows: stringAttr('zero') })).toThrow(/'zero' needs a bool keep-mask/);
    expect(() => runOp('Attention', [x, x, x], { scale: floatAttr(1), fully_masked_rows: stringAttr('zeros') })).toThrow(/fully_masked_rows/);
  });

  it('aligns causal bottom-right: with q_seq < kv_seq the last query sees every key', () => {
    const q = makeTensor('float64', [1, 1, 2, 2], [1, 0.5, -0.5, 1]);
    const k = makeTensor('float64', [1, 1, 4, 2], values(3, 8));
    const v = makeTensor('float64', [1, 1, 4, 1], [1, 10, 100, 1000]);
    const [causal] = runOp('Attention', [q, k, v], { scale: floatAttr(1), causal: intAttr(1) });
    const [open] = runOp('Attention', [q, k, v], { scale: floatAttr(1), causal: intAttr(0) });
    expect(causal!.data[1]).toBeCloseTo(open!.data[1]!, 12);
    // The first of the two queries sees keys 0..2 only, so the 1000 of key 3 is absent.
    expect(causal!.data[0]).toBeLessThan(100);
  });

  it('gives NaN for a row whose every key is masked, like eager softmax', () => {
    const q = makeTensor('float32', [1, 1, 1, 2], [1, 2]);
    const k = makeTensor('float32', [1, 1, 2, 2], [1, -1, 0.5, 2]);
    const v = makeTensor('float32', [1, 1, 2, 2], [1, 2, 3, 4]);
    const mask = makeTensor('bool', [1, 1, 1, 2], [0, 0]);
    const [out] = runOp('Attention', [q, k, v, mask], { scale: floatAttr(0.5) });
    expect(Array.from(out!.data).every(Number.isNaN)).toBe(true);
  });

  it('rejects q heads that are not a multiple of kv heads, naming the node', () => {
    const q = makeTensor('float32', [1, 3, 1, 2], values(1, 6));
    const kv = makeTensor('float32', [1, 2, 1, 2], values(2, 4));
    expect(() => runOp('Attention', [q, kv, kv], { scale: floatAttr(1) })).toThrow(/test\/Attention.*multiple of kv heads/);
  });
});

/**
 * Attention as plain float64 loops: softmax over the kept keys (bool mask true, causal band
 * bottom-right), or where none is kept the mean of v over every key ('average') or 0 ('zero').
 */
function directAttention(q: Tensor, k: Tensor, v: Tensor, keep: Tensor | undefined, scale: number, causal: boolean, rows: 'average' | 'zero') {
  const [b, h, sq, d] = q.shape as [number, number, number, number];
  const [, hkv, skv] = k.shape as [number, number, number];
  const dv = v.shape[3]!;
  const out = new Float64Array(b * h * sq * dv);
  const fullyMasked = new Float64Array(out.length);
  let maskedRows = 0;
  const kept = (bi: number, i: number, j: number) => {
    if (causal && j > i + skv - sq) return false;
    if (keep === undefined) return true;
    const [, , mq, mk] = keep.shape as [number, number, number, number];
    return keep.data[(bi * mq + (mq === 1 ? 0 : i)) * mk + j] !== 0;
  };
  for (let bi = 0; bi < b; bi++) {
    for (let hi = 0; hi < h; hi++) {
      const kh = Math.floor(hi / (h / hkv));
      const vAt = (j: number, e: number) => v.data[((bi * hkv + kh) * skv + j) * dv + e]!;
      for (let i = 0; i < sq; i++) {
        const keys = Array.from({ length: skv }, (_, j) => j).filter((j) => kept(bi, i, j));
        const weights = new Float64Array(skv);
        if (keys.length === 0) {
          maskedRows++;
          weights.fill(rows === 'average' ? 1 / skv : 0);
        } else {
          const score = (j: number) => {
            let dot = 0;
            for (let e = 0; e < d; e++) dot += q.data[((bi * h + hi) * sq + i) * d + e]! * k.data[((bi * hkv + kh) * skv + j) * d + e]!;
            return dot * scale;
          };
          const scores = keys.map(score);
          const max = Math.max(...scores);
          const exps = scores.map((s) => Math.exp(s - max));
          const sum = exps.reduce((a, x) => a + x, 0);
          keys.forEach((j, n) => { weights[j] = exps[n]! / sum; });
        }
        for (let e = 0; e < dv; e++) {
          let acc = 0;
          for (let j = 0; j < skv; j++) acc += weights[j]! * vAt(j, e);
          const at = ((bi * h + hi) * sq + i) * dv + e;
          out[at] = acc;
          fullyMasked[at] = keys.length === 0 ? 1 : 0;
        }
      }
    }
  }
  return { out, fullyMasked, maskedRows };
}
