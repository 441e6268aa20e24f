// Fixture plans through the Python runtime on the CPU (Triton's interpreter): emits a float32
// and a float16 plan per ONNX model, runs them all in one Python process with
// bench/gpu_fixtures.py, and reads back its per-output errors against the recordings.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from '../api/load.js';
import type { PlanDtype } from '../backends/triton/lower.js';
import { emitPlan } from '../backends/triton/plan.js';
import { writePlanDir } from '../backends/triton/write.js';
import { optimize } from '../passes/optimize.js';

export const PLAN_DTYPES: readonly PlanDtype[] = ['float32', 'float16'];

/** The criteria: float32 within 1e-3 max abs, float16 within 1e-2 relative L2. */
export const MAX_ABS_FP32 = 1e-3;
export const REL_L2_FP16 = 1e-2;

export interface OutputError {
  readonly name: string;
  readonly max_abs?: number;
  readonly rel_l2?: number;
  readonly nan?: boolean;
  readonly error?: string;
}

export interface FixtureRow {
  readonly model: string;
  readonly dtype: PlanDtype;
  readonly ok: boolean;
  readonly status: string;
  readonly outputs?: readonly OutputError[];
}

/** The ONNX exports in the models folder (the `_deep` ones only when asked). */
export function onnxFixtures(modelsDir: string, deep = false): string[] {
  return fs.readdirSync(modelsDir).filter((f) => f.endsWith('.onnx') && (deep || !f.includes('_deep'))).sort();
}

/** Writes plansDir/FILE.DTYPE for every fixture file and dtype; returns seconds spent per file. */
export function emitFixturePlans(modelsDir: string, files: readonly string[], plansDir: string, limits = { maxBatch: 2, maxSeq: 16 }): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const file of files) {
    const start = performance.now();
    const { graph } = optimize(load(path.join(modelsDir, file)));
    for (const dtype of PLAN_DTYPES) writePlanDir(path.join(plansDir, `${file}.${dtype}`), emitPlan(graph, { dtype, ...limits }));
    seconds.set(file, (performance.now() - start) / 1000);
  }
  return seconds;
}

/** Runs the plans in one CPU Python process (TRITON_INTERPRET=1, no CUDA needed). */
export function runPlansOnCpu(repoRoot: string, modelsDir: string, files: readonly string[], plansDir: string): { rows: FixtureRow[]; log: string } {
  const json = path.join(plansDir, 'results.json');
  const run = spawnSync(runtimePython(), [path.join(repoRoot, 'bench/gpu_fixtures.py'), plansDir, modelsDir, ...files, '--json', json], {
    encoding: 'utf8',
    // No GPU visible: the runtime must run on the CPU alone (generated and library kernels interpreted).
    env: { ...process.env, TRITON_INTERPRET: '1', CUDA_VISIBLE_DEVICES: '', SOLDER_CACHE_DIR: path.join(plansDir, 'cache') },
    maxBuffer: 1 << 24,
  });
  const log = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (!fs.existsSync(json)) throw new Error(`gpu_fixtures.py wrote no results (exit ${run.status}):\n${log}`);
  const result = JSON.parse(fs.readFileSync(json, 'utf8')) as { device: string; rows: FixtureRow[] };
  if (result.device !== 'cpu') throw new Error(`expected a CPU run, got ${result.device}`);
  return { rows: result.rows, log };
}

/** $SOLDER_PYTHON or python3. */
export function runtimePython(): string {
  return process.env.SOLDER_PYTHON ?? 'python3';
}

/** Whether that Python can import torch and triton (the runtime's only dependencies). */
export function hasRuntimePython(): boolean {
  return spawnSync(runtimePython(), ['-c', 'import torch, triton'], { encoding: 'utf8' }).status === 0;
}
