// Attention with fully_masked_rows='average' in a plan: the keep-mask and the causal band
// become one float32 finfo.min mask and the kernel runs without its own band, so that a
// fully masked row (left padding, an all-zero row) is the average of v over every key. Run
// through the Python runtime on the CPU (Triton's interpreter) against the reference kernel.
// The runtime pads seq up to its bucket with masked keys, which an average over every key
// must not count: the launch passes the real kv length (key_lengths), checked here at a
// bucket size (8) and at a length the runtime pads (5). With fully_masked_rows='zero' the
// kernel runs as for 'nan' and the rows that keep no key are zeroed after it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import { readRecordedIO, run } from '../../api/run.js';
import { optimize } from '../../passes/optimize.js';
import { haveSharedModels, sharedModelsDir } from '../../test/models.js';
import { stringAttr } from '../../ir/attrs.js';
import { GraphBuilder } from '../../ir/builder.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { encodeSafetensors } from '../../ir/safetensors.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { values } from '../../test/float64-onnx.js';
import '../../ir/ops/fused.js';
import '../../backends/reference/kernels/fused.js';
import { type Json, emitPlan } from './plan.js';
import { writePlanDir } from './write.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [BATCH, HEADS, KV_HEADS, HEAD_DIM] = [2, 4, 2, 16];

/** Attention(q, k, v, Unsqueeze(Cast(attention_mask, bool)), causal=1) over [batch, heads, seq, 16], `layers` deep (one mask). */
function decoderAttention(rows: 'nan' | 'average' | 'zero', layers = 1): Graph {
  const b = new GraphBuilder('rows');
  b.input('q', 'float32', ['batch', HEADS, 'seq', HEAD_DIM]);
  b.input('k', 'float32', ['batch', KV_HEADS, 'seq', HEAD_DIM]);
  b.input('v', 'float32', ['batch', KV_HEADS, 'seq', HEAD_DIM]);
  b.input('attention_mask', 'int64', ['batch', 'seq']);
  const [keep] = b.node('Cast', ['attention_mask'], { to: 9 });
  const [keep4] = b.node('Unsqueeze', [keep!, b.initializer('axes', makeTensor('int64', [2], [1, 2]))]);
  let y = 'q';
  for (let l = 0; l < layers; l++) {
    [y] = b.node('Attention', [y, 'k', 'v', keep4!], { scale: 0.25, causal: 1, fully_masked_rows: stringAttr(rows) }, { domain: SOLDER_DOMAIN }) as [string];
  }
  b.output(y);
  return b.build();
}

function feeds(seq: number): Map<string, Tensor> {
  const t = (heads: number, seed: number) => makeTensor('float32', [BATCH, heads, seq, HEAD_DIM], values(seed, BATCH * heads * seq * HEAD_DIM));
  // Left padding (queries 0-1 see only padding) with a hole before the last key, and an all-zero row.
  const row0 = Array.from({ length: seq }, (_, j) => (j < 2 || j === seq - 2 ? 0 : 1));
  const am = makeTensor('int64', [BATCH, seq], [...row0, ...new Array<number>(seq).fill(0)]);
  return new Map([['q', t(HEADS, 1)], ['k', t(KV_HEADS, 2)], ['v', t(KV_HEADS, 3)], ['attention_mask', am]]);
}

type Obj = { [key: string]: Json };

describe("plan of an Attention with fully_masked_rows='average'", () => {
  it('launches the kernel without its causal band, on one materialised finfo.min mask for every layer', () => {
    const launches = (emitPlan(decoderAttention('average', 3), { dtype: 'float16', maxBatch: 4, maxSeq: 64 }).plan.launches as Obj[]);
    const attentions = launches.filter((l) => l.kernel === 'attention');
    expect(attentions).toHaveLength(3);
    expect(attentions.map((a) => (a.attrs as Obj).causal)).toEqual([false, false, false]);
    const masks = new Set(attentions.map((a) => JSON.stringify((a.args as Obj).mask)));
    expect(masks.size).toBe(1);
    expect([...masks][0]).toContain('average_rows_mask');
    expect(launches.filter((l) => String(l.name).startsWith('fully masked rows'))).toHaveLength(1);
    expect(attentions.map((a) => (a.args as Obj).key_lengths)).toEqual([{ real: 'seq' }, { real: 'seq' }, { real: 'seq' }]);
    const eager = (emitPlan(decoderAttention('nan'), { dtype: 'float16', maxBatch: 4, maxSeq: 64 }).plan.launches as Obj[]).find((l) => l.kernel === 'attention')!;
    expect((eager.attrs as Obj).causal).toBe(true);
  });
});

describe("plan of an Attention with fully_masked_rows='zero'", () => {
  it('keeps the kernel and its band, marks the rows that keep a key once for every layer, and zeroes the others per layer', () => {
    const launches = (emitPlan(decoderAttention('zero', 3), { dtype: 'float16', maxBatch: 4, maxSeq: 64 }).plan.launches as Obj[]);
    const attentions = launches.filter((l) => l.kernel === 'attention');
    expect(attentions.map((a) => (a.attrs as Obj).causal)).toEqual([true, true, true]);
    const named = (prefix: string) => launches.filter((l) => String(l.name).startsWith(prefix)).length;
    expect([named('kept keys of'), named('rows of'), named('fully masked rows of')]).toEqual([1, 1, 3]);
    // Each zeroing runs after its layer's kernel and before the next one.
    const order = launches.map((l) => (l.kernel === 'attention' ? 'A' : String(l.name).startsWith('fully masked rows of') ? 'Z' : '')).join('');
    expect(order).toBe('AZAZAZ');
  });
});

/** The runtime CLI's output; its stderr in the error when it fails. */
function runRuntime(args: string[], dir: string): string {
  const r = spawnSync(runtimePython!, ['-m', 'solder_runtime', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRITON_INTERPRET: '1', SOLDER_CACHE_DIR: path.join(dir, 'cache'), PYTHONPATH: path.join(repoRoot, 'backends/triton/runtime') },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`solder_runtime ${args[0]} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-4).join(' | ')}`);
  return r.stdout;
}

const runtimePython = [process.env.SOLDER_PYTHON, 'python3'].find((py) => py !== undefined && spawnSync(py, ['-c', 'import torch, triton'], { encoding: 'utf8' }).status === 0);

describe.skipIf(runtimePython === undefined)('runtime: fully masked rows averaged or zeroed on the CPU', () => {
  it.each([['average', 8], ['average', 5], ['zero', 8], ['zero', 5]] as const)("fully_masked_rows='%s' matches the reference kernel at seq %i, fully masked rows included (1e-4 max abs)", (rows, seq) => {
    const graph = decoderAttention(rows);
    const inputs = feeds(seq);
    const want = run(graph, inputs).get(graph.outputs[0]!.name)!;
    // The case has rows that eager semantics leaves NaN.
    expect(run(decoderAttention('nan'), inputs).get(graph.outputs[0]!.name)!.data.some(Number.isNaN)).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-rows-'));
    try {
      writePlanDir(path.join(dir, 'plan'), emitPlan(graph, { dtype: 'float32', maxBatch: 4, maxSeq: 64 }));
      const io = new Map([...[...inputs].map(([k, t]) => [`in.${k}`, t] as const), ['out.0', want] as const]);
      fs.writeFileSync(path.join(dir, 'io.safetensors'), encodeSafetensors(io));
      const out = runRuntime(['run', path.join(dir, 'plan'), '--inputs', path.join(dir, 'io.safetensors'),
        '--compare', '--device', 'cpu', '--atol', '1e-4', '--rtol', '0'], dir);
      expect(out.match(/ ok /g)).toHaveLength(1);
      expect(out).not.toMatch(/MISMATCH/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.skipIf(runtimePython === undefined || !haveSharedModels)("runtime: an sdpa archive's fully_masked_rows='zero' on the CPU (needs ../shared/models)", () => {
  it('bert.sdpa.pt2 with an all-zero attention_mask row gives what the archive gives (1e-4 max abs)', () => {
    const source = load(path.join(sharedModelsDir, 'bert.sdpa.pt2'));
    const { graph } = optimize(source);
    expect(graph.nodes.filter((n) => n.op === 'Attention').map((n) => n.attrs.fully_masked_rows?.value)).toEqual(['zero', 'zero']);
    const { inputs } = readRecordedIO(path.join(sharedModelsDir, 'bert.sdpa.io.safetensors'));
    const [batch, seq] = inputs.get('attention_mask')!.shape as [number, number];
    // Row 0 right padded after 11 tokens, row 1 with no token: every one of its query rows is 0 before the output projection.
    const feeds = new Map([...inputs, ['attention_mask', makeTensor('int64', [batch, seq], Array.from({ length: batch * seq }, (_, i) => (i < 11 ? 1 : 0)))]]);
    const want = run(source, feeds);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-rows-'));
    try {
      writePlanDir(path.join(dir, 'plan'), emitPlan(graph, { dtype: 'float32', maxBatch: 4, maxSeq: 64 }));
      const outs = source.outputs.map((o, i) => [`out.${i}`, want.get(o.name)!] as const);
      fs.writeFileSync(path.join(dir, 'io.safetensors'), encodeSafetensors(new Map([...[...feeds].map(([k, t]) => [`in.${k}`, t] as const), ...outs])));
      const out = runRuntime(['run', path.join(dir, 'plan'), '--inputs', path.join(dir, 'io.safetensors'),
        '--compare', '--device', 'cpu', '--atol', '1e-4', '--rtol', '0'], dir);
      expect(out.match(/ ok /g)).toHaveLength(source.outputs.length);
      expect(out).not.toMatch(/MISMATCH/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
