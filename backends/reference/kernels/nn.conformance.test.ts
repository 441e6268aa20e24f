// Runs the nn conformance cases (expected outputs from ONNX's reference implementation,
// see ir/ops/conformance/nn/generate.py) on the reference kernels, and checks that the op
// specs infer the types the kernels produce.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Dim, isKnown } from '../../../ir/dim.js';
import { isFloat } from '../../../ir/dtype.js';
import { SolderError } from '../../../ir/errors.js';
import type { OpCase } from '../../../ir/ops/conformance/case.js';
import { NN_ERROR_CASES } from '../../../ir/ops/conformance/nn/error-cases.js';
import { caseTensor, inferCase, runCase } from './case-runner.js';

const file = fileURLToPath(new URL('../../../ir/ops/conformance/nn/nn-cases.json', import.meta.url));
const CASES = (JSON.parse(readFileSync(file, 'utf8')) as { cases: OpCase[] }).cases;

// The ONNX reference computes in float32; the kernels in float64, rounded once at the end.
const RTOL = 2e-5;
const ATOL = 2e-5;

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Math.abs(g - w) > ATOL + RTOL * Math.abs(w)) expect(g, `${what}[${i}]`).toBe(w);
  }
}

function expectConsistent(inferred: readonly Dim[] | undefined, actual: readonly number[], what: string): void {
  if (inferred === undefined) return;
  expect(inferred.length, `${what}: rank`).toBe(actual.length);
  inferred.forEach((d, i) => { if (isKnown(d)) expect(d, `${what}: dim ${i}`).toBe(actual[i]); });
}

function checkCase(c: OpCase): void {
  if (!Array.isArray(c.expect)) {
    let thrown: unknown;
    try { inferCase(c, true); runCase(c); } catch (e) { thrown = e; }
    expect(thrown, 'the node should fail').toBeInstanceOf(SolderError);
    expect((thrown as Error).message).toContain(c.expect.error);
    expect((thrown as Error).message).toContain(`node '${c.name}'`);
    return;
  }
  expect(c.inputs.some((t) => t !== null && t.values.some((v) => v !== 0)), 'inputs are not all zero').toBe(true);
  const got = runCase(c);
  expect(got.length).toBe(c.expect.length);
  c.expect.forEach((want, k) => {
    const w = caseTensor(want);
    const g = got[k]!;
    expect(g.dtype, `output ${k} dtype`).toBe(w.dtype);
    expect(g.shape, `output ${k} shape`).toEqual(w.shape);
    if (isFloat(w.dtype)) expectClose(g.data, w.data, `output ${k}`);
    else expect(Array.from(g.data), `output ${k}`).toEqual(Array.from(w.data));
  });
  const full = inferCase(c, true);
  got.forEach((g, k) => {
    expect(full[k]?.dtype, `inferred dtype of output ${k}`).toBe(g.dtype);
    expect(full[k]?.shape, `inferred shape of output ${k}`).toEqual(g.shape);
  });
  // Only ranks known: inference may leave dims symbolic, but what it claims must hold.
  const ranksOnly = inferCase(c, false, c.inputs.map((t) => (t === null ? undefined : { dtype: t.dtype, shape: t.shape.map((_, i) => ({ expr: `s${i}`, poly: new Map([[`s${i}`, 1]]) })) })));
  got.forEach((g, k) => {
    expect(ranksOnly[k]?.dtype, `rank-only dtype of output ${k}`).toBe(g.dtype);
    expectConsistent(ranksOnly[k]?.shape, g.shape, `rank-only shape of output ${k}`);
  });
  // Unknown ranks: inference still gives the dtypes.
  const unranked = inferCase(c, false, c.inputs.map((t) => (t === null ? undefined : { dtype: t.dtype })));
  got.forEach((g, k) => expect(unranked[k]?.dtype, `unranked dtype of output ${k}`).toBe(g.dtype));
}

const byOp = new Map<string, OpCase[]>();
for (const c of CASES) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);

for (const [op, cases] of byOp) {
  describe(`nn conformance: ${op}`, () => {
    for (const c of cases) it(c.name, () => checkCase(c));
  });
}

describe('nn conformance: errors', () => {
  for (const c of NN_ERROR_CASES) it(`${c.op}: ${c.name}`, () => checkCase(c));
});
