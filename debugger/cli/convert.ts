// solder convert MODEL -o OUT.onnx
import { load, save } from '../../api/load.js';
import { parse, stringOption, UsageError } from './args.js';
import type { Command } from './commands.js';

export const convertCommand: Command = {
  name: 'convert',
  synopsis: 'convert MODEL -o OUT.onnx',
  summary: 'write any supported model (.onnx, .pt2) as ONNX',
  async run(argv) {
    const p = parse('convert', argv, { output: { type: 'string', short: 'o' } }, 1);
    const out = stringOption(p, 'output');
    if (out === undefined) throw new UsageError('convert: -o OUT.onnx is required');
    if (!out.endsWith('.onnx')) throw new UsageError(`convert: the output must end in .onnx, got '${out}'`);
    save(load(p.positionals[0] as string), out);
    return true;
  },
};
