// Runs the elementwise and reduction conformance cases on the reference kernels, and checks
// that the op specs infer the types the kernels produce.
import { describe, expect, it } from 'vitest';
import type { OpCase } from '../../../ir/ops/conformance/case.js';
import { ACTIVATION_CASES } from '../../../ir/ops/conformance/activation-cases.js';
import { ARITHMETIC_CASES, LOGIC_CASES } from '../../../ir/ops/conformance/binary-cases.js';
import { REDUCE_CASES } from '../../../ir/ops/conformance/reduce-cases.js';
import { UNARY_CASES } from '../../../ir/ops/conformance/unary-cases.js';
import { describeSuites } from './case-runner.js';
import { closeTo } from './tolerance.js';

const SUITES: Record<string, OpCase[]> = {
  unary: UNARY_CASES,
  activation: ACTIVATION_CASES,
  arithmetic: ARITHMETIC_CASES,
  logic: LOGIC_CASES,
  reduce: REDUCE_CASES,
};

describeSuites('conformance', SUITES, { close: closeTo, errorFrom: 'kernel-and-inference' });

describe('conformance suites', () => {
  it('have unique case names', () => {
    const names = Object.values(SUITES).flat().map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
