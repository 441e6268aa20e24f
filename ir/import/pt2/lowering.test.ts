// The awkward aten mappings, checked by structure and by running them in the reference
// interpreter against direct float64 implementations of PyTorch's semantics.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../tensor.js';
import { arg, fxNode } from '../../../test/pt2-archive.js';
import { flatIndex, importSpec, maxAbsDiff, randomTensor, randomValues, runGraph } from '../../../test/pt2-run.js';

const ops = (g: { nodes: readonly { op: string }[] }) => g.nodes.map((n) => n.op);

describe('addmm', () => {
  it('is one Gemm with alpha and beta, computing beta*c + alpha*(a@b)', () => {
    const g = importSpec({
      inputs: [{ name: 'c', dtype: 'float32', shape: [3] }, { name: 'a', dtype: 'float32', shape: [2, 4] }, { name: 'b', dtype: 'float32', shape: [4, 3] }],
      nodes: [fxNode('aten.addmm.default', 'addmm', { self: arg.t('c'), mat1: arg.t('a'), mat2: arg.t('b'), beta: arg.f(0.5), alpha: arg.i(2) })],
      values: { addmm: { dtype: 'float32', shape: [2, 3] } },
      outputs: ['addmm'],
    });
    expect(ops(g)).toEqual(['Gemm']);
    expect(g.nodes[0]?.inputs).toEqual(['a', 'b', 'c']);
    expect(g.nodes[0]?.attrs).toEqual({ alpha: { kind: 'float', value: 2 }, beta: { kind: 'float', value: 0.5 } });
    const [c, a, b] = [randomTensor('float32', [3], 1), randomTensor('float32', [2, 4], 2), randomTensor('float32', [4, 3], 3)];
    const [y] = runGraph(g, { a, b, c });
    const want: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 4; k++) dot += (a.data[i * 4 + k] as number) * (b.data[k * 3 + j] as number);
        want.push(0.5 * (c.data[j] as number) + 2 * dot);
      }
    }
    expect(maxAbsDiff(y!.data, want)).toBeLessThan(1e-5);
  });
});

describe('split with getitem outputs', () => {
  it('splits into equal chunks and a smaller last one, one output per getitem', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 10] }],
      nodes: [fxNode('aten.split.Tensor', 'split', { self: arg.t('x'), split_size: arg.i(4), dim: arg.i(-1) }, [arg.ts('getitem', 'getitem_1', 'getitem_2')])],
      values: { getitem: { dtype: 'float32', shape: [2, 4] }, getitem_1: { dtype: 'float32', shape: [2, 4] }, getitem_2: { dtype: 'float32', shape: [2, 2] } },
      outputs: ['getitem_2', 'getitem'],
    });
    expect(ops(g)).toEqual(['Split']);
    const x = randomTensor('float32', [2, 10], 4);
    const [last, first] = runGraph(g, { x });
    expect(last!.shape).toEqual([2, 2]);
    expect(Array.from(last!.data)).toEqual([x.data[8], x.data[9], x.data[18], x.data[19]]);
    expect(Array.from(first!.data)).toEqual([0, 1, 2, 3, 10, 11, 12, 13].map((i) => x.data[i]));
  });
});

describe('select and slice', () => {
  it('select with a negative index picks from the end and drops the dim', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }],
      nodes: [fxNode('aten.select.int', 'select', { self: arg.t('x'), dim: arg.i(1), index: arg.i(-1) })],
      values: { select: { dtype: 'float32', shape: [2, 4] } },
      outputs: ['select'],
    });
    const x = randomTensor('float32', [2, 3, 4], 5);
    const [y] = runGraph(g, { x });
    const want = [0, 1].flatMap((i) => [0, 1, 2, 3].map((k) => x.data[flatIndex([2, 3, 4], [i, 2, k])] as number));
    expect(Array.from(y!.data)).toEqual(want);
  });

  it('slice clamps a negative start and the sys.maxsize end; a full slice emits nothing', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 5] }],
      nodes: [
        fxNode('aten.slice.Tensor', 'slice_1', { self: arg.t('x'), dim: arg.i(0), start: arg.i(0), end: arg.i(9223372036854775807) }),
        fxNode('aten.slice.Tensor', 'slice_2', { self: arg.t('slice_1'), dim: arg.i(-1), start: arg.i(-3), end: arg.i(9223372036854775807) }),
        fxNode('aten.slice.Tensor', 'slice_3', { self: arg.t('x'), dim: arg.i(1), start: arg.i(4), end: arg.i(-4) }),
      ],
      values: { slice_1: { dtype: 'float32', shape: [2, 5] }, slice_2: { dtype: 'float32', shape: [2, 3] }, slice_3: { dtype: 'float32', shape: [2, 0] } },
      outputs: ['slice_2', 'slice_3'],
    });
    expect(ops(g)).toEqual(['Slice', 'Slice']);
    const x = randomTensor('float32', [2, 5], 6);
    const [y, empty] = runGraph(g, { x });
    expect(Array.from(y!.data)).toEqual([2, 3, 4, 7, 8, 9].map((i) => x.data[i]));
    expect(empty!.shape).toEqual([2, 0]);
  });
});

/** x[indices] by PyTorch's rules, for a rank-3 x and index tensors of one shape (no broadcasting). */
function torchIndex(x: { shape: readonly number[]; data: ArrayLike<number> }, indices: (readonly number[] | null)[], indexShape: readonly number[]) {
  const used = indices.flatMap((v, axis) => (v === null ? [] : [axis]));
  const adjacent = used.every((a, i) => i === 0 || a === (used[i - 1] as number) + 1);
  const others = [0, 1, 2].filter((a) => !used.includes(a));
  const count = indexShape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  const outShape = adjacent
    ? [...others.filter((a) => a < (used[0] as number)).map((a) => x.shape[a] as number), ...indexShape, ...others.filter((a) => a > (used[0] as number)).map((a) => x.shape[a] as number)]
    : [...indexShape, ...others.map((a) => x.shape[a] as number)];
  // Enumerate the output in row-major order, mapping each position back to x.
  const total = outShape.reduce((p, d) => p * d, 1);
  for (let flat = 0; flat < total; flat++) {
    const pos: number[] = [];
    let rest = flat;
    for (let i = outShape.length - 1; i >= 0; i--) {
      pos[i] = rest % (outShape[i] as number);
      rest = Math.floor(rest / (outShape[i] as number));
    }
    const before = adjacent ? others.filter((a) => a < (used[0] as number)).length : 0;
    const b = pos.slice(before, before + indexShape.length);
    const k = flatIndex(indexShape, b);
    const otherPos = [...pos.slice(0, before), ...pos.slice(before + indexShape.length)];
    const src: number[] = [];
    for (let a = 0; a < 3; a++) {
      const idx = indices[a];
      if (idx !== null && idx !== undefined) {
        const v = idx[k] as number;
        src.push(v < 0 ? v + (x.shape[a] as number) : v);
      } else {
        src.push(otherPos.shift() as number);
      }
    }
    out.push(x.data[flatIndex(x.shape, src)] as number);
  }
  void count;
  return { shape: outShape, data: out };
}

describe('index.Tensor', () => {
  const shape = [3, 4, 5];
  const cases: { name: string; pattern: (boolean)[] }[] = [
    { name: 'one index after a None (x[:, i])', pattern: [false, true, false] },
    { name: 'adjacent indices after a None (x[:, i, j])', pattern: [false, true, true] },
    { name: 'indices apart (x[i, :, j]) put the index dims first', pattern: [true, false, true] },
    { name: 'leading indices (x[i, j])', pattern: [true, true, false] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer(), (n0, n1, seed) => {
          const indexShape = [n0, n1];
          const indexValues = c.pattern.map((used, axis) => {
            if (!used) return null;
            const size = shape[axis] as number;
            return randomValues(n0 * n1, seed + axis).map((v) => Math.floor(((v + 2) / 4) * 2 * size) - size);
          });
          const names = indexValues.map((v, axis) => (v === null ? null : `i${axis}`));
          const last = names.map((v, i) => (v === null ? -1 : i)).reduce((a, b) => Math.max(a, b));
          const want = torchIndex(randomTensor('float32', shape, seed), indexValues, indexShape);
          const g = importSpec({
            inputs: [{ name: 'x', dtype: 'float32', shape }, ...names.flatMap((n) => (n === null ? [] : [{ name: n, dtype: 'int64' as const, shape: indexShape }]))],
            nodes: [fxNode('aten.index.Tensor', 'index', { self: arg.t('x'), indices: arg.optTs(...names.slice(0, last + 1)) })],
            values: { index: { dtype: 'float32', shape: want.shape } },
            outputs: ['index'],
          });
          const feeds: Record<string, ReturnType<typeof makeTensor>> = { x: randomTensor('float32', shape, seed) };
          indexValues.forEach((v, axis) => {
            if (v !== null) feeds[`i${axis}`] = makeTensor('int64', indexShape, v);
          });
          const [y] = runGraph(g, feeds);
          expect(y!.shape).toEqual(want.shape);
          expect(Array.from(y!.data)).toEqual(want.data);
        }),
        { numRuns: 15 },
      );
    });
  }
});

describe('scaled_dot_product_attention', () => {
  // softmax(q k^T * scale + mask) v, query head h reading key/value head h / (Hq / Hkv).
  function attention(q: number[], k: number[], v: number[], mask: number[] | null, hq: number, hkv: number, l: number, s: number, e: number, causal: boolean): number[] {
    const out: number[] = [];
    const scale = 1 / Math.sqrt(e);
    for (let h = 0; h < hq; h++) {
      const kh = Math.floor(h / (hq / hkv));
      for (let i = 0; i < l; i++) {
        const scores: number[] = [];
        for (let j = 0; j < s; j++) {
          let dot = 0;
          for (let d = 0; d < e; d++) dot += (q[(h * l + i) * e + d] as number) * (k[(kh * s + j) * e + d] as number);
          const allowed = (mask === null || mask[i * s + j] === 1) && (!causal || j <= i);
          scores.push(allowed ? dot * scale : -Infinity);
        }
        const m = Math.max(...scores);
        const w = scores.map((x) => Math.exp(x - m));
        const z = w.reduce((a, b) => a + b, 0);
        for (let d = 0; d < e; d++) out.push(w.reduce((acc, wj, j) => acc + (wj / z) * (v[(kh * s + j) * e + d] as number), 0));
      }
    }
    return out;
  }

  it('maps a bool mask and grouped-query heads onto one Attention node', () => {
    const [hq, hkv, l, s, e] = [4, 2, 3, 5, 2];
    const g = importSpec({
      inputs: [
        { name: 'q', dtype: 'float32', shape: [1, hq, l, e] }, { name: 'k', dtype: 'float32', shape: [1, hkv, s, e] },
        { name: 'v', dtype: 'float32', shape: [1, hkv, s, e] }, { name: 'mask', dtype: 'bool', shape: [1, 1, l, s] },
      ],
      nodes: [fxNode('aten.scaled_dot_product_attention.default', 'sdpa', { query: arg.t('q'), key: arg.t('k'), value: arg.t('v'), attn_mask: arg.t('mask'), enable_gqa: arg.b(true) })],
      values: { sdpa: { dtype: 'float32', shape: [1, hq, l, e] } },
      outputs: ['sdpa'],
    });
    expect(ops(g)).toEqual(['Attention']);
    expect(g.nodes[0]?.inputs).toEqual(['q', 'k', 'v', 'mask']);
    const maskValues = Array.from({ length: l * s }, (_, i) => (i % 3 === 2 ? 0 : 1));
    const feeds = {
      q: randomTensor('float32', [1, hq, l, e], 11), k: randomTensor('float32', [1, hkv, s, e], 12),
      v: randomTensor('float32', [1, hkv, s, e], 13), mask: makeTensor('bool', [1, 1, l, s], maskValues),
    };
    const [y] = runGraph(g, feeds);
    const want = attention(Array.from(feeds.q.data), Array.from(feeds.k.data), Array.from(feeds.v.data), maskValues, hq, hkv, l, s, e, false);
    expect(maxAbsDiff(y!.data, want)).toBeLessThan(1e-5);
  });

  it('passes is_causal and scale as attributes', () => {
    const g = importSpec({
      inputs: ['q', 'k', 'v'].map((name) => ({ name, dtype: 'float32' as const, shape: [1, 2, 3, 4] })),
      nodes: [fxNode('aten.scaled_dot_product_attention.default', 'sdpa', { query: arg.t('q'), key: arg.t('k'), value: arg.t('v'), is_causal: arg.b(true), scale: arg.f(0.5) })],
      values: { sdpa: { dtype: 'float32', shape: [1, 2, 3, 4] } },
      outputs: ['sdpa'],
    });
    expect(g.nodes[0]?.attrs).toEqual({ is_causal: { kind: 'int', value: 1 }, scale: { kind: 'float', value: 0.5 } });
    const feeds = { q: randomTensor('float32', [1, 2, 3, 4], 21), k: randomTensor('float32', [1, 2, 3, 4], 22), v: randomTensor('float32', [1, 2, 3, 4], 23) };
    const [y] = runGraph(g, feeds);
    // scale 0.5 is 1/sqrt(4), the default of the reference above.
    const want = attention(Array.from(feeds.q.data), Array.from(feeds.k.data), Array.from(feeds.v.data), null, 2, 2, 3, 3, 4, true);
    expect(maxAbsDiff(y!.data, want)).toBeLessThan(1e-5);
  });
});
