// Runs the shape and indexing conformance cases on the reference kernels, and checks that
// the op specs infer the shapes the kernels produce.
import type { OpCase } from '../../../ir/ops/conformance/case.js';
import { CREATE_CASES, RESHAPE_CASES } from '../../../ir/ops/conformance/shape-cases.js';
import { GATHER_CASES, SCATTER_CASES } from '../../../ir/ops/conformance/indexing-cases.js';
import { ORDER_CASES } from '../../../ir/ops/conformance/order-cases.js';
import { JOIN_CASES, LAYOUT_CASES, SLICE_CASES } from '../../../ir/ops/conformance/slice-cases.js';
import { describeSuites, exactly } from './case-runner.js';

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

// Out-of-range indices are faults of the values alone: only the kernel sees them.
describeSuites('conformance', SUITES, { close: exactly, errorFrom: 'kernel' });
