// Tensor-parallel plans: the optimized graph is sharded Megatron-style (passes/shard/) and
// each rank's graph is lowered to a complete plan of its own, written as
//
//   PLAN_DIR/rank-0/plan.json + weights.safetensors     (tensor_parallel: {world_size: N, rank: 0})
//   PLAN_DIR/rank-1/plan.json + weights.safetensors     ...
//
// and nothing else at the top, so a tensor-parallel directory is never mistaken for a
// one-GPU plan. Each rank directory is an ordinary plan (Plan.load works on it); its
// `all_reduce` launches (collective.ts) are the points where the ranks meet. Every rank
// issues the same all-reduces in the same order on same-shaped buffers, which NCCL needs;
// `checkCollectivesAgree` holds the emitter to that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SolderError } from '../../ir/errors.js';
import type { Graph } from '../../ir/graph.js';
import { shardGraph } from '../../passes/shard/shard.js';
import { ALL_REDUCE_KERNEL } from './collective.js';
import { type EmittedPlan, type Json, type PlanOptions, emitPlan } from './plan.js';
import { replaceDir, writePlanFiles } from './write.js';

/** The directory of rank r inside a tensor-parallel plan directory. */
export function rankDirName(rank: number): string {
  return `rank-${rank}`;
}

export interface TensorParallelOptions extends PlanOptions {
  /** GPUs sharing every layer; 1 emits an ordinary single-GPU plan. */
  readonly worldSize: number;
}

/** One plan per rank, each recording `tensor_parallel: {world_size, rank}`. */
export function emitTensorParallelPlans(graph: Graph, options: TensorParallelOptions): EmittedPlan[] {
  const { worldSize, ...planOptions } = options;
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new SolderError(`--tensor-parallel must be a positive integer (the GPU count), got ${String(worldSize)}`);
  }
  if (worldSize === 1) return [emitPlan(graph, planOptions)];
  const plans = shardGraph(graph, { ranks: worldSize }).map((rankGraph, rank) => {
    const emitted = emitPlan(rankGraph, planOptions);
    const { version, dtype, ...rest } = emitted.plan;
    const plan = { version: version as Json, dtype: dtype as Json, tensor_parallel: { world_size: worldSize, rank }, ...rest };
    return { ...emitted, plan };
  });
  checkCollectivesAgree(plans);
  return plans;
}

/** Writes the plans of emitTensorParallelPlans: a plain plan directory for one rank, rank-R/ directories otherwise. */
export function writeTensorParallelPlanDir(dir: string, plans: readonly Pick<EmittedPlan, 'plan' | 'weights'>[]): void {
  replaceDir(dir, (temp) => {
    if (plans.length === 1) return writePlanFiles(temp, plans[0]!);
    plans.forEach((emitted, rank) => {
      const rankDir = path.join(temp, rankDirName(rank));
      fs.mkdirSync(rankDir);
      writePlanFiles(rankDir, emitted);
    });
  });
}

type Obj = { [key: string]: Json };

// Ranks that disagree on their all-reduces would hang NCCL (or sum unrelated tensors): a bug, not a user error.
function checkCollectivesAgree(plans: readonly EmittedPlan[]): void {
  const signature = (p: EmittedPlan) => (p.plan.launches as Obj[])
    .filter((l) => l.kernel === ALL_REDUCE_KERNEL)
    .map((l) => {
      const ref = (l.args as Obj).tensor as Obj;
      const shape = 'view' in ref ? ((ref.view as Obj).shape as Json[]) : (((p.plan.buffers as Obj)[ref.buffer as string] as Obj).shape as Json[]);
      return JSON.stringify([l.attrs, shape]);
    });
  const first = signature(plans[0]!);
  plans.forEach((p, rank) => {
    const mine = signature(p);
    if (mine.length !== first.length || mine.some((s, i) => s !== first[i])) {
      throw new Error(`tensor-parallel rank ${rank} issues all-reduces [${mine.join(' ')}], rank 0 [${first.join(' ')}]`);
    }
  });
}
