// Running a graph on recorded inputs, and comparing its outputs with recorded ones.
import type { Graph } from '../ir/graph.js';
import { SolderError } from '../ir/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { readSafetensors } from '../ir/safetensors.js';
import { interpret } from '../backends/reference/interpreter.js';
import { errorStats, sameShape, withinTolerance } from './error-stats.js';

/** Runs the graph in the reference interpreter; outputs by name, in graph order. */
export function run(graph: Graph, inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  return new Map(interpret(graph, inputs).outputs);
}

export interface RecordedIO {
  /** `in.NAME` tensors, keyed by NAME. */
  readonly inputs: Map<string, Tensor>;
  /** `out.N` tensors, in N order. */
  readonly outputs: Tensor[];
}

/** Reads a safetensors file of `in.NAME` inputs and `out.N` reference outputs. */
export function readRecordedIO(file: string): RecordedIO {
  const inputs = new Map<string, Tensor>();
  const outputs: { index: number; tensor: Tensor }[] = [];
  for (const [key, tensor] of readSafetensors(file)) {
    if (key.startsWith('in.')) inputs.set(key.slice(3), tensor);
    else if (/^out\.\d+$/.test(key)) outputs.push({ index: Number(key.slice(4)), tensor });
  }
  outputs.sort((a, b) => a.index - b.index);
  return { inputs, outputs: outputs.map((o) => o.tensor) };
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 0 };

export interface OutputComparison {
  readonly name: string;
  readonly index: number;
  /** max |got - want|: Infinity where one side is NaN or infinite and the other is not. */
  readonly maxAbs: number;
  readonly maxRel: number;
  /** Flat index of the largest absolute error. */
  readonly worstIndex: number;
  readonly ok: boolean;
  readonly problem?: string;
}

/** Compares outputs with recorded ones by position: |got - want| <= atol + rtol * |want| everywhere. */
export function compareOutputs(
  graph: Graph,
  got: ReadonlyMap<string, Tensor>,
  recorded: readonly Tensor[],
  tol: Tolerance = DEFAULT_TOLERANCE,
): OutputComparison[] {
  if (recorded.length !== graph.outputs.length) {
    throw new SolderError(`the graph has ${graph.outputs.length} outputs, the file records ${recorded.length} (out.N)`);
  }
  return graph.outputs.map((o, index) => {
    const a = got.get(o.name);
    const b = recorded[index] as Tensor;
    if (a === undefined) return failed(o.name, index, 'not computed');
    return compareTensors(o.name, index, a, b, tol);
  });
}

/** One output against its recorded value: the error measure of api/error-stats.ts, judged by `tol`. */
export function compareTensors(name: string, index: number, got: Tensor, want: Tensor, tol: Tolerance): OutputComparison {
  if (!sameShape(got.shape, want.shape)) {
    return failed(name, index, `shape [${got.shape.join(', ')}] vs recorded [${want.shape.join(', ')}]`);
  }
  const { maxAbs, maxRel, worstFlat } = errorStats(got, want, Number.MIN_VALUE);
  return { name, index, maxAbs, maxRel, worstIndex: worstFlat, ok: withinTolerance(got, want, tol) };
}

function failed(name: string, index: number, problem: string): OutputComparison {
  return { name, index, maxAbs: NaN, maxRel: NaN, worstIndex: -1, ok: false, problem };
}
