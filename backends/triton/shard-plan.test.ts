// Tensor-parallel plans of real exports: every rank's plan is sound, an all_reduce follows each
// row-parallel GEMM on its output buffer, and each rank's weights are slices of the one-GPU
// plan's weights (row blocks that stack back to the whole; columns that cover it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { GraphBuilder } from '../../ir/builder.js';
import { encodeSafetensors, readSafetensors } from '../../ir/safetensors.js';
import type { Tensor } from '../../ir/tensor.js';
import { optimize } from '../../passes/optimize.js';
import { TP_ROLE_KEY, shardGraph } from '../../passes/shard/shard.js';
import { seededTensor } from '../../passes/shard/test-graphs.js';
import { examplesDir, haveSharedModels, sharedModelsDir } from '../../test/models.js';
import { planProblems } from './plan-checks.js';
import { type EmittedPlan, type Json, emitPlan } from './plan.js';
import { emitTensorParallelPlans, rankDirName, writeTensorParallelPlanDir } from './shard-plan.js';
import { writeSafetensorsFile } from './weights-file.js';

type Obj = { [key: string]: Json };

const OPTIONS = { dtype: 'float32', maxBatch: 2, maxSeq: 32 } as const;
const bert = path.join(examplesDir, 'bert.sdpa.dynamo.onnx');
const llama = path.join(sharedModelsDir, 'llama.eager.onnx');

const graphs = new Map<string, Graph>();
function optimized(file: string): Graph {
  if (!graphs.has(file)) graphs.set(file, optimize(load(file)).graph);
  return graphs.get(file)!;
}

const launchesOf = (p: EmittedPlan) => p.plan.launches as Obj[];
const argOf = (l: Obj, name: string) => (l.args as Obj)[name] as Obj | undefined;

function weightOf(p: EmittedPlan, l: Obj): Tensor {
  const t = p.weights.get(argOf(l, 'weight')!.weight as string);
  if (t === undefined) throw new Error(`launch ${String(l.name)} has no weight tensor`);
  return t;
}

function column(t: Tensor, c: number): string {
  const [k, n] = t.shape as [number, number];
  return Array.from({ length: k }, (_, row) => t.data[row * n + c]).join(',');
}

/** For each column of `part`, the index of the equal column of `whole` (-1 when none). */
function matchColumns(part: Tensor, whole: Tensor): number[] {
  const index = new Map<string, number>();
  for (let c = 0; c < whole.shape[1]!; c++) index.set(column(whole, c), c);
  return Array.from({ length: part.shape[1]! }, (_, c) => index.get(column(part, c)) ?? -1);
}

function stackRows(parts: readonly Tensor[]): number[] {
  return parts.flatMap((t) => Array.from(t.data));
}

function checkRanks(file: string, ranks: number): void {
  const graph = optimized(file);
  const whole = emitPlan(graph, OPTIONS);
  const plans = emitTensorParallelPlans(graph, { ...OPTIONS, worldSize: ranks });
  const rankGraphs = shardGraph(graph, { ranks });
  const layers = graph.nodes.filter((n) => n.op === 'Attention').length;
  expect(plans).toHaveLength(ranks);

  plans.forEach((p, rank) => {
    expect(planProblems(p.plan as Obj)).toEqual([]);
    expect(p.plan.tensor_parallel).toEqual({ world_size: ranks, rank });
    const launches = launchesOf(p);
    const reduces = launches.filter((l) => l.kernel === 'all_reduce');
    expect(reduces).toHaveLength(2 * layers);
    for (const l of reduces) expect(l.attrs).toEqual({ op: 'sum', world_size: ranks });
    // Each row-parallel Linear's GEMM is followed at once by the all-reduce of its output buffer.
    const rows = rankGraphs[rank]!.nodes.filter((n) => n.metadata?.[TP_ROLE_KEY] === 'row');
    expect(rows).toHaveLength(2 * layers);
    for (const node of rows) {
      const at = launches.findIndex((l) => l.name === node.name);
      const [gemm, next] = [launches[at]!, launches[at + 1]!];
      expect(gemm.kernel, node.name).toBe('gemm');
      expect(next.kernel, node.name).toBe('all_reduce');
      expect(argOf(next, 'tensor')).toEqual(argOf(gemm, 'out'));
      expect(argOf(gemm, 'out')!.buffer, 'the partial sum lives in the arena').toBeDefined();
      // Bias and residual are added once, by rank 0.
      const original = launchesOf(whole).find((l) => l.name === node.name)!;
      for (const extra of ['bias', 'residual']) expect(argOf(gemm, extra) !== undefined).toBe(rank === 0 && argOf(original, extra) !== undefined);
    }
  });

  const roles = new Map(rankGraphs[0]!.nodes.map((n) => [n.name, n.metadata?.[TP_ROLE_KEY]]));
  const sharded = launchesOf(whole).filter((l) => (l.kernel === 'gemm' || l.kernel === 'gated_mlp') && roles.get(l.name as string) !== undefined);
  expect(sharded.filter((l) => roles.get(l.name as string) === 'row')).toHaveLength(2 * layers);
  for (const original of sharded) {
    const full = weightOf(whole, original);
    const parts = plans.map((p) => weightOf(p, launchesOf(p).find((l) => l.name === original.name)!));
    if (roles.get(original.name as string) === 'row') {
      // Row-parallel: rank r holds the r-th block of input rows.
      expect(parts.every((t) => t.shape[1] === full.shape[1])).toBe(true);
      expect(stackRows(parts), String(original.name)).toEqual(Array.from(full.data));
      continue;
    }
    // Column-parallel: every column is one of the full weight's, and together they cover it.
    const matched = parts.map((t) => matchColumns(t, full));
    for (const m of matched) {
      expect(m, String(original.name)).not.toContain(-1);
      expect(new Set(m).size).toBe(m.length);
    }
    const all = matched.flat();
    expect(new Set(all).size, String(original.name)).toBe(full.shape[1]);
    if (parts.every((t) => t.shape[1]! * ranks === full.shape[1])) expect(all).toHaveLength(full.shape[1]!);
  }
}

describe('tensor-parallel plans', () => {
  it('bert (examples) over 2 ranks', () => checkRanks(bert, 2));

  it.skipIf(!haveSharedModels)('llama (grouped-query heads) over 2 ranks: kv heads split', () => checkRanks(llama, 2));

  it.skipIf(!haveSharedModels)('llama over 4 ranks: kv heads replicated, so QKV columns repeat across ranks', () => {
    checkRanks(llama, 4);
    const plans = emitTensorParallelPlans(optimized(llama), { ...OPTIONS, worldSize: 4 });
    const whole = emitPlan(optimized(llama), OPTIONS);
    const qkv = launchesOf(whole).find((l) => l.kernel === 'gemm' && roles(optimized(llama), l.name as string) === 'column')!;
    const widths = plans.map((p) => weightOf(p, launchesOf(p).find((l) => l.name === qkv.name)!).shape[1]!);
    expect(widths.reduce((a, b) => a + b, 0)).toBeGreaterThan(weightOf(whole, qkv).shape[1]!);
  });

  it('one rank is the ordinary plan', () => {
    const [only] = emitTensorParallelPlans(optimized(bert), { ...OPTIONS, worldSize: 1 });
    expect(only!.plan).toEqual(emitPlan(optimized(bert), OPTIONS).plan);
    expect(only!.plan.tensor_parallel).toBeUndefined();
  });

  it('a rank count that does not divide the heads, or is not a positive integer, is a one-line SolderError', () => {
    const oneLine = (fn: () => unknown, pattern: RegExp) => {
      let error: unknown;
      try { fn(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(SolderError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).not.toContain('\n');
    };
    oneLine(() => emitTensorParallelPlans(optimized(bert), { ...OPTIONS, worldSize: 3 }), /\(Attention\): cannot split \d+ attention heads over 3 ranks/);
    oneLine(() => emitTensorParallelPlans(optimized(bert), { ...OPTIONS, worldSize: 0 }), /--tensor-parallel must be a positive integer/);
    oneLine(() => emitTensorParallelPlans(optimized(bert), { ...OPTIONS, worldSize: 1.5 }), /--tensor-parallel must be a positive integer/);
  });
});

function roles(graph: Graph, name: string): string | undefined {
  return shardGraph(graph, { ranks: 4 })[0]!.nodes.find((n) => n.name === name)?.metadata?.[TP_ROLE_KEY];
}

describe('writing a tensor-parallel plan directory', () => {
  it('writes rank-R/plan.json + weights.safetensors per rank and nothing else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-tp-'));
    try {
      const plans = emitTensorParallelPlans(optimized(bert), { ...OPTIONS, worldSize: 2 });
      writeTensorParallelPlanDir(path.join(dir, 'tp'), plans);
      expect(fs.readdirSync(dir)).toEqual(['tp']);
      expect(fs.readdirSync(path.join(dir, 'tp')).sort()).toEqual([rankDirName(0), rankDirName(1)]);
      plans.forEach((p, rank) => {
        const rankDir = path.join(dir, 'tp', rankDirName(rank));
        expect(JSON.parse(fs.readFileSync(path.join(rankDir, 'plan.json'), 'utf8'))).toEqual(p.plan);
        const weights = readSafetensors(path.join(rankDir, 'weights.safetensors'));
        expect([...weights.keys()]).toEqual([...p.weights.keys()]);
        for (const [name, t] of p.weights) expect(Array.from(weights.get(name)!.data), name).toEqual(Array.from(t.data));
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams weights.safetensors byte for byte as encodeSafetensors would', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-st-'));
    try {
      const { weights } = emitPlan(optimized(bert), { ...OPTIONS, dtype: 'float16' });
      const file = path.join(dir, 'w.safetensors');
      writeSafetensorsFile(file, weights);
      expect(Buffer.compare(fs.readFileSync(file), Buffer.from(encodeSafetensors(weights)))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('all_reduce lowering', () => {
  it('reduces a copy when something else reads the partial sum, never the graph output itself', () => {
    const b = new GraphBuilder('partial-is-output');
    const x = b.input('x', 'float32', ['batch', 8]);
    const [partial] = b.node('Linear', [x, b.initializer('w', seededTensor([8, 4], 7))], {}, { domain: SOLDER_DOMAIN });
    const [sum] = b.node('AllReduce', [partial!], { ranks: 2 }, { domain: SOLDER_DOMAIN });
    const { plan } = emitPlan(b.output(sum!, partial!).build(), { dtype: 'float32', maxBatch: 2, maxSeq: 4 });
    expect(planProblems(plan as Obj)).toEqual([]);
    const launches = plan.launches as Obj[];
    const gemm = launches.find((l) => l.kernel === 'gemm')!;
    const reduce = launches.find((l) => l.kernel === 'all_reduce')!;
    expect(argOf(gemm, 'out')!.output).toBeDefined();
    expect(argOf(reduce, 'tensor')!.buffer).toBeDefined();
    expect(launches.indexOf(reduce)).toBeGreaterThan(launches.indexOf(gemm) + 1);
  });
});
