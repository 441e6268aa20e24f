// solder plan MODEL -o PLAN_DIR [--dtype float16|bfloat16|float32] [--max-batch N --max-seq N]
import { load } from '../../api/load.js';
import { SolderError } from '../../ir/errors.js';
import { emitPlan } from '../../backends/triton/plan.js';
import type { PlanDtype } from '../../backends/triton/lower.js';
import { writePlanDir } from '../../backends/triton/write.js';
import { optimize } from '../../passes/optimize.js';
import { parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';

const DTYPES: readonly PlanDtype[] = ['float16', 'bfloat16', 'float32'];

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`plan: --${name} must be a positive integer, got '${v}'`);
  return n;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

export const planCommand: Command = {
  name: 'plan',
  synopsis: 'plan MODEL -o PLAN_DIR [--dtype float16|bfloat16|float32] [--max-batch N --max-seq N]',
  summary: 'emit a Triton runtime plan (plan.json + weights.safetensors)',
  async run(argv) {
    const p = parse('plan', argv, {
      output: { type: 'string', short: 'o' },
      dtype: { type: 'string' },
      'max-batch': { type: 'string' },
      'max-seq': { type: 'string' },
    }, 1);
    const out = stringOption(p, 'output');
    if (out === undefined) throw new UsageError('plan: -o PLAN_DIR is required');
    const dtype = stringOption(p, 'dtype') ?? 'float16';
    if (!DTYPES.includes(dtype as PlanDtype)) throw new UsageError(`plan: --dtype must be one of ${DTYPES.join(', ')}, got '${dtype}'`);
    const maxBatch = positiveInt('max-batch', stringOption(p, 'max-batch'), 8);
    const maxSeq = positiveInt('max-seq', stringOption(p, 'max-seq'), 128);
    const file = p.positionals[0] as string;
    const { graph } = optimize(load(file));
    let emitted;
    try {
      emitted = emitPlan(graph, { dtype: dtype as PlanDtype, maxBatch, maxSeq });
    } catch (e) {
      throw e instanceof SolderError ? e.inFile(file) : e;
    }
    writePlanDir(out, emitted);
    const r = emitted.report;
    const library = Object.entries(r.libraryLaunches).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write([
      `plan: ${out} (${dtype}, max batch ${maxBatch}, max seq ${maxSeq})`,
      `launches: ${r.launches} (library: ${library || 'none'}; generated: ${r.generatedLaunches} of ${r.generatedKernels} distinct kernels)`,
      `arena: ${mib(r.arenaBytes)} for ${r.buffers} buffers (${mib(r.naiveBytes)} if each had its own memory)`,
      `weights: ${mib(r.weightBytes)}`,
      '',
    ].join('\n'));
    return true;
  },
};
