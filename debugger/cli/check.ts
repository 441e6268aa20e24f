// solder check MODEL --inputs FILE.safetensors (--optimize | --against OTHER) [--k 2] [--floor 1e-6] [--json] [--limit N]
import { load } from '../../api/load.js';
import { readRecordedIO } from '../../api/run.js';
import { SolderError } from '../../ir/errors.js';
import { optimize } from '../../passes/optimize.js';
import { DEFAULT_FLOOR, DEFAULT_K, checkGraphs } from '../check.js';
import { formatCheck } from '../check/format.js';
import { flag, numberOption, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';
import { progress } from './progress.js';

export const checkCommand: Command = {
  name: 'check',
  synopsis: 'check MODEL --inputs FILE (--optimize | --against OTHER) [--k 2] [--json]',
  summary: 'run original and optimized side by side; name the first wrong node',
  async run(argv) {
    const p = parse('check', argv, {
      inputs: { type: 'string' },
      optimize: { type: 'boolean' },
      against: { type: 'string' },
      k: { type: 'string' },
      floor: { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
    }, 1);
    const file = p.positionals[0] as string;
    const inputsFile = stringOption(p, 'inputs');
    if (inputsFile === undefined) throw new UsageError('check: --inputs FILE.safetensors is required');
    const against = stringOption(p, 'against');
    if (flag(p, 'optimize') === (against !== undefined)) throw new UsageError('check: give exactly one of --optimize or --against OTHER.onnx');
    const k = numberOption('check', p, 'k', DEFAULT_K);
    if (k < 1) throw new UsageError(`check: --k must be at least 1, got ${k}`);
    const floor = numberOption('check', p, 'floor', DEFAULT_FLOOR);
    const limit = numberOption('check', p, 'limit', 10);
    const say = progress('check');
    const original = load(file);
    const io = readRecordedIO(inputsFile);
    if (against === undefined) say('optimizing');
    const optimized = against === undefined ? optimize(original).graph : load(against);
    let report;
    try {
      report = checkGraphs(original, optimized, io.inputs, { k, floor, onStage: (s) => say(stageText[s]) });
    } catch (e) {
      throw e instanceof SolderError ? e.inFile(against ?? file) : e;
    } finally {
      say.done();
    }
    const labels = { original: file, optimized: against ?? `${file} (optimized)` };
    if (flag(p, 'json')) process.stdout.write(`${JSON.stringify({ files: labels, ...report }, null, 2)}\n`);
    else process.stdout.write(formatCheck(report, labels, limit));
    return report.ok;
  },
};

const stageText = {
  original: 'running the original',
  float64: 'running the float64 reference',
  optimized: 'running the optimized graph',
  compare: 'comparing',
} as const;
