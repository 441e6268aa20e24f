// Checks the activation and norm rules share. The constants that define a function (GELU's
// sqrt(2) and 0.044715, a norm's exponent 2) are compared with their mathematical value to within the rounding of
// the constant's own dtype: a different constant is a different function, so the rule
// declines rather than fusing it into the canonical op.
import { type Dim, dimEq, dimToString } from '../../ir/dim.js';
import { type DType } from '../../ir/dtype.js';
import { type Check, type Match, check } from '../rule.js';

const EPSILON: Partial<Record<DType, number>> = { float64: 2 ** -52, float32: 2 ** -23, float16: 2 ** -10, bfloat16: 2 ** -7 };

/** Relative error a constant of this dtype may carry from rounding: a few ulp. */
export function constantTolerance(dtype: DType): number {
  return 4 * (EPSILON[dtype] ?? 0);
}

/** The one value of a bound constant, or why it is not one value. */
function scalarOf(m: Match, constant: string): number | { found: string; expected: string } {
  const found = m.scalar(constant);
  return found ?? { found: `shape [${m.constant(constant).shape.join(', ')}]`, expected: 'a single value' };
}

/**
 * The constant holds one value within its dtype's rounding of `value`. Passes when the match
 * did not bind it: a oneOf alternative without this constant matched.
 */
export function constantNear(name: string, constant: string, value: number): Check {
  return check(name, constant, (m) => {
    if (!m.has(constant)) return true;
    const found = scalarOf(m, constant);
    if (typeof found !== 'number') return found;
    const rtol = constantTolerance(m.constant(constant).dtype);
    return Math.abs(found - value) <= rtol * Math.abs(value) || { found, expected: value };
  });
}

/** The constant holds exactly `value` (an exponent: 2 and 3 are exact in every float dtype). */
export function constantIs(name: string, constant: string, value: number): Check {
  return check(name, constant, (m) => {
    if (!m.has(constant)) return true;
    const found = scalarOf(m, constant);
    if (typeof found !== 'number') return found;
    return found === value || { found, expected: value };
  });
}

/** The root's output has the captured input's shape: a constant of higher rank must not have broadcast it up. */
export function keepsShapeOf(capture: string): Check {
  return check(`output-shape-is-${capture}-shape`, capture, (m, g) => {
    const input = g.typeOf(m.value(capture))?.shape;
    const output = g.typeOf(m.root.outputs[0] ?? '')?.shape;
    if (input === undefined || output === undefined) return 'a shape is unknown';
    const same = input.length === output.length && input.every((d, i) => dimEq(d, output[i]!));
    return same || { found: show(output), expected: show(input) };
  });
}

const show = (shape: readonly Dim[]) => `[${shape.map(dimToString).join(', ')}]`;
