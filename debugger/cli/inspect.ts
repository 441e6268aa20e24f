// solder inspect MODEL [--json]
import { load } from '../../api/load.js';
import { inspect } from '../../api/inspect.js';
import { typeToString } from '../../ir/types.js';
import { flag, parse } from './args.js';
import type { Command } from './commands.js';
import { formatInspection } from './format.js';

export const inspectCommand: Command = {
  name: 'inspect',
  synopsis: 'inspect MODEL [--json]',
  summary: 'inputs, outputs, op histogram, node and parameter counts',
  async run(argv) {
    const p = parse('inspect', argv, { json: { type: 'boolean' } }, 1);
    const file = p.positionals[0] as string;
    const stats = inspect(load(file));
    if (flag(p, 'json')) {
      const io = (vs: typeof stats.inputs) => vs.map((v) => ({ name: v.name, type: typeToString(v.type) }));
      const json = { ...stats, inputs: io(stats.inputs), outputs: io(stats.outputs) };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(formatInspection(file, stats));
    }
    return true;
  },
};
