// Runs the shape and indexing conformance cases on the reference kernels, and checks that
// the op specs infer the shapes the kernels produce.
import { describe, expect, it } from 'vitest';
import { type Dim, isKnown } from '../../../ir/dim.js';
import { SolderError } from '../../../ir/errors.js';
import { type OpCase, expectedError, expectedOutputs } from '../../../ir/ops/conformance/case.js';
import { CREATE_CASES, RESHAPE_CASES } from '../../../ir/ops/conformance/shape-cases.js';
import { GATHER_CASES, SCATTER_CASES } from '../../../ir/ops/conformance/indexing-cases.js';
import { ORDER_CASES } from '../../../ir/ops/conformance/order-cases.js';
import { JOIN_CASES, LAYOUT_CASES, SLICE_CASES } from '../../../ir/ops/conformance/slice-cases.js';
import { caseTensor, inferCase, runCase } from './case-runner.js';

const SUITES: Record<string, OpCase[]> = {
  create: CREATE_CASES,
  reshape: RESHAPE_CASES,
  join: JOIN_CASES,
  slice: SLICE_CASES,
  layout: LAYOUT_CASES,
  gather: GATHER_CASES,
  scatter: SCATTER_CASES,
  order: ORDER_CASES,
};

function checkCase(c: OpCase): void {
  const fragment = expectedError(c);
  if (fragment !== undefined) {
    let thrown: unknown;
    try {
      runCase(c);
    } catch (e) {
      thrown = e;
    }
    expect(thrown, 'the node should fail').toBeInstanceOf(SolderError);
    const message = (thrown as Error).message;
    expect(message).toContain(fragment);
    expect(message).toContain(`node '${c.name}'`);
    return;
  }
  const want = expectedOutputs(c);
  const got = runCase(c);
  expect(got.length).toBe(want.length);
  want.forEach((expected, k) => {
    const w = caseTensor(expected);
    const g = got[k]!;
    expect(g.dtype, `output ${k} dtype`).toBe(w.dtype);
    expect(g.shape, `output ${k} shape`).toEqual(w.shape);
    expect(Array.from(g.data), `output ${k} values`).toEqual(Array.from(w.data));
  });
  // With every input's value known, inference gives the exact output types
  // (but for ops whose output size depends on all the data, which constant folding handles).
  const full = inferCase(c, true);
  got.forEach((g, k) => {
    expect(full[k]?.dtype, `inferred dtype of output ${k}`).toBe(g.dtype);
    if (DATA_SIZED.has(c.op)) expectConsistent(full[k]?.shape, g.shape, `inferred shape of output ${k}`);
    else expect(full[k]?.shape, `inferred shape of output ${k}`).toEqual(g.shape);
  });
  // With only input types known, whatever inference claims must still hold.
  const typesOnly = inferCase(c, false);
  got.forEach((g, k) => {
    expect(typesOnly[k]?.dtype, `type-only dtype of output ${k}`).toBe(g.dtype);
    expectConsistent(typesOnly[k]?.shape, g.shape, `type-only shape of output ${k}`);
  });
}

const DATA_SIZED = new Set(['NonZero', 'Unique']);

/** An inferred shape agrees with an actual one: same rank (when known) and same known dims. */
function expectConsistent(inferred: readonly Dim[] | undefined, actual: readonly number[], what: string): void {
  if (inferred === undefined) return;
  expect(inferred.length, `${what}: rank`).toBe(actual.length);
  inferred.forEach((d, i) => {
    if (isKnown(d)) expect(d, `${what}: dim ${i}`).toBe(actual[i]);
  });
}

for (const [suite, cases] of Object.entries(SUITES)) {
  describe(`conformance: ${suite}`, () => {
    for (const c of cases) it(`${c.op}: ${c.name}`, () => checkCase(c));
  });
}
