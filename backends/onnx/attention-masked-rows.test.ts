// Attention with fully_masked_rows='average', lowered and run in ONNX Runtime: rows whose
// every key is masked (left padding under the causal band, an all-zero padding row, causal
// rows before the first key when q_seq > kv_seq) are the average of v over every key, as the
// reference kernel computes them; the other rows are ORT's Attention as before. With 'zero'
// they are 0, which ORT's Attention gives by itself. And real decoders (../shared/models),
// optimized and lowered, left padded and with an all-zero row, give in ORT what their
// exports give.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import { readRecordedIO, run } from '../../api/run.js';
import { stringAttr } from '../../ir/attrs.js';
import { GraphBuilder } from '../../ir/builder.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { values } from '../../test/float64-onnx.js';
import { haveSharedModels, recordingName, sharedModelsDir } from '../../test/models.js';
import { haveOrt, ortErrorsOn, warnIfNoOrt } from '../../test/ort-check.js';
import { optimize } from '../../passes/optimize.js';
import '../../ir/ops/fused.js';
import '../../backends/reference/kernels/fused.js';
import { lowerForOnnxRuntime } from './lower.js';

warnIfNoOrt('onnx lowering of fully masked rows');

interface RowsCase {
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly qSeq: number;
  readonly kvSeq: number;
  readonly causal: boolean;
  /** A bool keep-mask, [batch, 1, 1, kv] or [batch, 1, q, kv], or none. */
  readonly keep?: Tensor;
}

const BATCH = 2;

/** One Attention over symbolic batch/seq dims, with the given fully_masked_rows. */
function attentionGraph(c: RowsCase, rows: 'nan' | 'average' | 'zero'): { graph: Graph; feeds: Map<string, Tensor> } {
  const b = new GraphBuilder('rows');
  const feeds = new Map<string, Tensor>();
  const input = (name: string, shape: number[], dims: (number | string)[], t?: Tensor) => {
    const value = t ?? makeTensor('float32', shape, values(feeds.size * 7919 + 3, shape.reduce((a, x) => a * x, 1)));
    b.input(name, value.dtype, dims);
    feeds.set(name, value);
    return name;
  };
  // Equal lengths share one symbol, so that the lowering can prove the band square.
  const [qs, kvs] = c.qSeq === c.kvSeq ? ['seq', 'seq'] : ['q', 'kv'];
  const q = input('q', [BATCH, c.qHeads, c.qSeq, 8], ['batch', c.qHeads, qs, 8]);
  const k = input('k', [BATCH, c.kvHeads, c.kvSeq, 8], ['batch', c.kvHeads, kvs, 8]);
  const v = input('v', [BATCH, c.kvHeads, c.kvSeq, 8], ['batch', c.kvHeads, kvs, 8]);
  const mask = c.keep === undefined ? [] : [input('keep', [...c.keep.shape], ['batch', 1, c.keep.shape[2] === 1 ? 1 : qs, kvs], c.keep)];
  const [y] = b.node('Attention', [q, k, v, ...mask], { scale: 0.35, causal: c.causal ? 1 : 0, fully_masked_rows: stringAttr(rows) }, { domain: SOLDER_DOMAIN });
  b.output(y!);
  return { graph: b.build(), feeds };
}

function expectOrtAverages(c: RowsCase, form: string): void {
  const { graph, feeds } = attentionGraph(c, 'average');
  const want = run(graph, feeds).get(graph.outputs[0]!.name)!;
  // The case does mask whole rows: eager semantics gives NaN there, 'average' finite values.
  const eager = attentionGraph(c, 'nan');
  expect(run(eager.graph, eager.feeds).get(eager.graph.outputs[0]!.name)!.data.some(Number.isNaN), 'a fully masked row').toBe(true);
  expect(want.data.every(Number.isFinite) && want.data.some((x) => x !== 0)).toBe(true);
  const lowered = lowerForOnnxRuntime(graph);
  expect(Object.values(lowered.lowered).flatMap((f) => Object.keys(f))).toEqual([form]);
  const errors = ortErrorsOn(lowered.graph, feeds, [want]);
  expect(Object.keys(errors).length).toBe(1);
  for (const [out, err] of Object.entries(errors)) expect(err, `${out} max abs`).toBeLessThanOrEqual(1e-5);
}

function expectOrtZeros(c: RowsCase, form: string): void {
  const { graph, feeds } = attentionGraph(c, 'zero');
  const want = run(graph, feeds).get(graph.outputs[0]!.name)!;
  const eager = attentionGraph(c, 'nan');
  const nan = run(eager.graph, eager.feeds).get(eager.graph.outputs[0]!.name)!;
  // The case does mask whole rows: NaN there in eager semantics, 0 with 'zero', eager elsewhere.
  expect(nan.data.some(Number.isNaN), 'a fully masked row').toBe(true);
  nan.data.forEach((x, i) => expect(want.data[i]).toBe(Number.isNaN(x) ? 0 : x));
  expect(want.data.some((x) => x !== 0)).toBe(true);
  const lowered = lowerForOnnxRuntime(graph);
  expect(Object.values(lowered.lowered).flatMap((f) => Object.keys(f))).toEqual([form]);
  const errors = ortErrorsOn(lowered.graph, feeds, [want]);
  expect(Object.keys(errors).length).toBe(1);
  for (const [out, err] of Object.entries(errors)) expect(err, `${out} max abs`).toBeLessThanOrEqual(1e-5);
}

/** attention_mask rows [batch, kv] as a [batch, 1, 1, kv] keep-mask. */
function paddingKeep(rows: number[][]): Tensor {
  return makeTensor('bool', [rows.length, 1, 1, rows[0]!.length], rows.flat());
}

/** Problems with fully masked rows, and what each lowers to under 'average' and under 'zero'. */
const MASKED_ROW_CASES: readonly { name: string; problem: RowsCase; average: string; zero: string }[] = [
  {
    name: 'left padding and an all-zero row under a square causal band, GQA (4 q heads, 2 kv heads)',
    problem: { qHeads: 4, kvHeads: 2, qSeq: 5, kvSeq: 5, causal: true, keep: paddingKeep([[0, 0, 1, 1, 1], [0, 0, 0, 0, 0]]) },
    average: 'Attention + Expand(mask) + average of v in fully masked rows',
    zero: 'Attention + Expand(mask)',
  },
  {
    name: 'causal rows that see no key (q_seq > kv_seq), no mask, same heads',
    problem: { qHeads: 2, kvHeads: 2, qSeq: 6, kvSeq: 4, causal: true },
    average: 'Attention + Trilu causal band + average of v in fully masked rows',
    zero: 'Attention + Trilu causal band',
  },
  {
    name: 'a full [batch, 1, q, kv] keep-mask with fully masked rows, no causal band',
    problem: {
      qHeads: 4, kvHeads: 1, qSeq: 3, kvSeq: 4, causal: false,
      keep: makeTensor('bool', [BATCH, 1, 3, 4], [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0]),
    },
    average: 'Attention + average of v in fully masked rows',
    zero: 'Attention',
  },
];

describe.skipIf(!haveOrt)("lowering Attention with fully_masked_rows='average' to ONNX Runtime", () => {
  for (const c of MASKED_ROW_CASES) it(c.name, () => expectOrtAverages(c.problem, c.average));
});

describe.skipIf(!haveOrt)("lowering Attention with fully_masked_rows='zero' to ONNX Runtime (ORT's Attention zeroes such rows)", () => {
  for (const c of MASKED_ROW_CASES) it(c.name, () => expectOrtZeros(c.problem, c.zero));
});

describe.skipIf(!haveOrt || !haveSharedModels)('real decoders left padded, optimized and lowered, in ONNX Runtime (needs ../shared/models)', () => {
  it.each(['llama.eager.onnx', 'gpt2.eager.dynamo.onnx', 'llama.sdpa.dynamo.onnx'])('%s', (file) => {
    const source = load(path.join(sharedModelsDir, file));
    const { graph } = optimize(source);
    expect(graph.nodes.filter((n) => n.op === 'Attention').map((n) => n.attrs.fully_masked_rows?.value)).toEqual(['average', 'average']);
    const { inputs } = readRecordedIO(path.join(sharedModelsDir, `${recordingName(file)}.io.safetensors`));
    const [batch, seq] = inputs.get('attention_mask')!.shape as [number, number];
    // Row 0: 5 pad tokens on the left; row 1: no token at all.
    const feeds = new Map([...inputs, ['attention_mask', makeTensor('int64', [batch, seq], Array.from({ length: batch * seq }, (_, i) => (i < seq && i >= 5 ? 1 : 0)))]]);
    const want = run(source, feeds).get(source.outputs[0]!.name)!;
    expect(want.data.every(Number.isFinite)).toBe(true);
    const errors = ortErrorsOn(lowerForOnnxRuntime(graph).graph, feeds, [want]);
    expect(Object.keys(errors).length).toBe(1);
    for (const [out, err] of Object.entries(errors)) expect(err, `${out} max abs`).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});
