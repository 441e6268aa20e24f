// Runs conformance cases (ir/ops/conformance) on the reference kernels: one case's node run
// and its output types inferred through the op spec, and the check every conformance suite
// applies to a case, with the suite's own closeness and the step its errors must come from.
import { describe, expect, it } from 'vitest';
import { type Dim, isKnown, sym } from '../../../ir/dim.js';
import type { DType } from '../../../ir/dtype.js';
import { SolderError } from '../../../ir/errors.js';
import type { Node } from '../../../ir/graph.js';
import { type CaseTensor, type OpCase, expectedError, expectedOutputs } from '../../../ir/ops/conformance/case.js';
import { opOf, readAttrs } from '../../../ir/ops/spec.js';
import { type Tensor, makeTensor } from '../../../ir/tensor.js';
import type { TensorType } from '../../../ir/types.js';
import { runNode } from '../interpreter.js';
import '../../../ir/ops/index.js';

export function caseTensor(c: CaseTensor): Tensor {
  return makeTensor(c.dtype, c.shape, c.values);
}

/** The node a case describes; inputs are named in0, in1, ... ('' where absent). */
export function caseNode(c: OpCase): Node {
  const outputs = c.outputs ?? Math.max(1, expectedOutputs(c).length);
  return {
    name: c.name,
    op: c.op,
    domain: '',
    inputs: c.inputs.map((t, i) => (t === null ? '' : `in${i}`)),
    outputs: Array.from({ length: outputs }, (_, i) => `out${i}`),
    attrs: c.attrs ?? {},
  };
}

/** The case's node run by the reference interpreter on its inputs. */
export function runCase(c: OpCase): Tensor[] {
  const env = new Map<string, Tensor>();
  c.inputs.forEach((t, i) => {
    if (t !== null) env.set(`in${i}`, caseTensor(t));
  });
  const graph = { name: 'case', inputs: [], outputs: [], nodes: [], initializers: new Map(), valueInfo: new Map(), meta: { irVersion: 9, opsets: [], metadata: {}, source: 'built' as const } };
  return runNode(graph, caseNode(c), env);
}

/** The output types the op spec infers for the case's node; `constants` says whether input values are visible. */
export function inferCase(c: OpCase, constants: boolean, inputTypes?: readonly (TensorType | undefined)[]): TensorType[] {
  const node = caseNode(c);
  const spec = opOf(node);
  return spec.infer({
    node,
    inputs: inputTypes ?? c.inputs.map((t) => (t === null ? undefined : { dtype: t.dtype, shape: t.shape })),
    attrs: readAttrs(spec, node),
    constant: (i) => {
      const t = c.inputs[i];
      return constants && t !== null && t !== undefined ? caseTensor(t) : undefined;
    },
  });
}

/** Whether an output element is close enough to the expected one, by the output's dtype. */
export type Closeness = (dtype: DType, got: number, want: number) => boolean;

export const exactly: Closeness = (_dtype, got, want) => Object.is(got, want);

export interface SuiteRules {
  readonly close: Closeness;
  /**
   * Which step must raise an error case's error: the kernel; the kernel, with inference
   * raising the same message unless only the values are at fault (a division by zero); or
   * the first to see it, inference then the kernel, as when a graph is loaded and run.
   */
  readonly errorFrom: 'kernel' | 'kernel-and-inference' | 'inference-or-kernel';
  /** Cases must not feed all-zero inputs (for generated cases, where that would go unseen). */
  readonly inputsNeverAllZero?: boolean;
}

/** Ops whose output size depends on all the data: inference leaves it to constant folding. */
const DATA_SIZED = new Set(['NonZero', 'Unique']);

/** A describe block per suite, an it per case: `${title}: ${suite}` > `${op}: ${name}`. */
export function describeSuites(title: string, suites: Readonly<Record<string, readonly OpCase[]>>, rules: SuiteRules): void {
  for (const [suite, cases] of Object.entries(suites)) {
    describe(`${title}: ${suite}`, () => {
      for (const c of cases) it(`${c.op}: ${c.name}`, () => checkCase(c, rules));
    });
  }
}

/** Runs the case and checks its outputs (or its error), then what inference claims of them. */
export function checkCase(c: OpCase, rules: SuiteRules): void {
  const fragment = expectedError(c);
  if (fragment !== undefined) {
    checkError(c, fragment, rules.errorFrom);
    return;
  }
  if (rules.inputsNeverAllZero) expect(c.inputs.some((t) => t !== null && t.values.some((v) => v !== 0)), 'inputs are not all zero').toBe(true);
  const expected = expectedOutputs(c);
  const got = runCase(c);
  expect(got.length).toBe(expected.length);
  expected.forEach((want, k) => {
    const w = caseTensor(want);
    const g = got[k]!;
    expect(g.dtype, `output ${k} dtype`).toBe(w.dtype);
    expect(g.shape, `output ${k} shape`).toEqual(w.shape);
    expect(g.data.length, `output ${k} length`).toBe(w.data.length);
    const bad = Array.from(g.data).findIndex((v, i) => !rules.close(w.dtype, v, w.data[i]!));
    if (bad >= 0) expect(Array.from(g.data), `output ${k} differs at ${bad}`).toEqual(Array.from(w.data));
  });
  checkInference(c, got);
}

function checkError(c: OpCase, fragment: string, from: SuiteRules['errorFrom']): void {
  const thrown = from === 'inference-or-kernel'
    ? thrownBy(() => { inferCase(c, true); runCase(c); })
    : thrownBy(() => runCase(c));
  expect(thrown, 'the node should fail').toBeInstanceOf(SolderError);
  expect(thrown?.message).toContain(fragment);
  expect(thrown?.message).toContain(`node '${c.name}'`);
  if (from === 'kernel-and-inference' && !/division by zero/.test(fragment)) {
    expect(thrownBy(() => inferCase(c, true))?.message, 'inference rejects it alike').toBe(thrown?.message);
  }
}

/**
 * Inference agrees with the outputs the kernel made: exactly when every input's value is
 * known; and whatever it claims still holds with only the input types, only their ranks
 * (dims made symbolic), or only their dtypes known.
 */
function checkInference(c: OpCase, got: readonly Tensor[]): void {
  const full = inferCase(c, true);
  got.forEach((g, k) => {
    expect(full[k]?.dtype, `inferred dtype of output ${k}`).toBe(g.dtype);
    if (DATA_SIZED.has(c.op)) expectConsistentShape(full[k]?.shape, g.shape, `inferred shape of output ${k}`);
    else expect(full[k]?.shape, `inferred shape of output ${k}`).toEqual(g.shape);
  });
  const partial: [string, (TensorType | undefined)[] | undefined][] = [
    ['type-only', undefined],
    ['rank-only', c.inputs.map((t) => (t === null ? undefined : { dtype: t.dtype, shape: t.shape.map((_, i) => sym(`s${i}`)) }))],
    ['unranked', c.inputs.map((t) => (t === null ? undefined : { dtype: t.dtype }))],
  ];
  for (const [what, inputTypes] of partial) {
    const inferred = inferCase(c, false, inputTypes);
    got.forEach((g, k) => {
      expect(inferred[k]?.dtype, `${what} dtype of output ${k}`).toBe(g.dtype);
      expectConsistentShape(inferred[k]?.shape, g.shape, `${what} shape of output ${k}`);
    });
  }
}

function thrownBy(run: () => unknown): Error | undefined {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

/** An inferred shape agrees with an actual one: same rank (when known) and same known dims. */
export function expectConsistentShape(inferred: readonly Dim[] | undefined, actual: readonly number[], what: string): void {
  if (inferred === undefined) return;
  expect(inferred.length, `${what}: rank`).toBe(actual.length);
  inferred.forEach((d, i) => {
    if (isKnown(d)) expect(d, `${what}: dim ${i}`).toBe(actual[i]);
  });
}

/** A dim's value under symbol bindings; undefined when it names a symbol they do not fix. */
export function evalDim(d: Dim, bindings: ReadonlyMap<string, number>): number | undefined {
  if (isKnown(d)) return d;
  let total = 0;
  for (const [monomial, coeff] of d.poly) {
    let term = coeff;
    for (const s of monomial === '' ? [] : monomial.split('*')) {
      const v = bindings.get(s);
      if (v === undefined) return undefined;
      term *= v;
    }
    total += term;
  }
  return total;
}
