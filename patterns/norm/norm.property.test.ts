// The norm rules keep the function: on random shapes, axes, epsilons and exporter forms,
// the fused node computes what the source cluster computes, checked against the source
// cluster run in float64 on the same (dtype-rounded) numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import type { DType } from '../../ir/dtype.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { verify } from '../../ir/verify.js';
import { mismatch } from '../../test/float64-onnx.js';
import { type LayerNormForm, type NormCase, type NormCommon, type RmsForm, layerNormGraph, normFeeds, rmsNormGraph } from '../../test/norm-graphs.js';
import { applyRules } from '../driver.js';
import { NORM_RULES } from './index.js';

/** The fused kernel computes in float64 and rounds once; the float64 source differs by op order only. */
const TOL: Partial<Record<DType, { rtol: number; atol: number }>> = {
  float64: { rtol: 1e-10, atol: 1e-10 },
  float32: { rtol: 2 ** -21, atol: 1e-10 },
  float16: { rtol: 2 ** -8, atol: 1e-6 },
};

const caseArb: fc.Arbitrary<NormCase> = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
  axisPick: fc.nat(),
  weightDrop: fc.nat({ max: 3 }),
  epsilon: fc.double({ min: 1e-6, max: 1e-2, noNaN: true }),
  seed: fc.integer(),
  dtype: fc.constantFrom<DType>('float32', 'float64', 'float16'),
}).map(({ axisPick, ...r }) => ({ ...r, axis: -1 - (axisPick % r.shape.length) }));

const skipArb = fc.constantFrom<NormCommon['skip']>('none', 'internal', 'exposed');
const axesArb = fc.constantFrom<NormCommon['axesAs']>('attribute', 'input');

const rmsArb = fc.record({
  square: fc.constantFrom<RmsForm['square']>('pow', 'mul'),
  inverse: fc.constantFrom<RmsForm['inverse']>('reciprocal', 'div-one', 'div'),
  weightFirst: fc.boolean(),
  offset: fc.boolean(),
  widen: fc.boolean(),
  axesAs: axesArb,
  skip: skipArb,
});

const layerNormArb: fc.Arbitrary<LayerNormForm> = fc.record({
  op: fc.boolean(),
  square: fc.constantFrom<LayerNormForm['square']>('pow', 'mul'),
  divide: fc.constantFrom<LayerNormForm['divide']>('div', 'reciprocal'),
  bias: fc.boolean(),
  axesAs: axesArb,
  skip: skipArb,
});

const WIDER: Partial<Record<DType, DType>> = { float16: 'float32', float32: 'float64' };

/** Fuses the built graph, expects exactly `op`, and compares every output with the float64 reference. */
function fusesToSameFunction(c: NormCase, form: NormCommon, op: string, build: (float64: boolean) => Graph): void {
  const { graph } = applyRules(build(false), NORM_RULES);
  verify(graph);
  const skipped = (form.skip ?? 'none') !== 'none';
  expect(graph.nodes.map((n) => (n.domain === SOLDER_DOMAIN ? `solder::${n.op}` : n.op))).toEqual([`solder::${skipped ? `Skip${op}` : op}`]);
  const reference = build(true);
  const got = interpret(graph, normFeeds(c, form)).outputs;
  const want = interpret(reference, normFeeds(c, form, { float64: true })).outputs;
  const { rtol, atol } = TOL[c.dtype]!;
  expect(graph.outputs.map((o) => o.name)).toEqual(reference.outputs.map((o) => o.name));
  for (const { name } of reference.outputs) {
    expect(got.get(name)!.shape).toEqual(want.get(name)!.shape);
    expect(mismatch(got.get(name)!.data, want.get(name)!.data, rtol, atol), name).toBeUndefined();
  }
}

describe('norm rules keep the function', () => {
  it('RMSNorm in every exporter form', () => {
    fc.assert(fc.property(caseArb, rmsArb, (c, { widen, ...rest }) => {
      const form: RmsForm = { ...rest, ...(widen && WIDER[c.dtype] !== undefined ? { compute: WIDER[c.dtype] } : {}) };
      fusesToSameFunction(c, form, 'RMSNorm', (float64) => rmsNormGraph(c, form, { float64 }));
    }), { numRuns: 80 });
  });

  it('LayerNorm decomposed and as the ONNX op', () => {
    fc.assert(fc.property(caseArb, layerNormArb, (c, form) => {
      fusesToSameFunction(c, form, 'LayerNorm', (float64) => layerNormGraph(c, form, { float64 }));
    }), { numRuns: 80 });
  });
});
