// Every exporter's spelling of HF's masks in ../shared/models, after optimize: each mask
// comes straight from attention_mask (Cast -> Unsqueeze [-> Where] [-> Add T5's bias]), the
// decoders' masks become causal=1 with a bool keep-mask (their finfo.min ones with
// fully_masked_rows='average': fully padded rows average every key there; the bool ones of
// the sdpa archives with 'zero', as ONNX's Attention gives them), vit's
// all-keeping mask is gone. test/fusion.test.ts checks the recorded outputs (right padding
// only); here the decoders also run left padded and with an all-zero attention_mask row,
// whose fully masked rows the optimized graph must compute as the export does.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import { readRecordedIO, run } from '../../api/run.js';
import type { Graph, Node } from '../../ir/graph.js';
import { verify } from '../../ir/verify.js';
import { optimize } from '../../passes/optimize.js';
import { makeTensor } from '../../ir/tensor.js';
import { haveSharedModels, modelsIn, recordingName, sharedModelsDir } from '../../test/models.js';

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
      const rows = attn.attrs.fully_masked_rows;
      if (CAUSAL.has(family)) {
        // Bool masks (sdpa archives) zero fully masked rows as ONNX's Attention does; finfo.min ones average them.
        const boolMask = file.includes('sdpa') && file.endsWith('.pt2');
        expect(attn.attrs.causal?.value, `${attn.name} causal`).toBe(1);
        expect(rows?.kind === 'string' ? rows.value : 'nan', `${attn.name} fully_masked_rows`).toBe(boolMask ? 'zero' : 'average');
        expect(chain?.map((n) => n.op), `${attn.name}: a bool keep-mask`).toEqual(['Unsqueeze', 'Cast']);
      } else {
        expect(attn.attrs.causal?.value, `${attn.name} causal`).toBe(0);
        // bert's sdpa archive: a bool keep-mask under ONNX's Attention, whose fully masked rows are 0.
        const zeroRows = file === 'bert.sdpa.pt2';
        expect(rows?.kind === 'string' ? rows.value : undefined, `${attn.name} fully_masked_rows`).toBe(zeroRows ? 'zero' : undefined);
      }
      expect(chain, `${attn.name}: mask from attention_mask`).toBeDefined();
      const ops = chain!.map((n) => n.op);
      expect(ops.slice(-2)).toEqual(['Unsqueeze', 'Cast']);
      expect(ops.every((op) => MASK_OPS.has(op)), ops.join(' <- ')).toBe(true);
      const keep = chain![chain!.length - 2]!;
      expect(graph.initializers.has(keep.inputs[1]!) || producers.get(keep.inputs[1]!)?.op === 'Constant').toBe(true);
      expect(graph.valueInfo.get(keep.outputs[0]!)?.shape?.slice(1, 3)).toEqual([1, 1]);
    }
    // The old cluster is dead: no row guard after ONNX's Attention (.pt2 sdpa) reads it any more.
    for (const op of ['ReduceMax', 'GatherND', 'LessOrEqual', 'GreaterOrEqual']) expect(graph.nodes.filter((n) => n.op === op).map((n) => n.name), `leftover ${op}`).toEqual([]);
  });
});

describe.skipIf(!haveSharedModels)('decoders left padded and with an all-zero mask row: optimized = as exported (needs ../shared/models)', () => {
  it.each(models.filter((f) => CAUSAL.has(f.split('.')[0]!)))('%s', (file) => {
    const source = load(path.join(sharedModelsDir, file));
    const { graph } = optimize(source);
    const { inputs } = readRecordedIO(path.join(sharedModelsDir, `${recordingName(file)}.io.safetensors`));
    const [batch, seq] = inputs.get('attention_mask')!.shape as [number, number];
    // Row 0: 5 pad tokens on the left (queries 0-4 see only padding); row 1: no token at all.
    const rows = Array.from({ length: batch * seq }, (_, i) => (i < seq && i >= 5 ? 1 : 0));
    const feeds = new Map([...inputs, ['attention_mask', makeTensor('int64', [batch, seq], rows)]]);
    const want = run(source, feeds).get(source.outputs[0]!.name)!;
    const got = run(graph, feeds).get(graph.outputs[0]!.name)!;
    expect(got.shape).toEqual(want.shape);
    let maxAbs = 0;
    for (let i = 0; i < want.data.length; i++) {
      const [a, b] = [got.data[i]!, want.data[i]!];
      expect(Number.isNaN(a), `NaN at ${i}`).toBe(Number.isNaN(b));
      if (!Number.isNaN(b)) maxAbs = Math.max(maxAbs, Math.abs(a - b));
    }
    expect(maxAbs).toBeLessThanOrEqual(1e-4);
  });
});
