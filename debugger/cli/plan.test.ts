// solder plan as a user runs it: writes PLAN_DIR, reports the arena against the naive sum.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SolderError } from '../../ir/errors.js';
import { UsageError } from './args.js';
import { planCommand } from './plan.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bert.sdpa.dynamo.onnx');

describe('solder plan', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the plan directory and prints the memory report', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-cli-plan-'));
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (printed.push(String(s)), true));
    try {
      await expect(planCommand.run([example, '-o', path.join(dir, 'p'), '--dtype', 'bfloat16', '--max-batch', '2', '--max-seq', '32'])).resolves.toBe(true);
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'p', 'plan.json'), 'utf8')) as { dtype: string; symbols: Record<string, { max: number }> };
      expect(plan.dtype).toBe('bfloat16');
      expect(plan.symbols).toMatchObject({ batch: { max: 2 }, seq: { max: 32 } });
      expect(printed.join('')).toMatch(/arena: [\d.]+ MiB for \d+ buffers \([\d.]+ MiB if each had its own memory\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--tensor-parallel 2 writes one plan directory per rank', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-cli-plan-tp-'));
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (printed.push(String(s)), true));
    try {
      await expect(planCommand.run([example, '-o', path.join(dir, 'tp'), '--dtype', 'float32', '--max-batch', '2', '--max-seq', '32', '--tensor-parallel', '2'])).resolves.toBe(true);
      expect(fs.readdirSync(path.join(dir, 'tp')).sort()).toEqual(['rank-0', 'rank-1']);
      for (const rank of [0, 1]) {
        const plan = JSON.parse(fs.readFileSync(path.join(dir, 'tp', `rank-${rank}`, 'plan.json'), 'utf8')) as { tensor_parallel: unknown; launches: { kernel: string }[] };
        expect(plan.tensor_parallel).toEqual({ world_size: 2, rank });
        expect(plan.launches.filter((l) => l.kernel === 'all_reduce')).toHaveLength(4);
        expect(fs.existsSync(path.join(dir, 'tp', `rank-${rank}`, 'weights.safetensors'))).toBe(true);
      }
      expect(printed.join('')).toMatch(/tensor-parallel over 2 GPUs: rank-0 \.\. rank-1/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a GPU count that cannot split the model is a one-line SolderError, and nothing is written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-cli-plan-tp-'));
    try {
      for (const [n, message] of [['3', /\(Attention\): cannot split 4 attention heads over 3 ranks/], ['0', /--tensor-parallel must be a positive integer/], ['two', /got 'two'/]] as const) {
        const run = planCommand.run([example, '-o', path.join(dir, 'tp'), '--tensor-parallel', n]);
        await expect(run).rejects.toThrow(SolderError);
        await expect(run).rejects.toThrow(message);
      }
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options as usage errors', async () => {
    await expect(planCommand.run([example])).rejects.toThrow(UsageError);
    await expect(planCommand.run([example, '-o', 'x', '--dtype', 'int8'])).rejects.toThrow(/--dtype must be one of/);
    await expect(planCommand.run([example, '-o', 'x', '--max-seq', '0'])).rejects.toThrow(/--max-seq must be a positive integer/);
  });
});
