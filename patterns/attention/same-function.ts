// Test helper: a rewritten graph computes what its source computes, judged against a float64
// run of the source (same input values, constants rounded as the tested dtype rounds them).
import { expect } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import type { DType } from '../../ir/dtype.js';
import type { Graph } from '../../ir/graph.js';
import { makeTensor, type Tensor } from '../../ir/tensor.js';
import { verify } from '../../ir/verify.js';
import { mismatch, values } from '../../test/float64-onnx.js';

/** Allowed error of a fused node's output against float64, by its dtype (rtol, atol). */
export const TOLERANCE: Readonly<Partial<Record<DType, { rtol: number; atol: number }>>> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float16: { rtol: 2e-3, atol: 2e-3 },
  float64: { rtol: 1e-12, atol: 1e-12 },
};

/** The most negative finite value of a dtype: what HF fills masked positions with. */
export function finfoMin(dtype: DType): number {
  return dtype === 'float16' ? -65504 : dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38;
}

/** Random feeds for a graph's float inputs (never all zero), rounded to `dtype`. */
export function randomFeeds(graph: Graph, dtype: DType, seed: number, special: ReadonlyMap<string, Tensor> = new Map()): Map<string, Tensor> {
  const feeds = new Map<string, Tensor>();
  graph.inputs.forEach((input, i) => {
    const given = special.get(input.name);
    if (given !== undefined) return feeds.set(input.name, given);
    const shape = (input.type.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    feeds.set(input.name, makeTensor(dtype, shape, values(seed + 7919 * i, shape.reduce((a, b) => a * b, 1))));
  });
  return feeds;
}

/** The same values in float64 (bool and int tensors stay as they are). */
export function asFloat64(feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  return new Map([...feeds].map(([k, t]) => [k, t.dtype.startsWith('float') || t.dtype === 'bfloat16' ? makeTensor('float64', t.shape, t.data) : t]));
}

/** `fused` (in `dtype`) gives the float64 `reference` graph's output, within the dtype's tolerance. */
export function expectSameFunction(reference: Graph, fused: Graph, feeds: ReadonlyMap<string, Tensor>, dtype: DType): void {
  verify(fused);
  const name = reference.outputs[0]!.name;
  const want = interpret(reference, asFloat64(feeds)).outputs.get(name)!;
  const got = interpret(fused, feeds).outputs.get(fused.outputs[0]!.name)!;
  expect(got.dtype).toBe(dtype);
  expect(got.shape).toEqual(want.shape);
  const tol = TOLERANCE[dtype]!;
  expect(mismatch(got.data, want.data, tol.rtol, tol.atol)).toBeUndefined();
}

/** Random additive mask values: mostly kept (0 or a small bias), some dropped with `drop`. */
export function additiveMask(shape: readonly number[], seed: number, drop: number): number[] {
  return values(seed, shape.reduce((a, b) => a * b, 1)).map((r) => (r < -1.2 ? drop : r > 0.8 ? 0 : r / 2));
}

/** The ops that still feed an output, in graph order (applyRules leaves dead nodes to cleanup). */
export function liveOps(graph: Graph): string[] {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const live: string[] = [];
  for (const n of [...graph.nodes].reverse()) {
    if (!n.outputs.some((v) => needed.has(v))) continue;
    live.push(n.op);
    for (const v of n.inputs) needed.add(v);
  }
  return live.reverse();
}
