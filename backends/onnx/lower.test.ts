// Each lowering, run in ONNX Runtime, computes what the fused node's reference kernel
// computes: small graphs of one fused node (random inputs, symbolic batch/seq dims), the
// reference interpreter's outputs recorded, the lowered graph run by ORT against them.
import { describe, expect, it } from 'vitest';
import { run } from '../../api/run.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { haveOrt, ortErrorsOn, warnIfNoOrt } from '../../test/ort-check.js';
import { values } from '../../test/float64-onnx.js';
import '../../ir/ops/fused.js';
import '../../backends/reference/kernels/fused.js';
import { lowerForOnnxRuntime } from './lower.js';

warnIfNoOrt('onnx lowering');

const TOL = 1e-4;
const solder = { domain: SOLDER_DOMAIN };

/** Graph inputs with their values: the builder's inputs and the run's feeds together. */
class Case {
  readonly b = new GraphBuilder('case');
  readonly feeds = new Map<string, Tensor>();
  private seed = 1;

  /** A graph input of concrete `shape`, declared with `dims` (symbols allowed). */
  input(name: string, shape: number[], dims: (number | string)[] = shape, dtype: DType = 'float32', range = 2): string {
    this.b.input(name, dtype, dims);
    this.feeds.set(name, makeTensor(dtype, shape, values(this.seed++ * 7919, shape.reduce((a, c) => a * c, 1), range)));
    return name;
  }

  feed(name: string, t: Tensor, dims: (number | string)[] = t.shape): string {
    this.b.input(name, t.dtype, dims);
    this.feeds.set(name, t);
    return name;
  }

  weight(name: string, shape: number[]): string {
    return this.b.initializer(name, makeTensor('float32', shape, values(this.seed++ * 104729, shape.reduce((a, c) => a * c, 1))));
  }
}

/** Lowers the case's graph, runs it in ORT, and checks every output against the reference kernels. */
function expectOrtMatches(c: Case, expectedForms: readonly string[]): Graph {
  const graph = c.b.build();
  const reference = run(graph, c.feeds);
  const want = graph.outputs.map((o) => reference.get(o.name)!);
  for (const t of want) expect(t.data.some((v) => v !== 0), 'reference output is not all zeros').toBe(true);
  const lowered = lowerForOnnxRuntime(graph);
  expect(lowered.kept).toEqual({});
  expect(lowered.graph.nodes.some((n) => n.domain === SOLDER_DOMAIN)).toBe(false);
  const forms = new Set(Object.values(lowered.lowered).flatMap((f) => Object.keys(f)));
  expect([...forms].sort()).toEqual([...new Set(expectedForms)].sort());
  const errors = ortErrorsOn(lowered.graph, c.feeds, want);
  expect(Object.keys(errors).length).toBe(want.length);
  for (const [out, err] of Object.entries(errors)) expect(err, `${out} max abs`).toBeLessThanOrEqual(TOL);
  return lowered.graph;
}

describe.skipIf(!haveOrt)('lowering fused norms to ONNX Runtime', () => {
  it('LayerNorm -> LayerNormalization, with and without bias, axis -1 and -2', () => {
    const c = new Case();
    const x = c.input('x', [2, 5, 16], ['batch', 'seq', 16]);
    const [y] = c.b.node('LayerNorm', [x, c.weight('w', [16]), c.weight('b', [16])], { epsilon: 1e-5 }, solder);
    const [z] = c.b.node('LayerNorm', [y!, c.weight('w2', [5, 16])], { axis: -2, epsilon: 1e-3 }, solder);
    c.b.output(y!, z!);
    expectOrtMatches(c, ['LayerNormalization']);
  });

  it('RMSNorm -> RMSNormalization, offset 0 and offset 1 (weight initializer or graph input)', () => {
    const c = new Case();
    const x = c.input('x', [2, 3, 8], ['batch', 'seq', 8]);
    const [a] = c.b.node('RMSNorm', [x, c.weight('w', [8])], { epsilon: 1e-6 }, solder);
    const [b] = c.b.node('RMSNorm', [x, c.weight('w1', [8])], { epsilon: 1e-5, offset: 1 }, solder);
    const [d] = c.b.node('RMSNorm', [x, c.input('gamma', [8])], { offset: 1 }, solder);
    c.b.output(a!, b!, d!);
    expectOrtMatches(c, ['RMSNormalization', 'RMSNormalization (weight + 1)']);
  });

  it('SkipLayerNorm -> contrib SkipLayerNormalization, with the sum output, a [seq, hidden] skip, and without', () => {
    const c = new Case();
    const x = c.input('x', [2, 5, 16], ['batch', 5, 16]);
    const skip = c.input('skip', [2, 5, 16], ['batch', 5, 16]);
    const [y, sum] = c.b.node('SkipLayerNorm', [x, skip, c.weight('w', [16]), c.weight('b', [16])], { epsilon: 1e-5 }, { ...solder, outputs: 2 });
    const [z] = c.b.node('SkipLayerNorm', [y!, c.weight('pos', [5, 16]), c.weight('w2', [16])], {}, solder);
    c.b.output(y!, sum!, z!);
    expectOrtMatches(c, ['com.microsoft::SkipLayerNormalization']);
  });

  it('SkipLayerNorm that the contrib op cannot take (rank 4) -> Add + LayerNormalization, sum output kept', () => {
    const c = new Case();
    const x = c.input('x', [2, 2, 3, 8]);
    const [y, sum] = c.b.node('SkipLayerNorm', [x, c.input('skip', [8]), c.weight('w', [8])], {}, { ...solder, outputs: 2 });
    c.b.output(y!, sum!);
    expectOrtMatches(c, ['Add + LayerNormalization']);
  });

  it('SkipRMSNorm -> contrib SkipSimplifiedLayerNormalization, offset 0 and 1, with the sum output', () => {
    const c = new Case();
    const x = c.input('x', [2, 3, 8], ['batch', 'seq', 8]);
    const skip = c.input('skip', [2, 3, 8], ['batch', 'seq', 8]);
    const [y, sum] = c.b.node('SkipRMSNorm', [x, skip, c.weight('w', [8])], { epsilon: 1e-6 }, { ...solder, outputs: 2 });
    const [z] = c.b.node('SkipRMSNorm', [y!, sum!, c.weight('w1', [8])], { offset: 1 }, solder);
    const [r4] = c.b.node('SkipRMSNorm', [c.input('x4', [1, 2, 3, 8]), c.input('s4', [1, 2, 3, 8]), c.weight('w4', [8])], { offset: 1 }, solder);
    c.b.output(y!, sum!, z!, r4!);
    expectOrtMatches(c, ['com.microsoft::SkipSimplifiedLayerNormalization', 'com.microsoft::SkipSimplifiedLayerNormalization (weight + 1)', 'Add + RMSNormalization (weight + 1)']);
  });
});

describe.skipIf(!haveOrt)('lowering fused activations and projections to ONNX Runtime', () => {
  it('Gelu -> Gelu (opset 20), erf and tanh, over |x| up to 6', () => {
    const c = new Case();
    const x = c.input('x', [3, 40], ['n', 40], 'float32', 6);
    const [a] = c.b.node('Gelu', [x], {}, solder);
    const [t] = c.b.node('Gelu', [x], { approximate: 'tanh' }, solder);
    c.b.output(a!, t!);
    expectOrtMatches(c, ['Gelu', 'Gelu(approximate=tanh)']);
  });

  for (const activation of ['none', 'relu', 'gelu', 'gelu_tanh', 'silu', 'tanh', 'sigmoid']) {
    it(`Linear(activation=${activation}) with bias and residual, and bare -> MatMul chain`, () => {
      const c = new Case();
      const x = c.input('x', [2, 4, 6], ['batch', 'seq', 6]);
      const residual = c.input('r', [2, 4, 5], ['batch', 'seq', 5]);
      const [y] = c.b.node('Linear', [x, c.weight('w', [6, 5]), c.weight('bias', [5]), residual], { activation }, solder);
      const [z] = c.b.node('Linear', [y!, c.weight('w2', [5, 3])], { activation }, solder);
      const [flat] = c.b.node('Linear', [c.input('x2', [3, 6]), c.weight('w3', [6, 4]), '', c.weight('row', [4])], { activation }, solder);
      c.b.output(y!, z!, flat!);
      expectOrtMatches(c, linearForms(activation));
    });
  }

  for (const activation of ['silu', 'gelu', 'gelu_tanh']) {
    it(`GatedMLP(activation=${activation}) -> MatMul x2 + activation + Mul`, () => {
      const c = new Case();
      const x = c.input('x', [2, 3, 6], ['batch', 'seq', 6]);
      const [y] = c.b.node('GatedMLP', [x, c.weight('wg', [6, 10]), c.weight('wu', [6, 10])], { activation }, solder);
      c.b.output(y!);
      expectOrtMatches(c, [`MatMul x2 + ${ACTIVATION_OPS[activation]} + Mul`]);
    });
  }
});

const ACTIVATION_OPS: Record<string, string> = {
  relu: 'Relu', gelu: 'Gelu', gelu_tanh: 'Gelu(approximate=tanh)', silu: 'Mul(x, Sigmoid(x))', tanh: 'Tanh', sigmoid: 'Sigmoid',
};

/** The three Linear nodes' forms: bias + activation + residual, activation alone, residual alone. */
function linearForms(activation: string): string[] {
  const act = activation === 'none' ? [] : [ACTIVATION_OPS[activation]!];
  return [['MatMul', 'Add', ...act, 'Add'], ['MatMul', ...act], ['MatMul', ...act, 'Add']].map((f) => f.join(' + '));
}

/** An additive mask: mostly small biases, some HF-style -1e9 fills, key 0 always open. */
function additiveMask(shape: number[], seed: number): Tensor {
  const kv = shape[shape.length - 1]!;
  return makeTensor('float32', shape, values(seed, shape.reduce((a, b) => a * b, 1)).map((r, i) => (i % kv !== 0 && r < -1.2 ? -1e9 : r)));
}

/** A bool mask (true = keep) with key 0 always kept, so that no row is fully masked. */
function boolMask(shape: number[], seed: number): Tensor {
  const kv = shape[shape.length - 1]!;
  return makeTensor('bool', shape, values(seed, shape.reduce((a, b) => a * b, 1)).map((r, i) => (i % kv === 0 || r > -0.8 ? 1 : 0)));
}

describe.skipIf(!haveOrt)('lowering Attention to ONNX Runtime', () => {
  const dims = (heads: number, seq: string | number, d: number) => ['batch', heads, seq, d];

  it('GQA (4 q heads, 2 kv heads), no mask, v head dim != q head dim', () => {
    const c = new Case();
    const q = c.input('q', [2, 4, 5, 8], dims(4, 'seq', 8));
    const k = c.input('k', [2, 2, 5, 8], dims(2, 'seq', 8));
    const v = c.input('v', [2, 2, 5, 6], dims(2, 'seq', 6));
    const [y] = c.b.node('Attention', [q, k, v], { scale: 0.35 }, solder);
    c.b.output(y!);
    expectOrtMatches(c, ['Attention']);
  });

  it('bool padding mask [batch, 1, 1, kv] (expanded to q_seq for ORT) with GQA', () => {
    const c = new Case();
    const q = c.input('q', [2, 4, 5, 8], dims(4, 'seq', 8));
    const k = c.input('k', [2, 2, 5, 8], dims(2, 'seq', 8));
    const v = c.input('v', [2, 2, 5, 8], dims(2, 'seq', 8));
    const mask = c.feed('mask', boolMask([2, 1, 1, 5], 11), ['batch', 1, 1, 'seq']);
    const [y] = c.b.node('Attention', [q, k, v, mask], { scale: 0.35 }, solder);
    c.b.output(y!);
    expectOrtMatches(c, ['Attention + Expand(mask)']);
  });

  it('additive mask [batch, 1, q, kv] and a 2-D [q, kv] mask', () => {
    const c = new Case();
    const q = c.input('q', [2, 2, 4, 8], dims(2, 'q', 8));
    const k = c.input('k', [2, 2, 6, 8], dims(2, 'kv', 8));
    const v = c.input('v', [2, 2, 6, 8], dims(2, 'kv', 8));
    const m4 = c.feed('m4', additiveMask([2, 1, 4, 6], 12), ['batch', 1, 'q', 'kv']);
    const m2 = c.feed('m2', additiveMask([4, 6], 13), ['q', 'kv']);
    const [y] = c.b.node('Attention', [q, k, v, m4], { scale: 0.5 }, solder);
    const [z] = c.b.node('Attention', [q, k, v, m2], { scale: 1 }, solder); // an integral scale must still be a float attribute
    c.b.output(y!, z!);
    expectOrtMatches(c, ['Attention']);
  });

  it('causal with q_seq = kv_seq -> is_causal=1, with and without a padding mask', () => {
    const c = new Case();
    const q = c.input('q', [2, 4, 6, 8], dims(4, 'seq', 8));
    const k = c.input('k', [2, 2, 6, 8], dims(2, 'seq', 8));
    const v = c.input('v', [2, 2, 6, 8], dims(2, 'seq', 8));
    const mask = c.feed('mask', additiveMask([2, 1, 1, 6], 14), ['batch', 1, 1, 'seq']);
    const [y] = c.b.node('Attention', [q, k, v], { scale: 0.35, causal: 1 }, solder);
    const [z] = c.b.node('Attention', [q, k, v, mask], { scale: 0.35, causal: 1 }, solder);
    c.b.output(y!, z!);
    const g = expectOrtMatches(c, ['Attention', 'Attention + Expand(mask)']);
    expect(g.nodes.filter((n) => n.op === 'Attention').every((n) => n.attrs.is_causal?.kind === 'int' && n.attrs.is_causal.value === 1)).toBe(true);
  });

  it('causal with q_seq < kv_seq (decoding) -> bottom-right Trilu band, alone, with a bool and an additive mask', () => {
    const c = new Case();
    const q = c.input('q', [2, 4, 3, 8], dims(4, 'q', 8));
    const k = c.input('k', [2, 2, 7, 8], dims(2, 'kv', 8));
    const v = c.input('v', [2, 2, 7, 8], dims(2, 'kv', 8));
    const bm = c.feed('bm', boolMask([2, 1, 1, 7], 15), ['batch', 1, 1, 'kv']);
    const am = c.feed('am', additiveMask([2, 1, 3, 7], 16), ['batch', 1, 'q', 'kv']);
    const outs = [undefined, bm, am].map((m) => c.b.node('Attention', [q, k, v, ...(m === undefined ? [] : [m])], { scale: 0.35, causal: 1 }, solder)[0]!);
    c.b.output(...outs);
    expectOrtMatches(c, ['Attention + Trilu causal band', 'Attention + Expand(mask) + Trilu causal band']);
  });
});

/** cos/sin of R/2 angles per (batch, position), duplicated for the pairing as the op's contract says. */
function rotaryTables(batch: number, seq: number, r: number, interleaved: boolean): { cos: number[]; sin: number[] } {
  const cos: number[] = [];
  const sin: number[] = [];
  const angles = values(99, batch * seq * (r / 2), 3);
  for (let row = 0; row < batch * seq; row++) {
    const a = angles.slice(row * (r / 2), (row + 1) * (r / 2));
    const dup = interleaved ? a.flatMap((t) => [t, t]) : [...a, ...a];
    cos.push(...dup.map(Math.cos));
    sin.push(...dup.map(Math.sin));
  }
  return { cos, sin };
}

describe.skipIf(!haveOrt)('lowering RotaryEmbedding to ONNX Runtime', () => {
  const layouts = [
    { what: '[seq, R] tables, rotate_half, whole head', interleaved: false, r: 8, rank: 2 },
    { what: '[batch, seq, R] tables, interleaved', interleaved: true, r: 8, rank: 3 },
    { what: '[batch, 1, seq, R] tables, partial rotary_dim 4', interleaved: false, r: 4, rank: 4 },
    { what: '[1, 1, seq, R] tables, interleaved, partial rotary_dim 4', interleaved: true, r: 4, rank: 4 },
  ] as const;
  for (const l of layouts) {
    it(l.what, () => {
      const c = new Case();
      const [batch, seq] = [2, 5];
      const x = c.input('x', [batch, 3, seq, 8], ['batch', 3, 'seq', 8]);
      const tableBatch = l.rank === 2 || l.what.startsWith('[1, 1') ? 1 : batch;
      const { cos, sin } = rotaryTables(tableBatch, seq, l.r, l.interleaved);
      const shape = l.rank === 2 ? [seq, l.r] : l.rank === 3 ? [tableBatch, seq, l.r] : [tableBatch, 1, seq, l.r];
      const dimsOf = (s: number[]) => s.map((d, i) => (d === seq && i === s.length - 2 ? 'seq' : d === batch && i === 0 ? 'batch' : d));
      const cosName = c.feed('cos', makeTensor('float32', shape, cos), dimsOf(shape));
      const sinName = c.feed('sin', makeTensor('float32', shape, sin), dimsOf(shape));
      const attrs = { interleaved: l.interleaved ? 1 : 0, rotary_dim: l.r === 8 ? 0 : l.r };
      const [y] = c.b.node('RotaryEmbedding', [x, cosName, sinName], attrs, solder);
      c.b.output(y!);
      expectOrtMatches(c, [l.interleaved ? 'RotaryEmbedding(interleaved)' : 'RotaryEmbedding']);
    });
  }

  it('keeps a RotaryEmbedding with per-head tables (no ONNX form) and counts it', () => {
    const c = new Case();
    const x = c.input('x', [1, 2, 3, 4]);
    const [y] = c.b.node('RotaryEmbedding', [x, c.input('cos', [1, 2, 3, 4]), c.input('sin', [1, 2, 3, 4])], {}, solder);
    c.b.output(y!);
    const lowered = lowerForOnnxRuntime(c.b.build());
    expect(lowered.kept).toEqual({ RotaryEmbedding: 1 });
    expect(lowered.graph.meta.opsets.some((o) => o.domain === SOLDER_DOMAIN)).toBe(true);
  });
});

describe.skipIf(!haveOrt)('raising the opset for the lowered ops', () => {
  it('moves reduction axes to an input and gives Split num_outputs when an opset-17 graph goes to 23', () => {
    const c = new Case();
    const x = c.input('x', [2, 4, 3, 8], ['batch', 4, 'seq', 8]);
    const [mean] = c.b.node('ReduceMean', [x], { axes: [3], keepdims: 1 });
    const [centered] = c.b.node('Sub', [x, mean!]);
    const [q, k] = c.b.node('Split', [centered!], { axis: 1 }, { outputs: 2 });
    const [y] = c.b.node('Attention', [q!, k!, k!], { scale: 0.5 }, solder);
    c.b.output(y!);
    const built = c.b.build();
    const graph: Graph = { ...built, meta: { ...built.meta, irVersion: 8, opsets: [{ domain: '', version: 17 }, { domain: SOLDER_DOMAIN, version: 1 }] } };
    const reference = run(graph, c.feeds);
    const lowered = lowerForOnnxRuntime(graph).graph;
    expect(lowered.meta.opsets).toEqual([{ domain: '', version: 23 }]);
    expect(lowered.meta.irVersion).toBe(11);
    const reduce = lowered.nodes.find((n) => n.op === 'ReduceMean')!;
    expect(reduce.attrs.axes).toBeUndefined();
    expect(reduce.inputs.length).toBe(2);
    expect(lowered.nodes.find((n) => n.op === 'Split')!.attrs.num_outputs).toEqual({ kind: 'int', value: 2 });
    const errors = ortErrorsOn(lowered, c.feeds, graph.outputs.map((o) => reference.get(o.name)!));
    for (const err of Object.values(errors)) expect(err).toBeLessThanOrEqual(TOL);
  });
});
