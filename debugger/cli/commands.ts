// The command table: each command is a name, a one-line summary and a function. A
// command's module is loaded only when it runs: `solder optimize` needs ~200 modules of
// its own, and loading every other command's too cost each start ~35 ms more.

export interface Command {
  readonly name: string;
  readonly synopsis: string;
  readonly summary: string;
  /** Resolves to false when the command found a mismatch (exit 1). */
  run(argv: readonly string[]): Promise<boolean>;
}

/** Loaders by command name, in the order usage lists them. */
const LOADERS = new Map<string, () => Promise<Command>>([
  ['inspect', async () => (await import('./inspect.js')).inspectCommand],
  ['run', async () => (await import('./run.js')).runCommand],
  ['convert', async () => (await import('./convert.js')).convertCommand],
  ['optimize', async () => (await import('./optimize.js')).optimizeCommand],
  ['debug', async () => (await import('./debug.js')).debugCommand],
  ['explain', async () => (await import('./explain.js')).explainCommand],
  ['trace', async () => (await import('./trace.js')).traceCommand],
  ['diff', async () => (await import('./diff.js')).diffCommand],
  ['check', async () => (await import('./check.js')).checkCommand],
  ['reduce', async () => (await import('./reduce.js')).reduceCommand],
  ['plan', async () => (await import('./plan.js')).planCommand],
]);

/** The command of that name (its module loaded), or undefined when there is none. */
export async function findCommand(name: string): Promise<Command | undefined> {
  return LOADERS.get(name)?.();
}

export async function usage(): Promise<string> {
  const all = await Promise.all([...LOADERS.values()].map((load) => load()));
  const lines = all.map((c) => `  ${c.synopsis.padEnd(70)} ${c.summary}`);
  return `solder: rewrite exported transformer graphs into fused kernels\n\nusage:\n${lines.join('\n')}\n\nExit codes: 0 ok, 1 numbers mismatch, 2 bad input or usage.\n`;
}
