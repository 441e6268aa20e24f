// solder trace MODEL [--json]
import { load } from '../../api/load.js';
import { optimize } from '../../passes/optimize.js';
import { formatTrace } from '../../patterns/trace.js';
import { flag, parse } from './args.js';
import type { Command } from './commands.js';
import { progress } from './progress.js';

export const traceCommand: Command = {
  name: 'trace',
  synopsis: 'trace MODEL [--json]',
  summary: 'list every rule application of optimize, in order',
  async run(argv) {
    const p = parse('trace', argv, { json: { type: 'boolean' } }, 1);
    const file = p.positionals[0] as string;
    const say = progress('trace');
    const graph = load(file);
    let result;
    try {
      result = optimize(graph, { onStage: (s) => say(s) });
    } finally {
      say.done();
    }
    const { trace, report } = result;
    if (flag(p, 'json')) {
      process.stdout.write(`${JSON.stringify({ model: file, ...trace, report }, null, 2)}\n`);
    } else {
      process.stdout.write(`trace of optimize on ${file}: ${trace.applications.length} rule applications, ${report.nodes_before} -> ${report.nodes_after} nodes\n`);
      process.stdout.write(`${formatTrace(trace)}\n`);
    }
    return true;
  },
};
