// The example eager attention rule on a real export: HF LLaMA (eager attention, GQA via
// repeat_kv, causal + padding mask) through torch.onnx dynamo. After rewriting, the graph
// verifies and still reproduces PyTorch's recorded output.
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
import { sdpaEager } from './attention.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const models = path.resolve(repoRoot, '../shared/models');

describe.skipIf(!existsSync(models))('attention/eager-matmul-softmax on llama.eager.dynamo.onnx (needs ../shared/models)', () => {
  it('fuses one Attention per layer and keeps the recorded output', () => {
    const source = importModel(path.join(models, 'llama.eager.dynamo.onnx'));
    const { graph, trace } = applyRules(source, [sdpaEager]);
    expect(ruleCounts(trace).get('attention/eager-matmul-softmax')).toBe(2);
    expect(graph.nodes.filter((n) => n.op === 'Attention')).toHaveLength(2);
    verify(graph);
    const io = readSafetensors(path.join(models, 'llama.eager.io.safetensors'));
    const feeds = new Map(source.inputs.map((i) => [i.name, io.get(`in.${i.name}`)!]));
    const got = interpret(graph, feeds).outputs.get(graph.outputs[0]!.name)!;
    const want = io.get('out.0')!;
    expect(got.shape).toEqual(want.shape);
    let maxAbs = 0;
    for (let i = 0; i < got.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got.data[i]! - want.data[i]!));
    // ONNX Runtime itself is within 2e-6 of these outputs (manifest.json).
    expect(maxAbs).toBeLessThan(1e-5);
  });
});
