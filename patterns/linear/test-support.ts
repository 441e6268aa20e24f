// What the linear and rotary rule tests share: random feeds that are never zero, and the
// check that a rewritten graph computes what its source computed, within a tolerance set
// by the dtype's precision and the size of the values.
import { expect } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import type { DType } from '../../ir/dtype.js';
import type { Graph } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { verify } from '../../ir/verify.js';
import { mismatch, size, values } from '../../test/float64-onnx.js';

/** Unit roundoff of each float dtype the tests use. */
const EPSILON: Partial<Record<DType, number>> = { float64: 2 ** -52, float32: 2 ** -23, float16: 2 ** -10 };

/** Values in [-2, 2], none zero, rounded to the dtype. */
export function randomTensor(dtype: DType, shape: readonly number[], seed: number): Tensor {
  return makeTensor(dtype, shape, values(seed, size(shape)));
}

/** Source and rewrite agree on every output: the rewrite rounds once where the source rounded after each op. */
export function expectSameFunction(source: Graph, rewritten: Graph, feeds: ReadonlyMap<string, Tensor>): void {
  verify(rewritten);
  const want = interpret(source, feeds).outputs;
  const got = interpret(rewritten, feeds).outputs;
  for (const out of source.outputs) {
    const [w, g] = [want.get(out.name)!, got.get(out.name)];
    expect(g?.shape, out.name).toEqual(w.shape);
    let scale = 1;
    for (const v of w.data) scale = Math.max(scale, Math.abs(v));
    // A few roundings of intermediates about as large as the output: 16 ulps of its magnitude.
    const tol = 16 * (EPSILON[w.dtype] ?? 0) * scale;
    expect(mismatch(g!.data, w.data, tol, tol), out.name).toBeUndefined();
  }
}

/** Names of the ops of a graph in order, with solder ones marked. */
export function opsOf(graph: Graph): string[] {
  return graph.nodes.map((n) => (n.domain === '' ? n.op : `${n.domain}::${n.op}`));
}
