// solder debug MODEL [--compare OTHER] [--inputs FILE] [--port N]
import { load } from '../../api/load.js';
import { readRecordedIO } from '../../api/run.js';
import { SolderError } from '../../ir/errors.js';
import { startDebugServer } from '../web/server.js';
import { numberOption, parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';

export const debugCommand: Command = {
  name: 'debug',
  synopsis: 'debug MODEL [--compare OTHER] [--inputs FILE] [--port N]',
  summary: 'open the graph in a local web viewer (127.0.0.1 only)',
  async run(argv) {
    const p = parse('debug', argv, {
      compare: { type: 'string' },
      inputs: { type: 'string' },
      port: { type: 'string' },
    }, 1);
    const file = p.positionals[0] as string;
    const port = numberOption('debug', p, 'port', 0);
    if (!Number.isInteger(port) || port > 65535) throw new UsageError(`debug: --port must be an integer from 0 to 65535, got '${port}'`);
    const graph = load(file);
    const compareFile = stringOption(p, 'compare');
    const compare = compareFile === undefined ? undefined : load(compareFile);
    const inputsFile = stringOption(p, 'inputs');
    if (inputsFile !== undefined) {
      // Read now so that a bad file is reported at once; per-node numerics need the
      // checker, which startDebugServer's `numerics` option takes once it exists.
      readRecordedIO(inputsFile);
      process.stderr.write('solder debug: per-node numerics are not computed by the command yet; --inputs was read and not used\n');
    }
    let server;
    try {
      server = await startDebugServer({ graph, ...(compare === undefined ? {} : { compare }), port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SolderError(`port ${port} is in use on 127.0.0.1: pick another with --port`);
      throw e;
    }
    process.stdout.write(`solder debug: ${file}${compareFile === undefined ? '' : ` vs ${compareFile}`} at ${server.url} (Ctrl-C to stop)\n`);
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
