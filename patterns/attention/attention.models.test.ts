// The attention rules alone on real exports, one per path to solder::Attention: eager with
// repeat_kv (llama, dynamo), sdpa's decomposition with its flattened kᵀ and NaN guard (bert,
// dynamo), and ONNX's Attention from a .pt2 with a padding mask and GQA (llama). Each graph
// gets one Attention per layer, nothing of the old clusters stays live, and the recorded
// outputs still come out. (test/fusion.test.ts runs every fixture with the whole library.)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import { importModel } from '../../ir/import/index.js';
import { readSafetensors } from '../../ir/safetensors.js';
import { verify } from '../../ir/verify.js';
import { applyRules } from '../driver.js';
import { ruleCounts } from '../trace.js';
import { ATTENTION_RULES } from './index.js';
import { liveOps } from './same-function.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const models = path.resolve(repoRoot, '../shared/models');

const CASES = [
  { file: 'llama.eager.dynamo.onnx', io: 'llama.eager', rules: { 'attention/eager': 2, 'attention/gqa-unrepeat-kv': 2, 'attention/padding-causal-mask': 2 } },
  { file: 'bert.sdpa.dynamo.onnx', io: 'bert.sdpa', rules: { 'attention/flattened-key-transpose': 2, 'attention/sdpa-split-scale': 2, 'attention/padding-causal-mask': 2 } },
  { file: 'llama.sdpa.pt2', io: 'llama.sdpa', rules: { 'attention/onnx-attention': 2, 'attention/gqa-unrepeat-kv': 2, 'attention/padding-causal-mask': 2 } },
] as const;

describe.skipIf(!existsSync(models))('attention rules on real exports (needs ../shared/models)', () => {
  it.each(CASES)('$file: one Attention per layer, recorded outputs kept', ({ file, io, rules }) => {
    const source = importModel(path.join(models, file));
    const { graph, trace } = applyRules(source, ATTENTION_RULES);
    expect(Object.fromEntries(ruleCounts(trace))).toEqual(rules);
    const live = liveOps(graph);
    expect(live.filter((op) => op === 'Attention')).toHaveLength(2);
    expect(live.filter((op) => op === 'Softmax' || op === 'IsNaN')).toEqual([]);
    // llama's fused nodes read its 2 kv heads for 4 q heads; bert has 4 of each.
    for (const n of graph.nodes.filter((x) => x.op === 'Attention')) {
      const heads = [n.inputs[0]!, n.inputs[1]!].map((v) => graph.valueInfo.get(v)?.shape?.[1] ?? source.inputs.find((i) => i.name === v)?.type.shape?.[1]);
      expect(heads).toEqual(file.startsWith('llama') ? [4, 2] : [4, 4]);
    }
    verify(graph);
    const recorded = readSafetensors(path.join(models, `${io}.io.safetensors`));
    const feeds = new Map(source.inputs.map((i) => [i.name, recorded.get(`in.${i.name}`)!]));
    const got = interpret(graph, feeds).outputs.get(graph.outputs[0]!.name)!;
    const want = recorded.get('out.0')!;
    expect(got.shape).toEqual(want.shape);
    let maxAbs = 0;
    for (let i = 0; i < got.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got.data[i]! - want.data[i]!));
    // ONNX Runtime itself is within 2e-6 of these outputs (manifest.json).
    expect(maxAbs).toBeLessThan(1e-5);
  });
});
