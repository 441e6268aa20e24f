// Plan emission over real exported models: schema-valid plans whose launches bind every
// argument, whose buffers never overlap while live, and whose weights and generated
// kernels read back as declared.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import { GraphBuilder } from '../../ir/builder.js';
import { makeTensor } from '../../ir/tensor.js';
import { readSafetensors } from '../../ir/safetensors.js';
import { optimize } from '../../passes/optimize.js';
import { naiveBytes, planProblems } from './plan-checks.js';
import { type Json, emitPlan } from './plan.js';
import { PLAN_FILE, WEIGHTS_FILE, writePlanDir } from './write.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelsDir = path.resolve(repoRoot, '../shared/models');
const example = path.join(repoRoot, 'examples/bert.sdpa.dynamo.onnx');
const hasModels = fs.existsSync(modelsDir);
const hasPython = spawnSync('python3', ['-c', 'import ast'], { encoding: 'utf8' }).status === 0;

const fixtures = hasModels
  ? fs.readdirSync(modelsDir).filter((f) => (f.endsWith('.onnx') || f.endsWith('.pt2')) && !f.includes('_deep')).sort()
  : [];

type Obj = { [key: string]: Json };

// fused: after the rule library; unfused: canonicalized only, so leftover ONNX ops (MatMul
// of activations, Softmax, LayerNormalization, reductions) take the generated-kernel paths.
function planOf(file: string, dtype: 'float32' | 'float16' | 'bfloat16' = 'float32', fused = true) {
  return emitPlan(optimize(load(file), { builtins: fused }).graph, { dtype, maxBatch: 4, maxSeq: 64 });
}

function checkPlan(file: string, dtype: 'float32' | 'float16' | 'bfloat16', fused = true): void {
  const emitted = planOf(file, dtype, fused);
  const plan = emitted.plan as Obj;
  expect(planProblems(plan)).toEqual([]);
  expect(emitted.memory.size).toBeLessThanOrEqual(emitted.memory.naive);
  expect((plan.arena as Obj).size as number).toBeLessThanOrEqual(naiveBytes(plan) + 256 * Object.keys(plan.buffers as Obj).length);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-plan-'));
  try {
    writePlanDir(path.join(dir, 'plan'), emitted);
    expect(fs.readdirSync(dir)).toEqual(['plan']);
    expect(fs.readdirSync(path.join(dir, 'plan')).sort()).toEqual([PLAN_FILE, WEIGHTS_FILE]);
    const weights = readSafetensors(path.join(dir, 'plan', WEIGHTS_FILE));
    for (const [name, decl] of Object.entries(plan.weights as Obj)) {
      const t = weights.get(name);
      expect(t, name).toBeDefined();
      expect(t!.dtype).toBe((decl as Obj).dtype);
      expect(t!.shape).toEqual((decl as Obj).shape);
      if (t!.dtype.startsWith('float') || t!.dtype === 'bfloat16') expect(t!.dtype).toBe(dtype);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (hasPython) {
    for (const g of Object.values((plan.generated_kernels ?? {}) as Obj)) {
      const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: (g as Obj).source as string, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  }
}

describe('plan for the bundled example', () => {
  it.each(['float32', 'float16', 'bfloat16'] as const)('bert.sdpa.dynamo.onnx as %s', (dtype) => checkPlan(example, dtype));

  it('bert.sdpa.dynamo.onnx unfused (generated matmul, softmax)', () => {
    checkPlan(example, 'float16', false);
    const kernels = (planOf(example, 'float32', false).plan.generated_kernels ?? {}) as Obj;
    const sources = Object.values(kernels).map((k) => (k as Obj).source as string);
    expect(sources.some((s) => s.includes('tl.dot('))).toBe(true);
    expect(sources.some((s) => s.includes('tl.exp(') && s.includes('tl.max('))).toBe(true);
  });

  it('uses library kernels for the fused ops and reuses arena memory', () => {
    const { plan, report } = planOf(example);
    const kernels = (plan.launches as Obj[]).map((l) => l.kernel as string);
    expect(kernels.filter((k) => k === 'attention')).toHaveLength(2);
    expect(kernels.filter((k) => k === 'gemm').length).toBeGreaterThanOrEqual(8);
    expect(report.arenaBytes).toBeLessThan(report.naiveBytes / 2);
  });
});

describe.skipIf(!hasModels)('plans for every ../shared/models fixture', () => {
  it.each(fixtures)('%s', (f) => checkPlan(path.join(modelsDir, f), 'float16'));

  it.each(['llama.eager.onnx', 'gpt2.eager.dynamo.onnx', 't5enc.eager.onnx'].filter((f) => fixtures.includes(f)))('%s unfused', (f) =>
    checkPlan(path.join(modelsDir, f), 'float32', false));

  it.each(fixtures.filter((f) => f.startsWith('vit.')))('%s lowers its patch Conv to a patch copy + GEMM', (f) => {
    const launches = planOf(path.join(modelsDir, f)).plan.launches as Obj[];
    const conv = launches.findIndex((l) => l.kernel === 'gemm' && (l.args as Obj).weight !== undefined && /patch_embeddings|conv/i.test(l.name as string));
    expect(conv).toBeGreaterThan(0);
    expect(launches[conv - 1]!.name as string).toMatch(/^patches of /);
  });
});

describe('ops without a Triton lowering', () => {
  it('fail with a one-line error naming the node and op', () => {
    const g = new GraphBuilder('cumsum');
    const x = g.input('x', 'float32', ['batch', 8]);
    const [y] = g.node('CumSum', [x, g.initializer('axis', makeTensor('int64', [], [1]))], {}, { name: 'running total' });
    const graph = g.output(y!).build();
    expect(() => emitPlan(graph, { dtype: 'float32', maxBatch: 2, maxSeq: 16 })).toThrowError(/^[^\n]*node 'running total' \(CumSum\): CumSum cannot run on the Triton runtime[^\n]*$/);
  });
});

// End to end through the Python runtime on the CPU (Triton's interpreter), when a Python with torch and triton exists.
const runtimePython = [process.env.SOLDER_PYTHON, 'python3'].find((py) => py !== undefined && spawnSync(py, ['-c', 'import torch, triton'], { encoding: 'utf8' }).status === 0);

describe.skipIf(runtimePython === undefined)('runtime: a float32 plan of the example matches the recorded outputs', () => {
  it.each([['fused', true], ['unfused', false]] as const)('%s: python -m solder_runtime run --compare (1e-3 max abs)', (_, fused) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-e2e-'));
    try {
      writePlanDir(path.join(dir, 'plan'), planOf(example, 'float32', fused));
      const out = execFileSync(runtimePython!, ['-m', 'solder_runtime', 'run', path.join(dir, 'plan'), '--inputs',
        path.join(repoRoot, 'examples/bert.sdpa.io.safetensors'), '--compare', '--device', 'cpu', '--atol', '1e-3', '--rtol', '0'], {
        encoding: 'utf8',
        env: { ...process.env, TRITON_INTERPRET: '1', SOLDER_CACHE_DIR: path.join(dir, 'cache'), PYTHONPATH: path.join(repoRoot, 'backends/triton/runtime') },
        timeout: 300_000,
      });
      expect(out.match(/ ok /g)).toHaveLength(2);
      expect(out).not.toMatch(/MISMATCH/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

if (runtimePython === undefined) console.warn('skipping the runtime end-to-end test: no python3 (or $SOLDER_PYTHON) with torch and triton');
