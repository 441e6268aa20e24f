// The command table: each command is a name, a one-line summary and a function.
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';
import { convertCommand } from './convert.js';
import { optimizeCommand } from './optimize.js';
import { debugCommand } from './debug.js';
import { diffCommand } from './diff.js';
import { checkCommand } from './check.js';
import { reduceCommand } from './reduce.js';
import { traceCommand } from './trace.js';
import { explainCommand } from './explain.js';
import { planCommand } from './plan.js';

export interface Command {
  readonly name: string;
  readonly synopsis: string;
  readonly summary: string;
  /** Resolves to false when the command found a mismatch (exit 1). */
  run(argv: readonly string[]): Promise<boolean>;
}

const ALL: readonly Command[] = [inspectCommand, runCommand, convertCommand, optimizeCommand, debugCommand,
  explainCommand, traceCommand, diffCommand, checkCommand, reduceCommand, planCommand];

export const COMMANDS = new Map(ALL.map((c) => [c.name, c]));

export function usage(): string {
  const lines = ALL.map((c) => `  ${c.synopsis.padEnd(70)} ${c.summary}`);
  return `solder: rewrite exported transformer graphs into fused kernels\n\nusage:\n${lines.join('\n')}\n\nExit codes: 0 ok, 1 numbers mismatch, 2 bad input or usage.\n`;
}
