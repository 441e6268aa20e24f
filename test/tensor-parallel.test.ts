// Tensor-parallel sharding of the real exports: for 2 and 4 ranks, the rank graphs run
// together (simulated all-reduce) give every rank the unsharded optimized graph's outputs
// and the recorded PyTorch outputs, within 1e-4.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { readRecordedIO, run } from '../api/run.js';
import { type Graph, type Node, initializerFromTensor } from '../ir/graph.js';
import { type Tensor, tensorFromBytes } from '../ir/tensor.js';
import { verify } from '../ir/verify.js';
import { optimize } from '../passes/optimize.js';
import { TP_ROLE_KEY, shardGraph } from '../passes/shard/shard.js';
import { runTensorParallel } from '../passes/shard/simulate.js';
import { examplesDir, haveSharedModels, recordingName, sharedModelsDir } from './models.js';

const SHARED = ['llama.eager.onnx', 'bert.eager.onnx', 'gpt2.eager.dynamo.onnx', 't5enc.eager.onnx', 'vit.eager.onnx', 'llama.eager.pt2', 'bert.eager.pt2'];
const fixtures = [
  ...(haveSharedModels ? SHARED.map((f) => path.join(sharedModelsDir, f)) : []),
  path.join(examplesDir, 'bert.sdpa.dynamo.onnx'),
].filter((f) => fs.existsSync(f));

const optimized = new Map<string, Graph>();
function optimizedGraph(file: string): Graph {
  let g = optimized.get(file);
  if (g === undefined) optimized.set(file, (g = optimize(load(file)).graph));
  return g;
}

function recordingFor(file: string) {
  return readRecordedIO(path.join(path.dirname(file), `${recordingName(file)}.io.safetensors`));
}

function maxAbs(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  return m;
}

/** The worst difference of any rank's output from the unsharded graph's and from the recording. */
function errors(graph: Graph, ranks: readonly Graph[], file: string): { vsGraph: number; vsRecorded: number } {
  const io = recordingFor(file);
  const want = run(graph, io.inputs);
  let [vsGraph, vsRecorded] = [0, 0];
  for (const outputs of runTensorParallel(ranks, io.inputs)) {
    graph.outputs.forEach((o, i) => {
      const got = outputs.get(o.name) as Tensor;
      vsGraph = Math.max(vsGraph, maxAbs(got, want.get(o.name) as Tensor));
      vsRecorded = Math.max(vsRecorded, maxAbs(got, io.outputs[i] as Tensor));
    });
  }
  return { vsGraph, vsRecorded };
}

function weight(graph: Graph, node: Node, input = 1): Tensor {
  const init = graph.initializers.get(node.inputs[input] as string);
  if (init === undefined) throw new Error(`input ${input} of '${node.name}' is not an initializer`);
  return tensorFromBytes(init.dtype, init.shape, init.bytes.read());
}

const bytes = (g: Graph) => [...g.initializers.values()].reduce((n, i) => n + i.bytes.byteLength, 0);

if (!haveSharedModels) console.warn(`tensor-parallel: ${sharedModelsDir} is absent; running on examples/ only`);

describe('tensor-parallel sharding of real exports', () => {
  const cases = fixtures.flatMap((file) => [2, 4].map((n) => [path.basename(file), n, file] as const));
  it.each(cases)('%s over %i ranks', (_name, ranks, file) => {
    const graph = optimizedGraph(file);
    const shards = shardGraph(graph, { ranks });
    expect(shards).toHaveLength(ranks);
    const layers = graph.nodes.filter((n) => n.op === 'Attention').length;
    expect(layers).toBeGreaterThan(0);
    for (const g of shards) {
      verify(g);
      // One all-reduce after the attention output and one after the MLP down projection, per layer.
      expect(g.nodes.filter((n) => n.op === 'AllReduce')).toHaveLength(2 * layers);
      expect(g.nodes.filter((n) => n.metadata?.[TP_ROLE_KEY] === 'row')).toHaveLength(2 * layers);
      // Each rank holds slices, not the full weights.
      expect(bytes(g)).toBeLessThan(bytes(graph));
    }
    const { vsGraph, vsRecorded } = errors(graph, shards, file);
    expect(vsGraph, 'max abs vs unsharded optimized graph').toBeLessThanOrEqual(1e-4);
    expect(vsRecorded, 'max abs vs recorded outputs').toBeLessThanOrEqual(1e-4);
  });
});

describe.skipIf(!haveSharedModels)('llama grouped-query heads (4 q heads, 2 kv heads)', () => {
  const file = path.join(sharedModelsDir, 'llama.eager.onnx');
  const headSize = 16;
  const hidden = 64;

  /** The k columns of each rank's packed QKV weight, as indices of the kv head they copy. */
  function kvHeadsHeld(ranks: number): number[][] {
    const graph = optimizedGraph(file);
    const packed = graph.nodes.find((n) => n.op === 'Linear' && n.outputs.some((o) => graph.nodes.some((m) => m.op === 'Split' && m.inputs[0] === o))) as Node;
    const full = weight(graph, packed);
    const width = full.shape[1] as number;
    return shardGraph(graph, { ranks }).map((g) => {
      const local = weight(g, g.nodes.find((n) => n.name === packed.name) as Node);
      const localWidth = local.shape[1] as number;
      const qLocal = 4 / ranks;
      const kLocal = (localWidth / headSize - qLocal) / 2;
      return Array.from({ length: kLocal }, (_, j) => {
        const column = qLocal * headSize + j * headSize;
        const match = [0, 1].find((h) => {
          for (let row = 0; row < hidden; row++) {
            for (let c = 0; c < headSize; c++) if (local.data[row * localWidth + column + c] !== full.data[row * width + hidden + h * headSize + c]) return false;
          }
          return true;
        });
        return match ?? -1;
      });
    });
  }

  it('splits the kv heads over 2 ranks', () => {
    expect(kvHeadsHeld(2)).toEqual([[0], [1]]);
  });

  it('replicates them over 4 ranks, each rank keeping the kv head its q head reads', () => {
    expect(kvHeadsHeld(4)).toEqual([[0], [0], [1], [1]]);
  });

  it('a wrong slice is caught: row-parallel weights of one layer swapped between ranks', () => {
    const graph = optimizedGraph(file);
    const [a, b] = shardGraph(graph, { ranks: 2 }) as [Graph, Graph];
    const row = a.nodes.find((n) => n.metadata?.[TP_ROLE_KEY] === 'row') as Node;
    const [wa, wb] = [a, b].map((g) => g.nodes.find((n) => n.name === row.name)?.inputs[1] as string) as [string, string];
    const swap = (g: Graph, name: string, from: Graph, fromName: string): Graph => {
      const init = from.initializers.get(fromName)!;
      const t = tensorFromBytes(init.dtype, init.shape, init.bytes.read());
      return { ...g, initializers: new Map(g.initializers).set(name, initializerFromTensor(name, t)) };
    };
    const { vsGraph, vsRecorded } = errors(graph, [swap(a, wa, b, wb), swap(b, wb, a, wa)], file);
    expect(vsGraph).toBeGreaterThan(1e-3);
    expect(vsRecorded).toBeGreaterThan(1e-3);
  });
});
