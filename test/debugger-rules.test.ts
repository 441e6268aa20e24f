// `solder trace` and `solder explain` (explainInModel): every rule application in order, and
// why a rule did not fire on a model mutated so that one of its checks fails.
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { explainCommand } from '../debugger/cli/explain.js';
import { traceCommand } from '../debugger/cli/trace.js';
import { explainInModel } from '../debugger/explain.js';
import { type Graph, initializerFromTensor } from '../ir/graph.js';
import { makeTensor, tensorFromBytes } from '../ir/tensor.js';
import { optimize } from '../passes/optimize.js';
import { canonicalize } from '../passes/pipeline.js';
import { captureStdout, modelPath } from './debugger-tools-fixtures.js';
import { haveSharedModels, sharedModelsDir } from './models.js';

describe.skipIf(!haveSharedModels)(`solder trace (needs ${sharedModelsDir})`, () => {
  it('lists every rule application of optimize, in order, naming nodes of the optimized graph', async () => {
    const file = modelPath('bert.eager.onnx');
    const { ok, out } = await captureStdout(() => traceCommand.run([file, '--json']));
    expect(ok).toBe(true);
    const trace = JSON.parse(out);
    const expected = optimize(load(file)).trace;
    expect(trace.applications.length).toBeGreaterThan(0);
    expect(trace.applications.map((a: { rule: string; anchor: string }) => `${a.rule}@${a.anchor}`))
      .toEqual(expected.applications.map((a) => `${a.rule}@${a.anchor}`));
    const human = await captureStdout(() => traceCommand.run([file]));
    const first = expected.applications[0]!;
    expect(human.out).toContain(`${first.rule} @ ${first.anchor}: -${first.removed.length} +${first.added.length}`);
    expect(human.out.trim().split('\n')).toHaveLength(expected.applications.length + 2);
  });
});

describe.skipIf(!haveSharedModels)(`solder explain (needs ${sharedModelsDir})`, () => {
  it('names the failing check and node when the attention scale is no longer one value', () => {
    const graph = canonicalize(load(modelPath('bert.eager.onnx')));
    const applied = optimize(graph).trace.applications.find((a) => a.rule.startsWith('attention/'));
    expect(applied, 'an attention rule fires on bert.eager.onnx').toBeDefined();
    const { mutated, scaleNode } = scaleAsVector(graph, applied!.removed);
    const report = explainInModel(mutated, applied!.rule, { node: applied!.anchor });
    expect(report.explanations).toHaveLength(1);
    const x = report.explanations[0]!;
    expect(x.outcome).toBe('check-failed');
    expect(x.node).toBe(scaleNode);
    expect(x.check).toMatch(/scale/);
    expect(x.message).toContain(`'${scaleNode}'`);
    // Unmutated, the same rule matches at the same node.
    const before = explainInModel(graph, applied!.rule, { node: applied!.anchor });
    expect(before.explanations[0]!.outcome).toBe('matched');
  });

  it('prints one line per candidate, and rejects unknown rules and nodes naming close matches', async () => {
    const file = modelPath('bert.eager.onnx');
    const rule = optimize(load(file)).trace.applications[0]!.rule;
    const { ok, out } = await captureStdout(() => explainCommand.run([file, '--rule', rule]));
    expect(ok).toBe(true);
    expect(out).toMatch(new RegExp(`^ {2}(matched|no-match|check-failed|declined) +${rule.replace(/[/]/g, '\\/')} at '`, 'm'));
    const typo = rule.slice(0, -1);
    await expect(explainCommand.run([file, '--rule', typo])).rejects.toThrow(new RegExp(`no rule named '${typo}' \\(close: '${rule}'`));
    await expect(explainCommand.run([file, '--rule', rule, '--canonical', '--node', 'node_matmul_12'])).rejects.toThrow(/no node named 'node_matmul_12' .*close: 'node_matmul_1'/);
    // After the other rules, an attention MatMul is inside a fused node: the error says which.
    const attention = optimize(load(file)).trace.applications.find((a) => a.rule.startsWith('attention/'))!;
    if (attention.rule !== rule) {
      await expect(explainCommand.run([file, '--rule', rule, '--node', attention.anchor])).rejects.toThrow(new RegExp(`node '${attention.anchor}' was fused into '${attention.anchor}/`));
    }
    await expect(explainCommand.run([file])).rejects.toThrow(/--rule NAME is required/);
  });
});

/** The graph with the scalar constant of a Mul/Div among `cluster` widened to 16 equal values (same numbers, no longer a scalar). */
function scaleAsVector(graph: Graph, cluster: readonly string[]): { mutated: Graph; scaleNode: string } {
  for (const name of cluster) {
    const node = graph.nodes.find((n) => n.name === name);
    if (node === undefined || (node.op !== 'Mul' && node.op !== 'Div')) continue;
    const constant = node.inputs.find((v) => graph.initializers.get(v)?.shape.reduce((a, b) => a * b, 1) === 1);
    if (constant === undefined) continue;
    const init = graph.initializers.get(constant)!;
    const value = tensorFromBytes(init.dtype, init.shape, init.bytes.read()).data[0]!;
    const vector = makeTensor(init.dtype, [16], new Array(16).fill(value));
    const initializers = new Map(graph.initializers).set(constant, initializerFromTensor(constant, vector));
    return { mutated: { ...graph, initializers }, scaleNode: node.name };
  }
  throw new Error('no scalar-scaled Mul/Div in the attention cluster');
}
