// reduceGraph and `solder reduce`: shrink a graph with a broken node to a few nodes that
// still fail, through an in-process check and through a real check command.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load, save } from '../api/load.js';
import { checkGraphs } from '../debugger/check.js';
import { reduceCommand } from '../debugger/cli/reduce.js';
import { reduceGraphWithStats } from '../debugger/reduce.js';
import { GraphBuilder } from '../ir/builder.js';
import { SolderError } from '../ir/errors.js';
import type { Graph } from '../ir/graph.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';
import { verify } from '../ir/verify.js';
import { breakOneFusedNode, captureStdout, inputsPath, modelPath, optimizedFixture } from './debugger-tools-fixtures.js';
import { haveSharedModels, repoRoot, sharedModelsDir } from './models.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-reduce-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A residual chain of 24 nodes; `broken` swaps the op of node 'bad' (Add -> Sub). */
function chain(broken: boolean): Graph {
  const b = new GraphBuilder('chain');
  let h = b.input('x', 'float32', [4, 8]);
  const skip: string[] = [];
  for (let i = 0; i < 8; i++) {
    const w = b.initializer(`w${i}`, makeTensor('float32', [8], Array.from({ length: 8 }, (_, j) => 0.5 + 0.1 * ((i * 8 + j) % 7))));
    const [m] = b.node('Mul', [h, w], {}, { name: `mul${i}`, outputs: [`m${i}`] });
    const op = i === 5 && broken ? 'Sub' : 'Add';
    const [a] = b.node(op, [m!, skip[i - 2] ?? h], {}, { name: i === 5 ? 'bad' : `add${i}`, outputs: [`a${i}`] });
    const [t] = b.node('Tanh', [a!], {}, { name: `tanh${i}`, outputs: [`t${i}`] });
    skip.push(t!);
    h = t!;
  }
  b.output(h);
  return b.build();
}

function randomInputs(): Map<string, Tensor> {
  return new Map([['x', makeTensor('float32', [4, 8], Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.7) * 2))]]);
}

describe('reduceGraph', () => {
  const original = chain(false);
  const inputs = randomInputs();
  const stillFails = (g: Graph) => {
    try {
      return !checkGraphs(original, g, inputs).ok;
    } catch (e) {
      if (e instanceof SolderError) return false;
      throw e;
    }
  };

  it('shrinks a broken chain to the broken node alone', async () => {
    const r = await reduceGraphWithStats(chain(true), stillFails);
    expect(r.suspect).toBe('bad');
    expect(r.graph.nodes.map((n) => n.name)).toEqual(['bad']);
    expect(r.capped).toBe(false);
    expect(stillFails(r.graph)).toBe(true);
    verify(r.graph);
    // Its inputs are values of the original: the piece can be checked against it.
    expect(r.graph.inputs.map((v) => v.name).sort()).toEqual(['m5', 't3']);
  });

  it('stops at the check cap with a piece that still fails', async () => {
    const r = await reduceGraphWithStats(chain(true), stillFails, { maxChecks: 4 });
    expect(r.capped).toBe(true);
    expect(r.checks).toBe(4);
    expect(stillFails(r.graph)).toBe(true);
  });

  it('refuses a graph the check passes on', async () => {
    await expect(reduceGraphWithStats(original, stillFails)).rejects.toThrow(/the check passes on the whole model/);
  });
});

describe.skipIf(!haveSharedModels)(`solder reduce on a broken optimized bert (needs ${sharedModelsDir})`, () => {
  const model = modelPath('bert.eager.onnx');
  const io = inputsPath('bert.eager.onnx');
  const script = path.join(repoRoot, 'test/debugger-check-piece.ts');
  const checkCmd = `node --import tsx ${script} ${model} ${io} {}`;

  it('shrinks to a few nodes holding the broken one, through a check command', async () => {
    const { optimized, original, inputs } = optimizedFixture('bert.eager.onnx');
    const { graph, broken } = breakOneFusedNode(optimized);
    const brokenFile = path.join(dir, 'broken.onnx');
    save(graph, brokenFile);
    const out = path.join(dir, 'reduced.onnx');
    const { ok, out: text } = await captureStdout(() => reduceCommand.run([brokenFile, '--check', checkCmd, '--fail-code', '1', '-o', out]));
    expect(ok).toBe(true);
    expect(text).toMatch(/^reduced \d+ -> \d+ nodes in \d+ checks/);
    const reduced = load(out);
    // A few nodes: the broken one, plus nodes whose outputs only the rewrite created (the
    // transposed key, the mask built from attention_mask), which the check cannot feed from
    // the original run and so cannot be cut away.
    expect(reduced.nodes.length).toBeLessThanOrEqual(4);
    const originalValues = new Set(original.nodes.flatMap((n) => n.outputs));
    for (const n of reduced.nodes) {
      if (n.name !== broken.name) expect(n.outputs.some((o) => originalValues.has(o)), n.name).toBe(false);
    }
    expect(reduced.nodes.map((n) => n.name)).toContain(broken.name);
    // The piece on its own still fails the check, at the broken node.
    const report = checkGraphs(original, reduced, inputs);
    expect(report.firstFailing?.name).toBe(broken.name);
  }, 600_000);

  it('writes nothing when the check passes on the whole model, or times out', async () => {
    const out = path.join(dir, 'never.onnx');
    await expect(reduceCommand.run([model, '--check', 'true', '-o', out])).rejects.toThrow(/the check passes on the whole model.*; the check exited with 0/);
    const started = Date.now();
    await expect(reduceCommand.run([model, '--check', 'sleep 30; false {}', '--timeout', '0.5', '-o', out])).rejects.toThrow(/timed out after 0.5 s/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(fs.existsSync(out)).toBe(false);
    await expect(reduceCommand.run([model, '--check', 'false'])).rejects.toThrow(/-o OUT.onnx is required/);
  });
});
