// solder optimize MODEL -o OUT.onnx [--report REPORT.json] [--quiet] [--json] [--keep-solder-ops] [--rules FILE.js]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel } from '../../api/load-model.js';
import { save } from '../../api/save.js';
import { lowerForOnnxRuntime } from '../../backends/onnx/lower.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { type OptimizeReport, optimize } from '../../passes/optimize.js';
import type { Rule } from '../../patterns/rule.js';
import { flag, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';
import { progress } from './progress.js';

export interface OptimizeCommandReport extends OptimizeReport {
  readonly export: {
    /** Solder op -> what its nodes became in the written model, with counts. */
    readonly lowered: Record<string, Record<string, number>>;
    /** Solder ops written as they are (no ONNX Runtime form, or --keep-solder-ops). */
    readonly kept_solder_ops: Record<string, number>;
  };
}

export const optimizeCommand: Command = {
  name: 'optimize',
  synopsis: 'optimize MODEL -o OUT.onnx [--report R.json] [--json] [--quiet]',
  summary: 'fuse into solder ops, lower them to ops ONNX Runtime runs, write ONNX',
  async run(argv) {
    const p = parse('optimize', argv, {
      output: { type: 'string', short: 'o' },
      report: { type: 'string' },
      rules: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      'keep-solder-ops': { type: 'boolean' },
    }, 1);
    const file = p.positionals[0] as string;
    const out = stringOption(p, 'output');
    if (out === undefined) throw new UsageError('optimize: -o OUT.onnx is required');
    if (!out.endsWith('.onnx')) throw new UsageError(`optimize: the output must end in .onnx, got '${out}'`);
    const [quiet, json] = [flag(p, 'quiet'), flag(p, 'json')];
    const rulesFile = stringOption(p, 'rules');
    const rules = rulesFile === undefined ? [] : await loadRules(rulesFile);
    const say = progress('optimize');
    const stage = (name: string) => {
      if (!quiet && !json) say(name);
    };
    try {
      stage('load');
      const graph = await loadModel(file);
      const optimized = optimize(graph, { rules, onStage: (s) => s !== 'cleanup' && stage(s) });
      stage('export');
      const lowered = flag(p, 'keep-solder-ops') ? undefined : lowerForOnnxRuntime(optimized.graph);
      const written = lowered?.graph ?? optimized.graph;
      save(written, out);
      const report: OptimizeCommandReport = {
        ...optimized.report,
        export: { lowered: lowered?.lowered ?? {}, kept_solder_ops: lowered?.kept ?? solderOps(written) },
      };
      say.done();
      const reportFile = stringOption(p, 'report');
      if (reportFile !== undefined) writeReport(reportFile, report);
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (!quiet) process.stdout.write(summary(out, report));
      return true;
    } finally {
      say.done();
    }
  },
};

/** A user module's `rules` export, checked to look like rules before optimize runs them. */
async function loadRules(file: string): Promise<Rule[]> {
  let mod: { rules?: unknown };
  try {
    mod = (await import(pathToFileURL(path.resolve(file)).href)) as { rules?: unknown };
  } catch (e) {
    throw new SolderError(`cannot load rules module (${(e as Error).message.split('\n')[0]})`, { file });
  }
  const rules = mod.rules;
  const isRule = (r: unknown) => typeof r === 'object' && r !== null && 'name' in r && 'root' in r && 'pattern' in r && 'rewrite' in r;
  if (!Array.isArray(rules) || !rules.every(isRule)) {
    throw new SolderError('the module must export `rules`, an array of rules made with rule() from patterns/rule', { file });
  }
  return rules as Rule[];
}

function solderOps(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of graph.nodes) if (n.domain === SOLDER_DOMAIN) counts[n.op] = (counts[n.op] ?? 0) + 1;
  return counts;
}

/** Writes the report beside a temporary name first, so that no half-written report is left. */
function writeReport(file: string, report: OptimizeCommandReport): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new SolderError(`cannot write the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
}

function summary(out: string, r: OptimizeCommandReport): string {
  const counts = (c: Record<string, number>) => Object.entries(c).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
  const lines = [
    `wrote ${out}: ${r.nodes_before} nodes -> ${r.nodes_after} after fusion (${r.seconds.toFixed(2)} s)`,
    `fused: ${counts(r.fused)}`,
  ];
  for (const [op, forms] of Object.entries(r.export.lowered)) {
    lines.push(`  ${op} -> ${Object.entries(forms).map(([form, n]) => `${form} (${n})`).join(', ')}`);
  }
  if (Object.keys(r.export.kept_solder_ops).length > 0) {
    lines.push(`kept as solder ops (ONNX Runtime cannot run these): ${counts(r.export.kept_solder_ops)}`);
  }
  return `${lines.join('\n')}\n`;
}
