// solder reduce MODEL --check "CMD" -o OUT.onnx [--timeout S] [--max-checks N] [--fail-code N]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load, save } from '../../api/load.js';
import { SolderError } from '../../ir/errors.js';
import { reduceGraphWithStats } from '../reduce.js';
import { commandCheck } from '../reduce/command.js';
import { numberOption, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';
import { progress } from './progress.js';

export const reduceCommand: Command = {
  name: 'reduce',
  synopsis: 'reduce MODEL --check "CMD {}" -o OUT.onnx [--timeout S] [--fail-code N]',
  summary: 'shrink a model to a small piece that still fails CMD',
  async run(argv) {
    const p = parse('reduce', argv, {
      check: { type: 'string' },
      output: { type: 'string', short: 'o' },
      timeout: { type: 'string' },
      'max-checks': { type: 'string' },
      'fail-code': { type: 'string' },
    }, 1);
    const file = p.positionals[0] as string;
    const command = stringOption(p, 'check');
    if (command === undefined || command.trim() === '') throw new UsageError('reduce: --check "CMD" is required ({} stands for the candidate model; exit code != 0 means it still fails)');
    const out = stringOption(p, 'output');
    if (out === undefined) throw new UsageError('reduce: -o OUT.onnx is required');
    if (!out.endsWith('.onnx')) throw new UsageError(`reduce: the output must end in .onnx, got '${out}'`);
    const timeoutMs = numberOption('reduce', p, 'timeout', 120) * 1000;
    const maxChecks = numberOption('reduce', p, 'max-checks', 400);
    const failCodeText = stringOption(p, 'fail-code');
    const failCode = failCodeText === undefined ? undefined : numberOption('reduce', p, 'fail-code', 1);
    if (failCode !== undefined && (!Number.isInteger(failCode) || failCode < 1 || failCode > 255)) {
      throw new UsageError(`reduce: --fail-code must be an exit code from 1 to 255, got '${failCodeText}'`);
    }

    const graph = load(file);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-reduce-'));
    const say = progress('reduce');
    try {
      const runner = commandCheck({ command, dir, timeoutMs, ...(failCode === undefined ? {} : { failCode }) });
      let result;
      try {
        result = await reduceGraphWithStats(graph, runner.check, {
          maxChecks,
          onCheck: (c) => say(`check ${c.checks} (${c.stage}): ${c.nodes} nodes ${c.failed ? 'fail' : 'pass'}`),
        });
      } catch (e) {
        const last = runner.lastRun();
        if (e instanceof SolderError && last !== undefined) {
          const how = last.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exited with ${last.code}`;
          const tail = last.tail.trim().split('\n').slice(-1)[0] ?? '';
          throw new SolderError(`${e.message}; the check ${how}${tail === '' ? '' : `: ${tail}`}`, { file });
        }
        throw e;
      }
      say.done();
      // Atomic: the output appears whole, or not at all.
      save(result.graph, out);
      const capped = result.capped ? ` (stopped at --max-checks ${maxChecks}; it may shrink further)` : '';
      process.stdout.write(`reduced ${graph.nodes.length} -> ${result.graph.nodes.length} nodes in ${result.checks} checks${capped}\n`);
      process.stdout.write(`suspect: ${result.suspect}\nnodes: ${result.graph.nodes.map((n) => `${n.name} (${n.op})`).join(', ')}\nwrote ${out}\n`);
      return true;
    } finally {
      say.done();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
