// Every real export fuses completely: one Attention per layer, every norm, every GELU/SiLU,
// llama's rotary embeddings; and the optimized graph still computes the recorded outputs.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { compareOutputs, readRecordedIO, run } from '../api/run.js';
import { SOLDER_DOMAIN, type Graph, type Node } from '../ir/graph.js';
import { verify } from '../ir/verify.js';
import { optimize } from '../passes/optimize.js';
import { type MaskExpectation, expectationFor, fullyMaskedRowsFor } from './fusion-expectations.js';
import { allModels, warnIfNoSharedModels } from './models.js';

warnIfNoSharedModels('fusion');
const models = allModels().filter((m) => expectationFor(m.file) !== undefined);

const FUSED_ACTIVATIONS = new Set(['gelu', 'gelu_tanh', 'silu']);

function fusedActivations(graph: Graph): number {
  let n = 0;
  for (const node of graph.nodes) {
    if (node.domain !== SOLDER_DOMAIN) continue;
    if (node.op === 'Gelu' || node.op === 'GatedMLP') n++;
    const act = node.attrs.activation;
    if (node.op === 'Linear' && act?.kind === 'string' && FUSED_ACTIVATIONS.has(act.value)) n++;
  }
  return n;
}

/** Ops a recognised mask may take between attention_mask and the Attention (T5 adds its bias). */
const MASK_OPS = new Set(['Cast', 'Unsqueeze', 'Where', 'Add']);

/** The nodes from a value back to attention_mask through recognised-mask ops, nearest first. */
function maskPath(producers: ReadonlyMap<string, Node>, value: string, depth = 4): Node[] | undefined {
  if (value === 'attention_mask') return [];
  const n = producers.get(value);
  if (n === undefined || depth === 0 || !MASK_OPS.has(n.op)) return undefined;
  for (const input of n.inputs) {
    const rest = maskPath(producers, input, depth - 1);
    if (rest !== undefined) return [n, ...rest];
  }
  return undefined;
}

/** Every Attention's mask is the recognised form, not a generic [batch, 1, q, kv] cluster. */
function expectMasksRecognised(graph: Graph, want: MaskExpectation): void {
  const producers = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (const attn of graph.nodes.filter((n) => n.domain === SOLDER_DOMAIN && n.op === 'Attention')) {
    expect(attn.attrs.causal?.value ?? 0, `${attn.name} causal`).toBe(want === 'causal+padding' ? 1 : 0);
    const mask = attn.inputs[3] ?? '';
    if (want === 'none') {
      expect(mask, `${attn.name} mask`).toBe('');
      continue;
    }
    const path = maskPath(producers, mask);
    expect(path?.map((n) => n.op).join(' <- '), `${attn.name} mask from attention_mask`).toMatch(/Unsqueeze <- Cast$/);
    const keep = path![path!.length - 2]!;
    expect(graph.valueInfo.get(keep.outputs[0]!)?.shape?.slice(1, 3), `${attn.name} keep-mask [batch, 1, 1, kv]`).toEqual([1, 1]);
  }
}

describe('fusion of real exports', () => {
  it.each(models.map((m) => [path.basename(m.file), m] as const))('%s', (_name, m) => {
    const want = expectationFor(m.file)!;
    const { graph, report } = optimize(load(m.file));
    verify(graph);
    expect(report.fused.Attention, 'Attention').toBe(want.layers);
    expect(report.fused.LayerNorm + report.fused.SkipLayerNorm, 'LayerNorm + SkipLayerNorm').toBe(want.layerNorms);
    expect(report.fused.RMSNorm + report.fused.SkipRMSNorm, 'RMSNorm + SkipRMSNorm').toBe(want.rmsNorms);
    expect(fusedActivations(graph), 'fused GELU/SiLU').toBe(want.activations);
    expect(report.fused.RotaryEmbedding, 'RotaryEmbedding').toBe(want.rotary);
    expectMasksRecognised(graph, want.mask);
    const rows = graph.nodes.filter((n) => n.op === 'Attention').map((n) => n.attrs.fully_masked_rows?.value ?? 'nan');
    expect(rows, 'fully_masked_rows').toEqual(new Array<string>(want.layers).fill(fullyMaskedRowsFor(m.file)!));
    // Nothing of what was fused may be left behind: no row guard after an Attention (ReduceMax,
    // IsInf, Where) and none of the mask building it alone kept alive (And, GatherND).
    for (const op of ['Softmax', 'LayerNormalization', 'ReduceMean', 'Erf', 'Gelu', 'Sigmoid', 'Attention', 'RMSNormalization', 'ReduceMax', 'IsInf', 'And', 'GatherND']) {
      expect(report.leftover_ops[op] ?? 0, `leftover ${op}`).toBe(0);
    }
    if (m.io !== undefined) {
      const io = readRecordedIO(m.io);
      for (const r of compareOutputs(graph, run(graph, io.inputs), io.outputs, { atol: 1e-4, rtol: 0 })) {
        expect(r.maxAbs, `${r.name} max abs after optimize`).toBeLessThanOrEqual(1e-4);
      }
    }
  });
});
