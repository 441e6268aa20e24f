// Checks rules share, each named after what it demands so that explain reads
// "check 'q-rank-4' failed on node 'MatMul_3': found 3, expected 4".
import { type Dim, dimEq, dimToString } from '../ir/dim.js';
import { isFloat } from '../ir/dtype.js';
import { type Check, type Match, check } from './rule.js';
import type { GraphView } from './working-graph.js';

/** Dim `axis` (negative from the end) of a captured value's type, when its rank is known. */
export function dimOf(m: Match, g: GraphView, capture: string, axis: number): Dim | undefined {
  const shape = g.typeOf(m.value(capture))?.shape;
  if (shape === undefined) return undefined;
  return shape[axis < 0 ? shape.length + axis : axis];
}

/** The captured value has this rank. */
export function rankIs(capture: string, rank: number): Check {
  return check(`${capture}-rank-${rank}`, capture, (m, g) => {
    const shape = g.typeOf(m.value(capture))?.shape;
    if (shape === undefined) return `the rank of '${m.value(capture)}' is unknown`;
    return shape.length === rank || { found: shape.length, expected: rank };
  });
}

/** The captured values share one dtype. */
export function sameDType(...captures: string[]): Check {
  return check(`same-dtype(${captures.join(', ')})`, captures[0]!, (m, g) => {
    const dtypes = captures.map((c) => g.typeOf(m.value(c))?.dtype);
    if (dtypes.some((d) => d === undefined)) return 'a dtype is unknown';
    return new Set(dtypes).size === 1 || { found: dtypes.join(', '), expected: 'one dtype' };
  });
}

/** The captured value is a float tensor. */
export function floatDType(capture: string): Check {
  return check(`${capture}-is-float`, capture, (m, g) => {
    const dtype = g.typeOf(m.value(capture))?.dtype;
    return dtype !== undefined && isFloat(dtype) ? true : { found: dtype ?? 'unknown', expected: 'a float dtype' };
  });
}

/** The bound node's outputs are read only inside the match (one reader, not a graph output). */
export function singleUse(binding: string): Check {
  return check(`${binding}-single-use`, binding, (m, g) => {
    const n = m.node(binding);
    for (const v of n.outputs) {
      if (v === '') continue;
      const readers = g.consumers(v).length + (g.isGraphOutput(v) ? 1 : 0);
      if (readers > 1) return { found: `${readers} readers of '${v}'`, expected: '1' };
    }
    return true;
  });
}

/** Two dims of captured values are equal (known sizes, or the same symbol). */
export function dimsEqual(name: string, a: readonly [string, number], b: readonly [string, number]): Check {
  return check(name, a[0], (m, g) => {
    const da = dimOf(m, g, a[0], a[1]);
    const db = dimOf(m, g, b[0], b[1]);
    if (da === undefined || db === undefined) return 'a shape is unknown';
    return dimEq(da, db) || { found: `${dimToString(da)} vs ${dimToString(db)}`, expected: 'equal dims' };
  });
}

/** A constant holds one value within rtol of what `expected` computes from the match (undefined: cannot tell). */
export function scalarNear(name: string, constant: string, expected: (m: Match, g: GraphView) => number | undefined, rtol = 1e-3): Check {
  return check(name, constant, (m, g) => {
    const found = m.scalar(constant);
    if (found === undefined) return { found: `shape [${m.constant(constant).shape.join(', ')}]`, expected: 'a single value' };
    const want = expected(m, g);
    if (want === undefined) return 'the expected value cannot be computed (unknown shape?)';
    return Math.abs(found - want) <= rtol * Math.abs(want) || { found, expected: want };
  });
}

/** A constant holds one value, any value (the rewrite will fold it into an attribute). */
export function isScalar(constant: string): Check {
  return check(`${constant}-is-scalar`, constant, (m) => m.scalar(constant) !== undefined || { found: `shape [${m.constant(constant).shape.join(', ')}]`, expected: 'a single value' });
}
