// Reference kernels: unary math, activations, predicates, Identity, Clip and Dropout.
// Each maps a float64 function over the elements; storing into the output's typed array
// truncates toward zero for integer dtypes, as C++ conversions do.
import type { AttrSpecs, AttrValues } from '../../../ir/attrs.js';
import { type DType, isInteger } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import * as ops from '../../../ir/ops/elementwise.js';
import { ensureInference, geluApproximation } from '../../../ir/ops/activation.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { OpSpec } from '../../../ir/ops/spec.js';
import { allocData } from '../../../ir/tensor.js';
import { mapUnary } from '../broadcast.js';
import { defineCheckedKernel } from './checked-kernel.js';
import { required } from './args.js';
import { erf, gelu, geluTanh, roundHalfEven, sigmoid, softplus } from './scalar-math.js';

type ScalarFn = (x: number) => number;

/** Registers a kernel that maps `make(attrs)` over its one input, keeping the dtype unless `out` says. */
function unaryKernel<S extends AttrSpecs>(
  spec: OpSpec<S>,
  make: (attrs: AttrValues<S>, node: Node, dtype: DType) => ScalarFn,
  out: (dtype: DType) => DType = (d) => d,
): void {
  defineCheckedKernel(spec, (inputs, attrs, node) => {
    const x = required(inputs, 0, node);
    return [mapUnary(x, out(x.dtype), make(attrs, node, x.dtype))];
  });
}

const plain = (fn: ScalarFn) => () => fn;

unaryKernel(ops.Abs, plain(Math.abs));
unaryKernel(ops.Neg, plain((x) => -x));
// numpy's sign: +0 for either zero, NaN for NaN.
unaryKernel(ops.Sign, plain((x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN)));
unaryKernel(ops.Exp, plain(Math.exp));
unaryKernel(ops.Log, plain(Math.log));
unaryKernel(ops.Sqrt, plain(Math.sqrt));
unaryKernel(ops.Reciprocal, plain((x) => 1 / x));
unaryKernel(ops.Floor, plain(Math.floor));
unaryKernel(ops.Ceil, plain(Math.ceil));
unaryKernel(ops.Round, plain(roundHalfEven));
unaryKernel(ops.Sin, plain(Math.sin));
unaryKernel(ops.Cos, plain(Math.cos));
unaryKernel(ops.Tan, plain(Math.tan));
unaryKernel(ops.Asin, plain(Math.asin));
unaryKernel(ops.Acos, plain(Math.acos));
unaryKernel(ops.Atan, plain(Math.atan));
unaryKernel(ops.Sinh, plain(Math.sinh));
unaryKernel(ops.Cosh, plain(Math.cosh));
unaryKernel(ops.Asinh, plain(Math.asinh));
unaryKernel(ops.Acosh, plain(Math.acosh));
unaryKernel(ops.Atanh, plain(Math.atanh));
unaryKernel(ops.Tanh, plain(Math.tanh));
unaryKernel(ops.Sigmoid, plain(sigmoid));
unaryKernel(ops.Erf, (_attrs, _node, dtype) => (isInteger(dtype) ? (x) => Math.trunc(erf(x)) : erf));

unaryKernel(ops.IsNaN, plain((x) => (Number.isNaN(x) ? 1 : 0)), () => 'bool');
unaryKernel(ops.IsInf, ({ detect_negative: neg, detect_positive: pos }) => (x) =>
  (pos !== 0 && x === Infinity) || (neg !== 0 && x === -Infinity) ? 1 : 0, () => 'bool');

unaryKernel(ops.Relu, plain((x) => (x < 0 ? 0 : x)));
unaryKernel(ops.LeakyRelu, ({ alpha }) => (x) => (x < 0 ? alpha * x : x));
unaryKernel(ops.Elu, ({ alpha }) => (x) => (x < 0 ? alpha * Math.expm1(x) : x));
unaryKernel(ops.Selu, ({ alpha, gamma }) => (x) => (x <= 0 ? gamma * alpha * Math.expm1(x) : gamma * x));
unaryKernel(ops.Celu, ({ alpha }) => (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)));
unaryKernel(ops.ThresholdedRelu, ({ alpha }) => (x) => (x > alpha ? x : 0));
unaryKernel(ops.HardSigmoid, ({ alpha, beta }) => (x) => Math.max(0, Math.min(1, alpha * x + beta)));
unaryKernel(ops.HardSwish, plain((x) => x * Math.max(0, Math.min(1, x / 6 + 0.5))));
unaryKernel(ops.Softplus, plain(softplus));
unaryKernel(ops.Softsign, plain((x) => x / (1 + Math.abs(x))));
unaryKernel(ops.Mish, plain((x) => x * Math.tanh(softplus(x))));

unaryKernel(ops.Gelu, ({ approximate }, node) => (geluApproximation(node, approximate) === 'tanh' ? geluTanh : gelu));

unaryKernel(ops.Not, plain((x) => (x === 0 ? 1 : 0)));
unaryKernel(ops.BitwiseNot, (_attrs, _node, dtype) => {
  if (dtype === 'int64') return (x) => Number(BigInt.asIntN(64, ~BigInt(x)));
  if (dtype === 'uint64') return (x) => Number(BigInt.asUintN(64, ~BigInt(x)));
  return (x) => ~x; // the store wraps the int32 result to the dtype's width
});

defineCheckedKernel(ops.Identity, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  return [{ dtype: x.dtype, shape: [...x.shape], data: x.data.slice() }];
});

defineCheckedKernel(ops.Clip, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  const bound = (i: number, absent: number): number => {
    const t = inputs[i];
    if (t === undefined) return absent;
    if (t.data.length !== 1) throw opError(node, `${i === 1 ? 'min' : 'max'} must be a scalar, found shape [${t.shape.join(', ')}]`);
    return t.data[0]!;
  };
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  // min > max clamps everything to max, as ONNX specifies; NaN stays NaN.
  return [mapUnary(x, x.dtype, (v) => Math.min(Math.max(v, lo), hi))];
});

defineCheckedKernel(ops.Dropout, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  const training = inputs[2];
  if (training !== undefined) ensureInference(node, training.data[0] ?? 0);
  const output = { dtype: x.dtype, shape: [...x.shape], data: x.data.slice() };
  if (node.outputs.length < 2 || node.outputs[1] === '') return [output];
  const mask = allocData('bool', x.data.length).fill(1);
  return [output, { dtype: 'bool', shape: [...x.shape], data: mask }];
});

