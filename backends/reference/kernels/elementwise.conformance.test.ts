// Runs the elementwise and reduction conformance cases on the reference kernels, and checks
// that the op specs infer the types the kernels produce.
import { describe, expect, it } from 'vitest';
import { type Dim, isKnown } from '../../../ir/dim.js';
import { SolderError } from '../../../ir/errors.js';
import type { CaseTensor, OpCase } from '../../../ir/ops/conformance/case.js';
import { ACTIVATION_CASES } from '../../../ir/ops/conformance/activation-cases.js';
import { ARITHMETIC_CASES, LOGIC_CASES } from '../../../ir/ops/conformance/binary-cases.js';
import { REDUCE_CASES } from '../../../ir/ops/conformance/reduce-cases.js';
import { UNARY_CASES } from '../../../ir/ops/conformance/unary-cases.js';
import { caseTensor, inferCase, runCase } from './case-runner.js';
import { closeTo } from './tolerance.js';

const SUITES: Record<string, OpCase[]> = {
  unary: UNARY_CASES,
  activation: ACTIVATION_CASES,
  arithmetic: ARITHMETIC_CASES,
  logic: LOGIC_CASES,
  reduce: REDUCE_CASES,
};

function checkCase(c: OpCase): void {
  if ('error' in c.expect) {
    const { error } = c.expect;
    const thrown = catchError(() => runCase(c));
    expect(thrown, 'the node should fail').toBeInstanceOf(SolderError);
    expect(thrown?.message).toContain(error);
    expect(thrown?.message).toContain(`node '${c.name}'`);
    // Inference rejects the node too, unless the problem is only in the values (division by zero).
    const inferred = catchError(() => inferCase(c, true));
    if (!/division by zero/.test(error)) expect(inferred?.message).toBe(thrown?.message);
    return;
  }
  const expected: readonly CaseTensor[] = c.expect;
  const got = runCase(c);
  expect(got.length).toBe(expected.length);
  expected.forEach((want, k) => {
    const w = caseTensor(want);
    const g = got[k]!;
    expect(g.dtype, `output ${k} dtype`).toBe(w.dtype);
    expect(g.shape, `output ${k} shape`).toEqual(w.shape);
    const bad = Array.from(g.data).findIndex((v, i) => !closeTo(w.dtype, v, w.data[i]!));
    if (bad >= 0) expect(Array.from(g.data), `output ${k} differs at ${bad}`).toEqual(Array.from(w.data));
  });
  const full = inferCase(c, true);
  const typesOnly = inferCase(c, false);
  got.forEach((g, k) => {
    expect(full[k]?.dtype, `inferred dtype of output ${k}`).toBe(g.dtype);
    expect(full[k]?.shape, `inferred shape of output ${k}`).toEqual(g.shape);
    expect(typesOnly[k]?.dtype, `type-only dtype of output ${k}`).toBe(g.dtype);
    expectConsistent(typesOnly[k]?.shape, g.shape, `type-only shape of output ${k}`);
  });
}

function catchError(run: () => unknown): Error | undefined {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

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

describe('conformance suites', () => {
  it('have unique case names', () => {
    const names = Object.values(SUITES).flat().map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
