// Every exporter's spelling of HF's masks in ../shared/models, after optimize: each padding
// mask comes straight from attention_mask (Cast -> Unsqueeze [-> Where] [-> Add T5's bias]),
// the decoders' bool masks (sdpa .pt2) become causal=1, their finfo.min causal masks stay as
// written (fully padded rows average every key there), vit's all-keeping mask is gone.
// test/fusion.test.ts checks the recorded outputs.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import type { Graph, Node } from '../../ir/graph.js';
import { verify } from '../../ir/verify.js';
import { optimize } from '../../passes/optimize.js';
import { haveSharedModels, modelsIn, sharedModelsDir } from '../../test/models.js';

const models = modelsIn(sharedModelsDir).map((m) => path.basename(m.file)).filter((f) => !f.includes('_deep'));
const CAUSAL = new Set(['gpt2', 'llama']);
const MASK_OPS = new Set(['Cast', 'Unsqueeze', 'Where', 'Add']);

/** The ops on the way from a value back to attention_mask (through at most 4 nodes), nearest first. */
function pathToInput(producers: ReadonlyMap<string, Node>, value: string, depth = 4): Node[] | undefined {
  if (value === 'attention_mask') return [];
  const n = producers.get(value);
  if (n === undefined || depth === 0) return undefined;
  for (const input of n.inputs) {
    const rest = pathToInput(producers, input, depth - 1);
    if (rest !== undefined) return [n, ...rest];
  }
  return undefined;
}

function attentions(graph: Graph): Node[] {
  return graph.nodes.filter((n) => n.op === 'Attention');
}

describe.skipIf(!haveSharedModels)('padding and causal masks of real exports (needs ../shared/models)', () => {
  it.each(models)('%s', (file) => {
    const family = file.split('.')[0]!;
    const { graph } = optimize(load(path.join(sharedModelsDir, file)));
    verify(graph);
    const producers = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    expect(attentions(graph).length).toBeGreaterThan(0);
    for (const attn of attentions(graph)) {
      const mask = attn.inputs[3];
      if (family === 'vit') {
        // ViT's mask keeps every key: Where(true, 0, finfo.min) adds nothing.
        expect(mask ?? '').toBe('');
        continue;
      }
      const chain = pathToInput(producers, mask!);
      if (CAUSAL.has(family)) {
        // Bool masks (sdpa archives) become causal=1 and a padding keep-mask; finfo.min ones stay.
        const boolMask = file.includes('sdpa') && file.endsWith('.pt2');
        expect(attn.attrs.causal?.value, `${attn.name} causal`).toBe(boolMask ? 1 : 0);
        if (!boolMask) continue;
      } else {
        expect(attn.attrs.causal?.value, `${attn.name} causal`).toBe(0);
      }
      expect(chain, `${attn.name}: mask from attention_mask`).toBeDefined();
      const ops = chain!.map((n) => n.op);
      expect(ops.slice(-2)).toEqual(['Unsqueeze', 'Cast']);
      expect(ops.every((op) => MASK_OPS.has(op)), ops.join(' <- ')).toBe(true);
      const keep = chain![chain!.length - 2]!;
      expect(graph.initializers.has(keep.inputs[1]!) || producers.get(keep.inputs[1]!)?.op === 'Constant').toBe(true);
      expect(graph.valueInfo.get(keep.outputs[0]!)?.shape?.slice(1, 3)).toEqual([1, 1]);
    }
    if (CAUSAL.has(family) && !(file.includes('sdpa') && file.endsWith('.pt2'))) return;
    // The old cluster is dead, unless the row guard of ONNX's Attention (.pt2 sdpa) still reads it.
    if (!graph.nodes.some((n) => n.op === 'ReduceMax')) {
      for (const op of ['GatherND', 'LessOrEqual', 'GreaterOrEqual']) expect(graph.nodes.filter((n) => n.op === op).map((n) => n.name), `leftover ${op}`).toEqual([]);
    }
  });
});
