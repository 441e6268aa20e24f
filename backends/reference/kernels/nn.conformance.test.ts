// Runs the nn conformance cases (expected outputs from ONNX's reference implementation,
// see ir/ops/conformance/nn/generate.py) on the reference kernels, and checks that the op
// specs infer the types the kernels produce.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isFloat } from '../../../ir/dtype.js';
import type { OpCase } from '../../../ir/ops/conformance/case.js';
import { NN_ERROR_CASES } from '../../../ir/ops/conformance/nn/error-cases.js';
import { type Closeness, describeSuites } from './case-runner.js';

const file = fileURLToPath(new URL('../../../ir/ops/conformance/nn/nn-cases.json', import.meta.url));
const CASES = (JSON.parse(readFileSync(file, 'utf8')) as { cases: OpCase[] }).cases;

// The ONNX reference computes in float32; the kernels in float64, rounded once at the end.
const RTOL = 2e-5;
const ATOL = 2e-5;

const close: Closeness = (dtype, got, want) => (isFloat(dtype)
  ? got === want || Math.abs(got - want) <= ATOL + RTOL * Math.abs(want) || (Number.isNaN(got) && Number.isNaN(want))
  : Object.is(got, want));

const byOp: Record<string, OpCase[]> = {};
for (const c of CASES) (byOp[c.op] ??= []).push(c);

// Some errors are the op spec's alone (an int LayerNormalization): checked as a graph meets them.
describeSuites('nn conformance', { ...byOp, errors: NN_ERROR_CASES }, { close, errorFrom: 'inference-or-kernel', inputsNeverAllZero: true });
