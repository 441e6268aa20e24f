// Conv through the plan emitter and the Python runtime on the CPU (Triton's interpreter):
// the patch-embedding copy, padded / strided / dilated windows, 1-D over a bucketed symbolic
// length, auto_pad SAME, a computed input, each against a float64 direct convolution.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import { SolderError } from '../../ir/errors.js';
import { encodeSafetensors } from '../../ir/safetensors.js';
import { makeTensor } from '../../ir/tensor.js';
import { uniformStream } from '../../test/float64-onnx.js';
import { MAX_ABS_FP32, type FixtureRow, hasRuntimePython, runPlansOnCpu } from '../../test/triton-cpu-check.js';
import { emitPlan } from './plan.js';
import { writePlanDir } from './write.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface ConvCase {
  readonly name: string;
  /** Input shape as given at run time; the graph's dim 0 is 'batch' and a 1-D case's length 'seq'. */
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly bias: boolean;
  readonly attrs: { strides?: number[]; dilations?: number[]; pads?: number[]; auto_pad?: string };
  /** Relu in front of the Conv: the patch kernel then computes its input instead of loading it. */
  readonly reluFirst?: boolean;
}

const CASES: readonly ConvCase[] = [
  { name: 'patch', x: [3, 3, 16, 16], w: [8, 3, 4, 4], bias: true, attrs: { strides: [4, 4] } },
  { name: 'patch_ragged', x: [2, 3, 18, 17], w: [6, 3, 4, 4], bias: false, attrs: { strides: [4, 4] } },
  { name: 'padded_dilated', x: [3, 4, 9, 11], w: [6, 4, 3, 2], bias: true, attrs: { pads: [1, 2, 0, 1], strides: [2, 1], dilations: [2, 3] } },
  { name: 'same_upper', x: [1, 2, 7, 7], w: [3, 2, 3, 3], bias: true, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
  { name: 'window_in_padding', x: [2, 2, 1, 5], w: [3, 2, 1, 3], bias: true, attrs: { pads: [1, 1, 0, 1], strides: [2, 1] } },
  { name: 'seq_1d', x: [3, 5, 13], w: [7, 5, 3], bias: false, attrs: { pads: [1, 1] } },
  { name: 'seq_1d_relu', x: [3, 5, 13], w: [4, 5, 3], bias: true, attrs: { pads: [2, 0] }, reluFirst: true },
];

/** Uniform values in [-1, 1). */
function random(seed: number): () => number {
  const next = uniformStream(seed);
  return () => next() * 2 - 1;
}

function values(n: number, rand: () => number): Float64Array {
  return Float64Array.from({ length: n }, rand);
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function buildGraph(c: ConvCase, w: Float64Array, b: Float64Array | undefined) {
  const g = new GraphBuilder(c.name);
  const dims = c.x.length === 3 ? ['batch', c.x[1]!, 'seq'] : ['batch', ...c.x.slice(1)];
  let x = g.input('x', 'float32', dims);
  if (c.reluFirst) [x] = g.node('Relu', [x]);
  const inputs = [x!, g.initializer('w', makeTensor('float32', c.w, w))];
  if (b !== undefined) inputs.push(g.initializer('b', makeTensor('float32', [c.w[0]!], b)));
  const [y] = g.node('Conv', inputs, c.attrs, { name: `conv ${c.name}` });
  return g.output(y!).build();
}

// Float64 cross-correlation, written directly from the ONNX definition (1-D runs as H = 1).
function convolve(c: ConvCase, xIn: Float64Array, w: Float64Array, b: Float64Array | undefined): { shape: number[]; data: Float64Array } {
  const oneD = c.x.length === 3;
  const [N, C, H, W] = oneD ? [c.x[0]!, c.x[1]!, 1, c.x[2]!] : (c.x as number[]);
  const [M, , KH, KW] = oneD ? [c.w[0]!, c.w[1]!, 1, c.w[2]!] : (c.w as number[]);
  const lift = (v: number[] | undefined, fill: number) => (v === undefined ? [fill, fill] : oneD ? [fill, v[0]!] : v);
  const [sh, sw] = lift(c.attrs.strides, 1);
  const [dh, dw] = lift(c.attrs.dilations, 1);
  let pads = c.attrs.pads === undefined ? [0, 0, 0, 0] : oneD ? [0, c.attrs.pads[0]!, 0, c.attrs.pads[1]!] : c.attrs.pads;
  let [OH, OW] = [Math.floor((H + pads[0]! + pads[2]! - (KH - 1) * dh - 1) / sh) + 1, Math.floor((W + pads[1]! + pads[3]! - (KW - 1) * dw - 1) / sw) + 1];
  if (c.attrs.auto_pad === 'SAME_UPPER') {
    [OH, OW] = [Math.ceil(H / sh), Math.ceil(W / sw)];
    const total = [Math.max(0, (OH - 1) * sh + (KH - 1) * dh + 1 - H), Math.max(0, (OW - 1) * sw + (KW - 1) * dw + 1 - W)];
    pads = [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2), 0, 0];
  }
  const x = c.reluFirst ? xIn.map((v) => Math.max(0, v)) : xIn;
  const out = new Float64Array(N * M * OH * OW);
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let acc = b?.[m] ?? 0;
    for (let ch = 0; ch < C; ch++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) {
      const [h, ww] = [oh * sh + i * dh - pads[0]!, ow * sw + j * dw - pads[1]!];
      if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
      acc += x[((n * C + ch) * H + h) * W + ww]! * w[((m * C + ch) * KH + i) * KW + j]!;
    }
    out[((n * M + m) * OH + oh) * OW + ow] = acc;
  }
  return { shape: oneD ? [N, M, OW] : [N, M, OH, OW], data: out };
}

describe.skipIf(!hasRuntimePython())('Conv on the runtime (CPU, TRITON_INTERPRET=1)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-conv-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('matches a float64 convolution in float32 and float16 plans', () => {
    const [plans, io] = [path.join(dir, 'plans'), path.join(dir, 'io')];
    fs.mkdirSync(io, { recursive: true });
    CASES.forEach((c, k) => {
      const rand = random(1000 + k);
      const w = values(count(c.w), rand);
      const b = c.bias ? values(c.w[0]!, rand) : undefined;
      const x = values(count(c.x), rand);
      const graph = buildGraph(c, w, b);
      for (const dtype of ['float32', 'float16'] as const) writePlanDir(path.join(plans, `${c.name}.${dtype}`), emitPlan(graph, { dtype, maxBatch: 4, maxSeq: 16 }));
      const want = convolve(c, x, w, b);
      expect(Math.max(...want.data.map(Math.abs))).toBeGreaterThan(0.1);
      const tensors = new Map([['in.x', makeTensor('float32', c.x, x)], ['out.0', makeTensor('float64', want.shape, want.data)]]);
      fs.writeFileSync(path.join(io, `${c.name}.io.safetensors`), encodeSafetensors(tensors));
    });
    const { rows, log } = runPlansOnCpu(repoRoot, io, CASES.map((c) => c.name), plans);
    const failures = rows.filter((r: FixtureRow) => {
      const o = r.outputs?.[0];
      if (r.status !== 'checked' || o === undefined || o.error !== undefined || o.nan) return true;
      // float32 is held far tighter than the 1e-3: these are single small convolutions.
      return r.dtype === 'float32' ? !(o.max_abs! <= MAX_ABS_FP32 / 100) : !(o.rel_l2! <= 2e-3);
    });
    expect(failures, log).toEqual([]);
    expect(rows).toHaveLength(2 * CASES.length);
  }, 120_000);
});

describe('Conv the Triton backend declines', () => {
  const rand = random(7);
  const plan = (c: ConvCase) => emitPlan(buildGraph(c, values(count(c.w), rand), undefined), { dtype: 'float32', maxBatch: 4, maxSeq: 16 });

  it('group > 1: a one-line error naming the node', () => {
    const c: ConvCase = { name: 'grouped', x: [1, 4, 6, 6], w: [4, 2, 3, 3], bias: false, attrs: { group: 2 } as ConvCase['attrs'] };
    expect(() => plan(c)).toThrow(SolderError);
    expect(() => plan(c)).toThrow(/node 'conv grouped' \(Conv\).*group 2 is not supported/);
  });

  it('end padding of a bucketed symbolic dim over a computed input', () => {
    const c: ConvCase = { name: 'relu_end_pad', x: [1, 5, 13], w: [4, 5, 3], bias: false, attrs: { pads: [1, 1] }, reluFirst: true };
    expect(() => plan(c)).toThrow(/node 'conv relu_end_pad' \(Conv\).*pads the end of symbolic dim 'seq'/);
  });
});
