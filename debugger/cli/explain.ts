// solder explain MODEL --rule NAME [--node NODE] [--canonical] [--json]
import { load } from '../../api/load.js';
import { SolderError } from '../../ir/errors.js';
import { explainInModel, findRule } from '../explain.js';
import { flag, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';

export const explainCommand: Command = {
  name: 'explain',
  synopsis: 'explain MODEL --rule NAME [--node NODE] [--canonical] [--json]',
  summary: 'say why a rule did not match: the failing step, check and node',
  async run(argv) {
    const p = parse('explain', argv, {
      rule: { type: 'string' },
      node: { type: 'string' },
      canonical: { type: 'boolean' },
      json: { type: 'boolean' },
    }, 1);
    const file = p.positionals[0] as string;
    const ruleName = stringOption(p, 'rule');
    if (ruleName === undefined) throw new UsageError('explain: --rule NAME is required (the names are in patterns/library.ts and in solder trace)');
    const node = stringOption(p, 'node');
    findRule(ruleName);
    let report;
    try {
      report = explainInModel(load(file), ruleName, { stage: flag(p, 'canonical') ? 'canonical' : 'after-other-rules', ...(node === undefined ? {} : { node }) });
    } catch (e) {
      throw e instanceof SolderError ? e.inFile(file) : e;
    }
    if (flag(p, 'json')) {
      process.stdout.write(`${JSON.stringify({ model: file, ...report }, null, 2)}\n`);
      return true;
    }
    const on = report.stage === 'canonical' ? 'the canonicalized graph' : 'the graph after every other rule ran';
    const lines = [`explain ${report.rule} on ${file} (${on}):`];
    if (report.explanations.length === 0) lines.push(`  no ${report.roots.join(' or ')} node to start from`);
    for (const x of report.explanations) {
      lines.push(`  ${x.outcome.padEnd(12)} ${x.message}`);
      if (x.outcome !== 'matched' && x.partial.nodes.length > 1) lines.push(`  ${''.padEnd(12)} matched so far: ${x.partial.nodes.join(', ')}`);
    }
    const counts = new Map<string, number>();
    for (const x of report.explanations) counts.set(x.outcome, (counts.get(x.outcome) ?? 0) + 1);
    if (report.explanations.length > 1) lines.push(`${report.explanations.length} candidates: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return true;
  },
};
