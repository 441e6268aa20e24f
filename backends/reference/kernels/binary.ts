// Reference kernels: broadcasting arithmetic, the variadic Max/Min/Sum/Mean, PRelu and Where.
import type { AttrSpecs, AttrValues } from '../../../ir/attrs.js';
import { type DType, isInteger } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import * as ops from '../../../ir/ops/elementwise.js';
import { modIsFmod } from '../../../ir/ops/binary.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { OpSpec } from '../../../ir/ops/spec.js';
import { type Tensor, allocData, numel } from '../../../ir/tensor.js';
import { broadcastBinary, broadcastOffsets, broadcastShape, mapUnary, sameShape } from '../broadcast.js';
import { defineCheckedKernel } from './checked-kernel.js';
import { required } from './args.js';

type PairFn = (a: number, b: number) => number;

/** Registers a broadcasting kernel computing `make(...)` on pairs; the output dtype is `out` of A's. */
export function binaryKernel<S extends AttrSpecs>(
  spec: OpSpec<S>,
  make: (attrs: AttrValues<S>, node: Node, dtype: DType) => PairFn,
  out: (dtype: DType) => DType = (d) => d,
): void {
  defineCheckedKernel(spec, (inputs, attrs, node) => {
    const a = required(inputs, 0, node);
    const b = required(inputs, 1, node);
    return [broadcastBinary(a, b, out(a.dtype), make(attrs, node, a.dtype), node)];
  });
}

const plain = (fn: PairFn) => () => fn;

binaryKernel(ops.Add, plain((a, b) => a + b));
binaryKernel(ops.Sub, plain((a, b) => a - b));
binaryKernel(ops.Mul, (_attrs, _node, dtype) => {
  // 32-bit products can pass 2^53, where float64 would drop the low bits the wrap keeps.
  if (dtype === 'int32') return Math.imul;
  if (dtype === 'uint32') return (a, b) => Math.imul(a, b) >>> 0;
  return (a, b) => a * b;
});

binaryKernel(ops.Div, (_attrs, node, dtype) => {
  if (!isInteger(dtype)) return (a, b) => a / b;
  // Truncating division like C; the remainder is exact in float64, so the quotient is too.
  return (a, b) => {
    if (b === 0) throw divisionByZero(node);
    return (a - (a % b)) / b;
  };
});

binaryKernel(ops.Mod, ({ fmod }, node, dtype) => {
  const integer = isInteger(dtype);
  if (modIsFmod(node, fmod, dtype)) {
    // C fmod: the sign of the dividend.
    return integer ? (a, b) => (b === 0 ? throwDivisionByZero(node) : a % b) : (a, b) => a % b;
  }
  // Python %: the sign of the divisor.
  return (a, b) => {
    if (b === 0) throw divisionByZero(node);
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  };
});

function divisionByZero(node: Node) {
  return opError(node, 'integer division by zero');
}

function throwDivisionByZero(node: Node): never {
  throw divisionByZero(node);
}

defineCheckedKernel(ops.Pow, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  const y = required(inputs, 1, node);
  const integer = isInteger(x.dtype);
  return [broadcastBinary(x, y, x.dtype, integer ? (a, b) => Math.trunc(pow(a, b)) : pow, node)];
});

/** C's pow: unlike Math.pow, 1^y is 1 for any y and (-1)^±inf is 1. */
function pow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

defineCheckedKernel(ops.PRelu, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  const slope = required(inputs, 1, node);
  const y = broadcastBinary(x, slope, x.dtype, (v, s) => (v < 0 ? s * v : v), node);
  if (!sameShape(y.shape, x.shape)) {
    throw opError(node, `slope [${slope.shape.join(', ')}] does not broadcast to X [${x.shape.join(', ')}]`);
  }
  return [y];
});

/** Folds the inputs pairwise in float64, then stores `finish` of the result in their dtype. */
function variadicKernel(spec: OpSpec, step: PairFn, finish: (v: number, count: number) => number = (v) => v): void {
  defineCheckedKernel(spec, (inputs, _attrs, node) => {
    const present = inputs.map((t, i) => t ?? required(inputs, i, node));
    if (present.length === 0) throw opError(node, `${node.op} needs at least one input`);
    const first = present[0]!;
    let acc: Tensor = mapUnary(first, 'float64', (v) => v);
    for (const t of present.slice(1)) acc = broadcastBinary(acc, t, 'float64', step, node);
    const count = present.length;
    return [mapUnary(acc, first.dtype, (v) => finish(v, count))];
  });
}

// Math.max and Math.min let NaN win, like numpy's maximum and minimum.
variadicKernel(ops.Max, Math.max);
variadicKernel(ops.Min, Math.min);
variadicKernel(ops.Sum, (a, b) => a + b);
variadicKernel(ops.Mean, (a, b) => a + b, (v, count) => v / count);

defineCheckedKernel(ops.Where, (inputs, _attrs, node) => {
  const cond = required(inputs, 0, node);
  const x = required(inputs, 1, node);
  const y = required(inputs, 2, node);
  const shape = broadcastShape([cond.shape, x.shape, y.shape], node);
  const data = allocData(x.dtype, numel(shape));
  const [c, xd, yd] = [cond.data, x.data, y.data];
  if (sameShape(cond.shape, shape) && sameShape(x.shape, shape) && sameShape(y.shape, shape)) {
    for (let i = 0; i < data.length; i++) data[i] = c[i] ? xd[i]! : yd[i]!;
  } else {
    const ca = broadcastOffsets(cond.shape, shape);
    const xa = broadcastOffsets(x.shape, shape);
    const ya = broadcastOffsets(y.shape, shape);
    for (let i = 0; i < data.length; i++) data[i] = c[ca[i]!] ? xd[xa[i]!]! : yd[ya[i]!]!;
  }
  return [{ dtype: x.dtype, shape, data }];
});
