// A check command for `solder reduce` tests: exits 1 when CANDIDATE (a piece of an optimized
// model, whose inputs are values of ORIGINAL) fails `checkGraphs` against ORIGINAL on the
// recorded inputs, 0 when it passes, 2 on any error (a candidate that does not load).
// Usage: node --import tsx test/debugger-check-piece.ts ORIGINAL INPUTS.safetensors CANDIDATE
import { load } from '../api/load.js';
import { readRecordedIO } from '../api/run.js';
import { checkGraphs } from '../debugger/check.js';

const [original, inputs, candidate] = process.argv.slice(2);
try {
  if (original === undefined || inputs === undefined || candidate === undefined) throw new Error('usage: ORIGINAL INPUTS CANDIDATE');
  const report = checkGraphs(load(original), load(candidate), readRecordedIO(inputs).inputs);
  process.stdout.write(report.ok ? 'ok\n' : `fails at ${report.firstFailing?.name}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
