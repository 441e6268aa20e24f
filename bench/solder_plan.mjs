// `solder plan ...` from a built solder (SOLDER_ROOT, default: this checkout), usable before the
// CLI's command table registers `plan`: node bench/solder_plan.mjs MODEL -o DIR [--dtype ..] ...
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.SOLDER_ROOT ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const load = (rel) => import(pathToFileURL(path.join(root, 'dist', rel)).href);

const { planCommand } = await load('debugger/cli/plan.js');
const { SolderError } = await load('ir/errors.js');
const { UsageError } = await load('debugger/cli/args.js');
try {
  process.exitCode = (await planCommand.run(process.argv.slice(2))) ? 0 : 1;
} catch (e) {
  const oneLine = e instanceof SolderError || e instanceof UsageError;
  process.stderr.write(oneLine ? `solder: ${e.message}\n` : `solder: internal error\n${e?.stack ?? e}\n`);
  process.exitCode = oneLine ? 2 : 70;
}
