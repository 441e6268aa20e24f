// The eager attention rule preserves the function: for random shapes, operand orders and
// masks, the built cluster and the fused Attention node agree in the reference interpreter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../ir/tensor.js';
import { verify } from '../../ir/verify.js';
import { interpret } from '../../backends/reference/interpreter.js';
import { mismatch, size, values } from '../../test/float64-onnx.js';
import { eagerAttention } from '../../test/pattern-graphs.js';
import { applyRules } from '../driver.js';
import { sdpaEager } from './attention.js';

const FINFO_MIN_F32 = -3.4028234663852886e38;

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  heads: fc.integer({ min: 1, max: 3 }),
  qSeq: fc.integer({ min: 1, max: 4 }),
  kvSeq: fc.integer({ min: 1, max: 5 }),
  headDim: fc.constantFrom(1, 2, 4, 8, 16, 64),
  valueDim: fc.integer({ min: 1, max: 6 }),
  scaleAs: fc.constantFrom('initializer' as const, 'constant' as const),
  swapMul: fc.boolean(),
  swapAdd: fc.boolean(),
  symbolic: fc.boolean(),
  seed: fc.integer(),
});

describe('attention/eager-matmul-softmax', () => {
  it('the fused Attention computes what the eager cluster computes', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const source = eagerAttention(c, { ...c, scale: 1 / Math.sqrt(c.headDim) });
      const { graph } = applyRules(source, [sdpaEager]);
      expect(graph.nodes.map((n) => n.op)).toEqual(['Attention']);
      verify(graph);
      const tensor = (shape: number[], seed: number) => makeTensor('float32', shape, values(seed, size(shape)));
      // An HF-style padding mask: 0 to keep, finfo.min to drop, plus some finite biases.
      const maskShape = [c.batch, 1, 1, c.kvSeq];
      const mask = values(c.seed + 3, size(maskShape)).map((r) => (r < -1 ? FINFO_MIN_F32 : r > 1 ? 0 : r));
      const feeds = new Map([
        ['q', tensor([c.batch, c.heads, c.qSeq, c.headDim], c.seed)],
        ['k', tensor([c.batch, c.heads, c.kvSeq, c.headDim], c.seed + 1)],
        ['v', tensor([c.batch, c.heads, c.kvSeq, c.valueDim], c.seed + 2)],
        ['mask', makeTensor('float32', maskShape, mask)],
      ]);
      const name = source.outputs[0]!.name;
      const want = interpret(source, feeds).outputs.get(name)!;
      const got = interpret(graph, feeds).outputs.get(name)!;
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, 1e-5, 1e-5)).toBeUndefined();
    }), { numRuns: 60 });
  });
});
