// The `solder` command line: a thin layer over the library API.
// User mistakes print one line and exit 2; a mismatch found by --compare exits 1.
import { SolderError } from '../../ir/errors.js';
import { findCommand, usage } from './commands.js';
import { UsageError } from './args.js';

const EXIT_MISMATCH = 1;
const EXIT_USER_ERROR = 2;
const EXIT_BUG = 70;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name === undefined ? EXIT_USER_ERROR : 0;
  }
  const command = await findCommand(name);
  if (command === undefined) throw new UsageError(`unknown command '${name}' (try: solder --help)`);
  const ok = await command.run(rest);
  return ok ? 0 : EXIT_MISMATCH;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof SolderError || e instanceof UsageError) {
      process.stderr.write(`solder: ${e.message}\n`);
      process.exitCode = EXIT_USER_ERROR;
      return;
    }
    process.stderr.write(`solder: internal error (please report it with the command you ran)\n`);
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = EXIT_BUG;
  },
);
