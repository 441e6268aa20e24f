// Op specs: boolean logic, comparisons, and bitwise ops on integers.
import { attr } from '../attrs.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { ALL_TYPES, BOOL, INTS, NUMERIC, UNSIGNED_INTS } from './elementwise-types.js';
import { defineBinary } from './binary.js';
import { opError } from './shape-util.js';
import { defineUnary } from './unary.js';

const toBool = { output: () => 'bool' as const };

export const And = defineBinary('And', BOOL, 'Logical and, broadcasting.', {});
export const Or = defineBinary('Or', BOOL, 'Logical or, broadcasting.', {});
export const Xor = defineBinary('Xor', BOOL, 'Logical exclusive or, broadcasting.', {});
export const Not = defineUnary('Not', BOOL, 'Logical not.', {});

export const Equal = defineBinary('Equal', ALL_TYPES, 'a == b, broadcasting (NaN equals nothing).', {}, toBool);
export const Less = defineBinary('Less', NUMERIC, 'a < b, broadcasting.', {}, toBool);
export const LessOrEqual = defineBinary('LessOrEqual', NUMERIC, 'a <= b, broadcasting.', {}, toBool);
export const Greater = defineBinary('Greater', NUMERIC, 'a > b, broadcasting.', {}, toBool);
export const GreaterOrEqual = defineBinary('GreaterOrEqual', NUMERIC, 'a >= b, broadcasting.', {}, toBool);

export const BitwiseAnd = defineBinary('BitwiseAnd', INTS, 'Bitwise and, broadcasting.', {});
export const BitwiseOr = defineBinary('BitwiseOr', INTS, 'Bitwise or, broadcasting.', {});
export const BitwiseXor = defineBinary('BitwiseXor', INTS, 'Bitwise exclusive or, broadcasting.', {});
export const BitwiseNot = defineUnary('BitwiseNot', INTS, 'Bitwise not.', {});

export const BitShift = defineBinary('BitShift', UNSIGNED_INTS, 'Shifts unsigned integers LEFT or RIGHT by b bits, broadcasting.', {
  direction: attr.string.required(),
}, { check: (ctx) => void shiftDirection(ctx.node, ctx.attrs.direction) });

/** BitShift's direction, a user error naming the node unless it is LEFT or RIGHT. */
export function shiftDirection(node: Node, direction: string): 'LEFT' | 'RIGHT' {
  if (direction === 'LEFT' || direction === 'RIGHT') return direction;
  throw opError(node, `direction must be 'LEFT' or 'RIGHT', found '${direction}'`);
}
