// Argument parsing for every command, on node's own parseArgs.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

/** Parses argv for one command; unknown flags and missing values are UsageErrors. */
export function parse(command: string, argv: readonly string[], options: Options, positionals: number): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`${command}: expected ${positionals} file argument(s), got ${parsed.positionals.length} (see solder --help)`);
  }
  return { positionals: parsed.positionals, values: parsed.values as Parsed['values'] };
}

export function stringOption(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberOption(command: string, p: Parsed, name: string, fallback: number): number {
  const v = stringOption(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${command}: --${name} must be a non-negative number, got '${v}'`);
  return n;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}
