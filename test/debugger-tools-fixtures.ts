// Fixtures for the debugger tool suites (diff, check, reduce, trace, explain): real models
// optimized by the rule library, and an optimized graph with one fused node broken on purpose.
import * as path from 'node:path';
import { vi } from 'vitest';
import { load } from '../api/load.js';
import { readRecordedIO } from '../api/run.js';
import { floatAttr } from '../ir/attrs.js';
import { type Graph, type Node, SOLDER_DOMAIN, initializerFromTensor } from '../ir/graph.js';
import { type Tensor, makeTensor, tensorFromBytes } from '../ir/tensor.js';
import { optimize } from '../passes/optimize.js';
import { recordingName, sharedModelsDir } from './models.js';

export function modelPath(file: string): string {
  return path.join(sharedModelsDir, file);
}

export function inputsPath(file: string): string {
  return path.join(sharedModelsDir, `${recordingName(file)}.io.safetensors`);
}

export interface OptimizedFixture {
  readonly original: Graph;
  readonly optimized: Graph;
  readonly inputs: ReadonlyMap<string, Tensor>;
}

const cache = new Map<string, OptimizedFixture>();

/** A shared model, loaded and optimized with the built-in rules; fails loudly when nothing fused. */
export function optimizedFixture(file: string): OptimizedFixture {
  const hit = cache.get(file);
  if (hit !== undefined) return hit;
  const original = load(modelPath(file));
  const optimized = optimize(original).graph;
  if (!optimized.nodes.some((n) => n.domain === SOLDER_DOMAIN)) throw new Error(`optimize fused nothing in ${file}: the debugger tests need fused nodes`);
  const fixture = { original, optimized, inputs: readRecordedIO(inputsPath(file)).inputs };
  cache.set(file, fixture);
  return fixture;
}

/**
 * The optimized graph with one fused node computing the wrong thing: an Attention with twice
 * its scale, else a LayerNorm-family node with epsilon 1, else a Linear with its weight doubled.
 */
export function breakOneFusedNode(optimized: Graph): { graph: Graph; broken: Node } {
  const fused = optimized.nodes.filter((n) => n.domain === SOLDER_DOMAIN);
  const attention = fused.find((n) => n.op === 'Attention');
  const norm = fused.find((n) => /LayerNorm|RMSNorm/.test(n.op));
  const linear = fused.find((n) => n.op === 'Linear' && optimized.initializers.has(n.inputs[1] ?? ''));
  const replace = (target: Node, by: Node): Graph => ({ ...optimized, nodes: optimized.nodes.map((n) => (n === target ? by : n)) });
  if (attention !== undefined) {
    const scale = attention.attrs['scale'];
    if (scale?.kind !== 'float') throw new Error('Attention without a float scale');
    const broken = { ...attention, attrs: { ...attention.attrs, scale: floatAttr(scale.value * 2) } };
    return { graph: replace(attention, broken), broken };
  }
  if (norm !== undefined) {
    const broken = { ...norm, attrs: { ...norm.attrs, epsilon: floatAttr(1) } };
    return { graph: replace(norm, broken), broken };
  }
  if (linear !== undefined) {
    const name = linear.inputs[1] as string;
    const init = optimized.initializers.get(name)!;
    const w = tensorFromBytes(init.dtype, init.shape, init.bytes.read());
    const doubled = makeTensor(w.dtype, w.shape, Array.from(w.data, (x) => 2 * x));
    const initializers = new Map(optimized.initializers).set(name, initializerFromTensor(name, doubled));
    return { graph: { ...optimized, initializers }, broken: linear };
  }
  throw new Error('no fused node to break');
}

/** Runs a command object's `run`, capturing what it writes to stdout. */
export async function captureStdout(run: () => Promise<boolean>): Promise<{ ok: boolean; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    const ok = await run();
    return { ok, out };
  } finally {
    spy.mockRestore();
  }
}
