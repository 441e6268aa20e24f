// solder plan as a user runs it: writes PLAN_DIR, reports the arena against the naive sum.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('rejects bad options as usage errors', async () => {
    await expect(planCommand.run([example])).rejects.toThrow(UsageError);
    await expect(planCommand.run([example, '-o', 'x', '--dtype', 'int8'])).rejects.toThrow(/--dtype must be one of/);
    await expect(planCommand.run([example, '-o', 'x', '--max-seq', '0'])).rejects.toThrow(/--max-seq must be a positive integer/);
  });
});
