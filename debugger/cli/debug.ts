// solder debug MODEL [--optimize | --compare OTHER] [--inputs FILE] [--port N]
import { load } from '../../api/load.js';
import { SolderError } from '../../ir/errors.js';
import { startDebugServer } from '../web/server.js';
import { flag, numberOption, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';
import { optimizedSession } from './debug-session.js';
import type { SessionInput } from '../web/session.js';

export const debugCommand: Command = {
  name: 'debug',
  synopsis: 'debug MODEL [--optimize | --compare OTHER] [--inputs FILE] [--port N]',
  summary: 'open the graph in a local web viewer (127.0.0.1 only)',
  async run(argv) {
    const p = parse('debug', argv, {
      compare: { type: 'string' },
      optimize: { type: 'boolean' },
      inputs: { type: 'string' },
      port: { type: 'string' },
    }, 1);
    const file = p.positionals[0] as string;
    const port = numberOption('debug', p, 'port', 0);
    if (!Number.isInteger(port) || port > 65535) throw new UsageError(`debug: --port must be an integer from 0 to 65535, got '${port}'`);
    const graph = load(file);
    const compareFile = stringOption(p, 'compare');
    const inputsFile = stringOption(p, 'inputs');
    if (compareFile !== undefined && flag(p, 'optimize')) throw new UsageError('debug: give --optimize or --compare, not both');
    if (inputsFile !== undefined && !flag(p, 'optimize')) throw new UsageError('debug: --inputs needs --optimize (numerics compare the graph with its optimized form)');
    const session: SessionInput = flag(p, 'optimize')
      ? optimizedSession(graph, inputsFile)
      : { graph, ...(compareFile === undefined ? {} : { compare: load(compareFile) }) };
    let server;
    try {
      server = await startDebugServer({ ...session, port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SolderError(`port ${port} is in use on 127.0.0.1: pick another with --port`);
      throw e;
    }
    process.stdout.write(`solder debug: ${file}${compareFile !== undefined ? ` vs ${compareFile}` : flag(p, 'optimize') ? ' (before/after optimize)' : ''} at ${server.url} (Ctrl-C to stop)\n`);
    await untilInterrupted();
    await server.close();
    return true;
  },
};

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
