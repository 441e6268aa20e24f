// Imports a hand-built archive and runs it in the reference interpreter: the harness of the
// pt2 importer's unit tests. Values are deterministic pseudo-random numbers, never all zero.
import { interpret } from '../backends/reference/interpreter.js';
import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { importPt2 } from '../ir/import/pt2.js';
import { type Tensor, makeTensor, numel } from '../ir/tensor.js';
import { uniformStream } from './float64-onnx.js';
import { type Pt2Spec, writePt2 } from './pt2-archive.js';

export function importSpec(spec: Pt2Spec): Graph {
  return importPt2(writePt2(spec));
}

/** Runs the graph on the given inputs; outputs in graph order. */
export function runGraph(graph: Graph, feeds: Record<string, Tensor>): Tensor[] {
  const result = interpret(graph, new Map(Object.entries(feeds)));
  return graph.outputs.map((o) => result.outputs.get(o.name) as Tensor);
}

/** Values in [-2, 2) from a fixed-seed generator (mulberry32). */
export function randomValues(count: number, seed: number): number[] {
  const next = uniformStream(seed);
  return Array.from({ length: count }, () => next() * 4 - 2);
}

export function randomTensor(dtype: DType, shape: readonly number[], seed: number): Tensor {
  return makeTensor(dtype, shape, randomValues(numel(shape), seed));
}

/** Largest |a - b| over two equally long value lists. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Row-major flat index of a multi-index. */
export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  return index.reduce((acc, v, i) => acc * (shape[i] as number) + v, 0);
}
