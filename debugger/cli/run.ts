// solder run MODEL --inputs FILE.safetensors [--optimize] [--compare] [--json] [--atol X] [--rtol X]
import { load } from '../../api/load.js';
import { compareOutputs, DEFAULT_TOLERANCE, readRecordedIO, run } from '../../api/run.js';
import { SolderError } from '../../ir/errors.js';
import { optimize } from '../../passes/optimize.js';
import { flag, numberOption, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';
import { formatComparisons } from './format.js';

export const runCommand: Command = {
  name: 'run',
  synopsis: 'run MODEL --inputs FILE.safetensors [--optimize] [--compare] [--json]',
  summary: 'run in the reference interpreter (--optimize: the fused graph); --compare checks out.N',
  async run(argv) {
    const p = parse('run', argv, {
      inputs: { type: 'string' },
      compare: { type: 'boolean' },
      optimize: { type: 'boolean' },
      json: { type: 'boolean' },
      atol: { type: 'string' },
      rtol: { type: 'string' },
    }, 1);
    const file = p.positionals[0] as string;
    const inputsFile = stringOption(p, 'inputs');
    if (inputsFile === undefined) throw new UsageError('run: --inputs FILE.safetensors is required');
    const tol = {
      atol: numberOption('run', p, 'atol', DEFAULT_TOLERANCE.atol),
      rtol: numberOption('run', p, 'rtol', DEFAULT_TOLERANCE.rtol),
    };
    const loaded = load(file);
    const graph = flag(p, 'optimize') ? optimize(loaded).graph : loaded;
    const io = readRecordedIO(inputsFile);
    const started = performance.now();
    let outputs;
    try {
      outputs = run(graph, io.inputs);
    } catch (e) {
      throw e instanceof SolderError ? e.inFile(file) : e;
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = flag(p, 'compare') ? compareOutputs(graph, outputs, io.outputs, tol) : [];
    const ok = rows.every((r) => r.ok);
    if (flag(p, 'json')) {
      const shapes = [...outputs].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
      process.stdout.write(`${JSON.stringify({ model: file, seconds, outputs: shapes, comparisons: rows, ok, tolerance: tol }, null, 2)}\n`);
    } else {
      for (const [name, t] of outputs) process.stdout.write(`${name}: ${t.dtype}[${t.shape.join(', ')}]\n`);
      process.stdout.write(`ran in ${seconds.toFixed(3)} s\n`);
      if (rows.length > 0) process.stdout.write(`compare (atol ${tol.atol}, rtol ${tol.rtol}):\n${formatComparisons(rows)}`);
    }
    return ok;
  },
};
