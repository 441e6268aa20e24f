// solder plan MODEL -o PLAN_DIR [--dtype float16|bfloat16|float32] [--max-batch N --max-seq N] [--tensor-parallel N]
import { load } from '../../api/load.js';
import { SolderError } from '../../ir/errors.js';
import type { EmittedPlan } from '../../backends/triton/plan.js';
import type { PlanDtype } from '../../backends/triton/lower.js';
import { emitTensorParallelPlans, rankDirName, writeTensorParallelPlanDir } from '../../backends/triton/shard-plan.js';
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

// A GPU count the model cannot be split over is a problem with the request, like a head count it does not divide.
function worldSizeOf(v: string | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n < 1) throw new SolderError(`--tensor-parallel must be a positive integer (the GPU count), got '${v}'`);
  return n;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

function report(out: string, plans: readonly EmittedPlan[], settings: string): string {
  const r = plans[0]!.report;
  const library = Object.entries(r.libraryLaunches).map(([k, n]) => `${k} ${n}`).join(', ');
  const ranks = plans.length > 1 ? `, tensor-parallel over ${plans.length} GPUs: ${rankDirName(0)} .. ${rankDirName(plans.length - 1)}` : '';
  const each = plans.length > 1 ? ' per rank' : '';
  return [
    `plan: ${out} (${settings}${ranks})`,
    `launches${each}: ${r.launches} (library: ${library || 'none'}; generated: ${r.generatedLaunches} of ${r.generatedKernels} distinct kernels)`,
    `arena${each}: ${mib(r.arenaBytes)} for ${r.buffers} buffers (${mib(r.naiveBytes)} if each had its own memory)`,
    plans.length > 1 ? `weights per rank: ${plans.map((p) => mib(p.report.weightBytes)).join(', ')}` : `weights: ${mib(r.weightBytes)}`,
    '',
  ].join('\n');
}

export const planCommand: Command = {
  name: 'plan',
  synopsis: 'plan MODEL -o PLAN_DIR [--dtype float16|bfloat16|float32] [--max-batch N --max-seq N] [--tensor-parallel N]',
  summary: 'emit a Triton runtime plan (plan.json + weights.safetensors; rank-R/ per GPU with --tensor-parallel)',
  async run(argv) {
    const p = parse('plan', argv, {
      output: { type: 'string', short: 'o' },
      dtype: { type: 'string' },
      'max-batch': { type: 'string' },
      'max-seq': { type: 'string' },
      'tensor-parallel': { type: 'string' },
    }, 1);
    const out = stringOption(p, 'output');
    if (out === undefined) throw new UsageError('plan: -o PLAN_DIR is required');
    const dtype = stringOption(p, 'dtype') ?? 'float16';
    if (!DTYPES.includes(dtype as PlanDtype)) throw new UsageError(`plan: --dtype must be one of ${DTYPES.join(', ')}, got '${dtype}'`);
    const maxBatch = positiveInt('max-batch', stringOption(p, 'max-batch'), 8);
    const maxSeq = positiveInt('max-seq', stringOption(p, 'max-seq'), 128);
    const worldSize = worldSizeOf(stringOption(p, 'tensor-parallel'));
    const file = p.positionals[0] as string;
    const { graph } = optimize(load(file));
    let plans;
    try {
      plans = emitTensorParallelPlans(graph, { dtype: dtype as PlanDtype, maxBatch, maxSeq, worldSize });
    } catch (e) {
      throw e instanceof SolderError ? e.inFile(file) : e;
    }
    writeTensorParallelPlanDir(out, plans);
    process.stdout.write(report(out, plans, `${dtype}, max batch ${maxBatch}, max seq ${maxSeq}`));
    return true;
  },
};
