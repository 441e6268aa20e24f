// The linear and rotary rules on every real export, with only the rules they build on (the
// activation family, for GELU): every projection becomes a Linear, every GELU/SiLU lands in a
// Linear epilogue, a GatedMLP or a Gelu, llama gets two RotaryEmbeddings per layer, and the
// outputs still match the recording. (test/fusion.test.ts checks the whole library.)
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { compareOutputs, readRecordedIO, run } from '../api/run.js';
import { type Graph, SOLDER_DOMAIN } from '../ir/graph.js';
import { verify } from '../ir/verify.js';
import { optimize } from '../passes/optimize.js';
import { ACTIVATION_RULES } from '../patterns/activation/index.js';
import { ATTENTION_RULES } from '../patterns/attention/index.js';
import { LINEAR_RULES } from '../patterns/linear/index.js';
import { ROTARY_RULES } from '../patterns/rotary/index.js';
import { expectationFor } from './fusion-expectations.js';
import { allModels, haveSharedModels, sharedModelsDir } from './models.js';

const models = allModels().filter((m) => expectationFor(m.file) !== undefined);

/** Activations inside a fused op: Gelu nodes, GatedMLPs, and Linears with a GELU/SiLU epilogue. */
function expectRecordedOutputs(graph: Graph, io: string | undefined): void {
  if (io === undefined) return;
  const recorded = readRecordedIO(io);
  for (const r of compareOutputs(graph, run(graph, recorded.inputs), recorded.outputs, { atol: 1e-4, rtol: 0 })) {
    expect(r.maxAbs, `${r.name} max abs after the linear rules`).toBeLessThanOrEqual(1e-4);
  }
}

function fusedActivations(graph: Graph): number {
  return graph.nodes.filter((n) => n.domain === SOLDER_DOMAIN && (
    n.op === 'Gelu' || n.op === 'GatedMLP' ||
    (n.op === 'Linear' && ['gelu', 'gelu_tanh', 'silu'].includes(String(n.attrs['activation']?.value)))
  )).length;
}

describe.skipIf(!haveSharedModels)(`linear and rotary rules on real exports (needs ${sharedModelsDir})`, () => {
  it.each(models.map((m) => [path.basename(m.file), m] as const))('%s', (_name, m) => {
    const want = expectationFor(m.file)!;
    const { graph, report } = optimize(load(m.file), { builtins: false, rules: [...ACTIVATION_RULES, ...ROTARY_RULES, ...LINEAR_RULES] });
    verify(graph);
    expect(fusedActivations(graph), 'fused GELU/SiLU').toBe(want.activations);
    expect(report.fused.RotaryEmbedding, 'RotaryEmbedding').toBe(want.rotary);
    expect(report.fused.GatedMLP, 'GatedMLP').toBe(want.rotary > 0 ? want.layers : 0);
    // Every projection is a Linear: no MatMul against a weight, no Gemm; no activation left over.
    const weightMatMuls = graph.nodes.filter((n) => n.op === 'MatMul' && n.domain === '' && graph.initializers.has(n.inputs[1]!));
    expect(weightMatMuls.map((n) => n.name), 'MatMul with a weight').toEqual([]);
    for (const op of ['Gemm', 'Sigmoid', 'Tanh', 'Relu', 'Erf', 'Neg']) expect(report.leftover_ops[op] ?? 0, `leftover ${op}`).toBe(0);
    expectRecordedOutputs(graph, m.io);
  });

  // Packing needs a fused Attention; the engine's example eager rule provides one on llama's
  // eager exports (q, k and v reached through head split, rotary and repeat_kv).
  const llamaEager = models.filter((m) => /^llama\.eager\./.test(path.basename(m.file)));
  it.each(llamaEager.map((m) => [path.basename(m.file), m] as const))('%s: q, k and v pack into one Linear per layer after attention fusion', (_name, m) => {
    const { layers } = expectationFor(m.file)!;
    const { graph, report } = optimize(load(m.file), { builtins: false, rules: [...ATTENTION_RULES, ...ACTIVATION_RULES, ...ROTARY_RULES, ...LINEAR_RULES] });
    verify(graph);
    expect(report.fused.Attention).toBe(layers);
    expect(report.rules['linear/pack-qkv']).toBe(layers);
    // Per layer: the packed q/k/v, o_proj and down_proj (gate and up are the GatedMLP).
    expect(report.fused.Linear).toBe(3 * layers);
    expectRecordedOutputs(graph, m.io);
  });
});
