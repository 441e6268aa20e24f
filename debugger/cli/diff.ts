// solder diff A B | A --optimize  [--json] [--limit N] [--canonical]
import { load } from '../../api/load.js';
import type { Graph } from '../../ir/graph.js';
import { optimize } from '../../passes/optimize.js';
import { canonicalize } from '../../passes/pipeline.js';
import { diffGraphs } from '../diff.js';
import { formatDiff } from '../diff/format.js';
import { flag, numberOption, parse, UsageError } from './args.js';
import type { Command } from './commands.js';

export const diffCommand: Command = {
  name: 'diff',
  synopsis: 'diff A (B | --optimize) [--json] [--limit N] [--canonical]',
  summary: 'map the nodes of A onto B (exact for a graph solder rewrote)',
  async run(argv) {
    const withOptimize = argv.includes('--optimize');
    const p = parse('diff', argv, {
      optimize: { type: 'boolean' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
      canonical: { type: 'boolean' },
    }, withOptimize ? 1 : 2);
    const limit = numberOption('diff', p, 'limit', 20);
    if (!Number.isInteger(limit)) throw new UsageError(`diff: --limit must be a whole number, got ${limit}`);
    const fileA = p.positionals[0] as string;
    const a = load(fileA);
    const [b, labelB] = withOptimize ? [optimize(a).graph, `${fileA} (optimized)`] : [load(p.positionals[1] as string), p.positionals[1] as string];
    // --canonical compares what fusion sees: exporter noise (Constant nodes, shape chains) folded away.
    // A rewritten graph is compared as is: its origins name the nodes of A.
    const prepare = (g: Graph) => (flag(p, 'canonical') && !withOptimize ? canonicalize(g) : g);
    const [ga, gb] = [prepare(a), prepare(b)];
    const d = diffGraphs(ga, gb);
    if (flag(p, 'json')) process.stdout.write(`${JSON.stringify({ files: { a: fileA, b: labelB }, ...d }, null, 2)}\n`);
    else process.stdout.write(formatDiff(d, ga, gb, { a: fileA, b: labelB }, limit));
    return true;
  },
};
