// Attention against an explicit composition: materialize K/V per query head (with the past
// prepended), then softmax(Q K^T * scale + mask + causal) V, on random layouts and masks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttrValue, floatAttr, intAttr } from '../../../ir/attrs.js';
import { type Tensor, makeTensor } from '../../../ir/tensor.js';
import { closeness, randomTensor, runNn, valuesFrom } from '../../../test/nn-run.js';

type Grid = number[][][][]; // [batch][head][seq][feature]

/** A 4-D [B, H, S, D] tensor, or a 3-D [B, S, H*D] one, as nested [b][h][s][d] arrays. */
function toGrid(t: Tensor, heads: number): Grid {
  const four = t.shape.length === 4;
  const [B, S] = four ? [t.shape[0]!, t.shape[2]!] : [t.shape[0]!, t.shape[1]!];
  const D = four ? t.shape[3]! : t.shape[2]! / heads;
  return Array.from({ length: B }, (_, b) => Array.from({ length: heads }, (_, h) => Array.from({ length: S }, (_, s) =>
    Array.from({ length: D }, (_, d) => t.data[four ? ((b * heads + h) * S + s) * D + d : (b * S + s) * heads * D + h * D + d]!))));
}

const arb = fc.record({
  batch: fc.integer({ min: 1, max: 2 }), kvHeads: fc.integer({ min: 1, max: 2 }), group: fc.integer({ min: 1, max: 3 }),
  qLen: fc.integer({ min: 1, max: 4 }), kvLen: fc.integer({ min: 1, max: 4 }), past: fc.integer({ min: 0, max: 2 }),
  size: fc.integer({ min: 1, max: 4 }), vSize: fc.integer({ min: 1, max: 3 }), threeD: fc.boolean(),
  mask: fc.constantFrom('none', 'bool', 'float'), maskShape: fc.nat(4), causal: fc.boolean(),
  scale: fc.option(fc.double({ min: 0.1, max: 2, noNaN: true }), { nil: undefined }),
  softcap: fc.constantFrom(0, 1.5), seed: fc.integer(),
});

describe('Attention matches softmax(Q K^T * scale + mask) V composed by hand', () => {
  it('over layouts, GQA, past KV, bool/additive masks, causal and softcap', () => {
    fc.assert(fc.property(arb, (r) => {
      const next = valuesFrom(r.seed);
      const heads = r.kvHeads * r.group;
      const past = r.threeD ? 0 : r.past;
      const total = past + r.kvLen;
      const layout = (h: number, s: number, d: number) => (r.threeD ? [r.batch, s, h * d] : [r.batch, h, s, d]);
      const q = randomTensor(layout(heads, r.qLen, r.size), next);
      const k = randomTensor(layout(r.kvHeads, r.kvLen, r.size), next);
      const v = randomTensor(layout(r.kvHeads, r.kvLen, r.vSize), next);
      const pastK = past > 0 ? randomTensor([r.batch, r.kvHeads, past, r.size], next) : undefined;
      const pastV = past > 0 ? randomTensor([r.batch, r.kvHeads, past, r.vSize], next) : undefined;
      // Mask shapes that broadcast to [B, H, Sq, T], including ones that broadcast over queries.
      const shapes = [[r.qLen, total], [r.batch, 1, r.qLen, total], [1, heads, r.qLen, total], [r.batch, 1, 1, total], [heads, r.qLen, total]];
      const maskShape = shapes[r.maskShape]!;
      let mask: Tensor | undefined;
      if (r.mask === 'float') mask = randomTensor(maskShape, next);
      if (r.mask === 'bool') mask = makeTensor('bool', maskShape, Array.from({ length: maskShape.reduce((a, b) => a * b, 1) }, () => (next() > -1.2 ? 1 : 0)));
      const attrs: Record<string, AttrValue> = { is_causal: intAttr(r.causal ? 1 : 0), softcap: floatAttr(r.softcap) };
      if (r.threeD) Object.assign(attrs, { q_num_heads: intAttr(heads), kv_num_heads: intAttr(r.kvHeads) });
      if (r.scale !== undefined) attrs.scale = floatAttr(r.scale);
      const [y, presentK] = runNn('Attention', [q, k, v, mask, pastK, pastV], attrs, 3);

      const [Q, Kn, Vn] = [toGrid(q, heads), toGrid(k, r.kvHeads), toGrid(v, r.kvHeads)];
      const [Pk, Pv] = [pastK && toGrid(pastK, r.kvHeads), pastV && toGrid(pastV, r.kvHeads)];
      const K = Kn.map((bk, b) => bk.map((hk, h) => [...(Pk?.[b]![h]! ?? []), ...hk]));
      const V = Vn.map((bv, b) => bv.map((hv, h) => [...(Pv?.[b]![h]! ?? []), ...hv]));
      const scale = r.scale ?? 1 / Math.sqrt(r.size);
      const maskAt = (b: number, h: number, i: number, j: number): number => {
        if (mask === undefined) return 0;
        const coord = [b, h, i, j].slice(4 - maskShape.length);
        const off = coord.reduce((acc, c, n) => acc * maskShape[n]! + (maskShape[n] === 1 ? 0 : c), 0);
        const m = mask.data[off]!;
        return mask.dtype === 'bool' ? (m ? 0 : -Infinity) : m;
      };
      const Y: Grid = Q.map((bq, b) => bq.map((hq, h) => hq.map((qi, i) => {
        const kvh = Math.floor(h / r.group);
        const logits = K[b]![kvh]!.map((kj, j) => {
          let s = qi.reduce((acc, x, d) => acc + x * kj[d]!, 0) * scale;
          if (r.softcap > 0) s = r.softcap * Math.tanh(s / r.softcap);
          const causal = r.causal && j > i + past ? -Infinity : 0;
          return { s, bias: maskAt(b, h, i, j) + causal };
        });
        if (logits.every((l) => l.bias === -Infinity)) return new Array<number>(r.vSize).fill(0);
        const max = Math.max(...logits.map((l) => l.s + l.bias));
        const e = logits.map((l) => Math.exp(l.s + l.bias - max));
        const sum = e.reduce((a, b2) => a + b2, 0);
        return Array.from({ length: r.vSize }, (_, d) => e.reduce((acc, p, j) => acc + (p / sum) * V[b]![kvh]![j]![d]!, 0));
      })));
      const want = r.threeD
        ? Y.flatMap((yb) => Array.from({ length: r.qLen }, (_, s) => yb.flatMap((yh) => yh[s]!)).flat())
        : Y.flat(3);
      expect(y!.shape).toEqual(r.threeD ? [r.batch, r.qLen, heads * r.vSize] : [r.batch, heads, r.qLen, r.vSize]);
      expect(closeness(y!.data, want, 1e-10)).toBeUndefined();
      expect(presentK!.shape).toEqual([r.batch, r.kvHeads, total, r.size]);
      expect(closeness(presentK!.data, K.flat(3), 0)).toBeUndefined();
    }), { numRuns: 300 });
  });
});
