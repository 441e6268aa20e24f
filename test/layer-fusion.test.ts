// The runtime's encoder-layer fusion on a real emitted plan: the bundled example BERT (two
// layers) planned in float32, run on the CPU runtime with fusion forced on and off. Row 0 of the
// recording (16 tokens) fits the one-launch layer kernel, both rows (32 tokens) do not.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { emitPlan } from '../backends/triton/plan.js';
import { writePlanDir } from '../backends/triton/write.js';
import { optimize } from '../passes/optimize.js';
import { examplesDir, repoRoot } from './models.js';
import { hasRuntimePython, runtimePython } from './triton-cpu-check.js';

interface Run { mode: string; rows: number; fused_layers: number; layer_steps: number; max_abs: number }

if (!hasRuntimePython()) console.warn('skipping layer fusion: no python3 (or $SOLDER_PYTHON) with torch and triton');

describe.skipIf(!hasRuntimePython())('encoder-layer fusion on the example BERT plan', () => {
  it('fuses both layers when they fit, falls back when not, and matches the recording either way', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-layer-fusion-'));
    try {
      const { graph } = optimize(load(path.join(examplesDir, 'bert.sdpa.dynamo.onnx')));
      writePlanDir(dir, emitPlan(graph, { dtype: 'float32', maxBatch: 2, maxSeq: 16 }));
      const run = spawnSync(runtimePython(), [path.join(repoRoot, 'test/layer_fusion_check.py'), dir,
        path.join(examplesDir, 'bert.sdpa.io.safetensors')], {
        encoding: 'utf8',
        env: { ...process.env, TRITON_INTERPRET: '1', CUDA_VISIBLE_DEVICES: '', SOLDER_CACHE_DIR: path.join(dir, 'cache') },
      });
      expect(run.status, run.stderr).toBe(0);
      const runs = JSON.parse(run.stdout) as Run[];
      const at = (mode: string, rows: number) => runs.find((r) => r.mode === mode && r.rows === rows)!;
      for (const r of runs) {
        expect(r.layer_steps, JSON.stringify(r)).toBe(2); // both layers found in the launch list
        expect(r.max_abs, JSON.stringify(r)).toBeLessThanOrEqual(1e-4);
      }
      expect(at('always', 1).fused_layers).toBe(2);
      expect(at('off', 1).fused_layers).toBe(0);
      expect(at('always', 2).fused_layers).toBe(0); // 32 tokens: more than the kernel takes
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
