// Elementwise aten ops: arithmetic with Python-scalar operands and PyTorch type promotion,
// comparisons, logic, where/masked_fill/clamp. The export records every output's dtype, so
// arithmetic computes in that dtype; comparisons compute in the promoted input dtype.
import { intAttr } from '../../../attrs.js';
import { isFloat, onnxCode } from '../../../dtype.js';
import { tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { operandValue, promotedType } from './common.js';
import { lowering, withInPlace } from './registry.js';

/** a OP b in the output dtype, with `alpha` scaling b (add, sub). */
function arithmetic(op: string, a = 'self', b = 'other') {
  return (n: AtenNode) => {
    const dtype = n.outType().dtype;
    const x = operandValue(n, a, dtype);
    const y = scaledByAlpha(n, operandValue(n, b, dtype), dtype);
    n.emit(op, [x, y]);
  };
}

function scaledByAlpha(n: AtenNode, value: string, dtype: ReturnType<AtenNode['outType']>['dtype']): string {
  const alpha = n.float('alpha', 1);
  if (alpha === 1) return value;
  const factor = n.scalarConst('alpha', dtype, alpha);
  return n.helper('scaled', 'Mul', [value, factor], {}, n.typeOf(value));
}

lowering(withInPlace(['aten.add.Tensor', 'aten.add.Scalar']), arithmetic('Add'));
lowering(withInPlace(['aten.sub.Tensor', 'aten.sub.Scalar']), arithmetic('Sub'));
lowering(withInPlace(['aten.mul.Tensor', 'aten.mul.Scalar']), arithmetic('Mul'));
lowering(['aten.rsub.Tensor', 'aten.rsub.Scalar'], arithmetic('Sub', 'other', 'self'));
lowering(['aten.pow.Tensor_Scalar', 'aten.pow.Tensor_Tensor', 'aten.pow.Scalar', 'aten.pow_.Scalar', 'aten.pow_.Tensor'], arithmetic('Pow', 'self', 'exponent'));
lowering(['aten.minimum.default', 'aten.min.other', 'aten.fmin.default'], arithmetic('Min'));
lowering(['aten.maximum.default', 'aten.max.other', 'aten.fmax.default'], arithmetic('Max'));
lowering(withInPlace(['aten.fmod.Tensor', 'aten.fmod.Scalar']), (n) => {
  const dtype = n.outType().dtype;
  n.emit('Mod', [operandValue(n, 'self', dtype), operandValue(n, 'other', dtype)], { fmod: intAttr(1) });
});

// True division computes in the (float) output dtype; rounding modes go through float64 for
// integers so that floor and trunc are exact up to 2^53.
lowering(withInPlace(['aten.div.Tensor', 'aten.div.Scalar', 'aten.div.Tensor_mode', 'aten.div.Scalar_mode', 'aten.true_divide.Tensor']), (n) => {
  const mode = n.has('rounding_mode') ? n.str('rounding_mode', '') : undefined;
  if (mode === undefined) {
    arithmetic('Div')(n);
    return;
  }
  if (mode !== 'floor' && mode !== 'trunc') throw n.fail(`unknown rounding_mode '${mode}'`);
  roundedDivision(n, mode);
});
lowering(['aten.floor_divide.default', 'aten.floor_divide.Scalar'], (n) => roundedDivision(n, 'floor'));

function roundedDivision(n: AtenNode, mode: 'floor' | 'trunc'): void {
  const out = n.outType();
  const work = isFloat(out.dtype) ? out.dtype : 'float64';
  const q = n.helper('quotient', 'Div', [operandValue(n, 'self', work), operandValue(n, 'other', work)], {}, tensorType(work, out.shape));
  if (!isFloat(out.dtype)) {
    // Cast to an integer type truncates toward zero.
    const rounded = mode === 'floor' ? n.helper('floor', 'Floor', [q], {}, tensorType(work, out.shape)) : q;
    n.emit('Cast', [rounded], { to: intAttr(onnxCode(out.dtype)) });
    return;
  }
  if (mode === 'floor') {
    n.emit('Floor', [q]);
    return;
  }
  const t = tensorType(work, out.shape);
  const negative = n.helper('negative', 'Less', [q, n.scalarConst('zero', work, 0)], {}, tensorType('bool', out.shape));
  n.emit('Where', [negative, n.helper('ceil', 'Ceil', [q], {}, t), n.helper('floor', 'Floor', [q], {}, t)]);
}

// Python's remainder takes the sign of the divisor: ONNX Mod for integers, a - floor(a/b)*b for floats.
lowering(withInPlace(['aten.remainder.Tensor', 'aten.remainder.Scalar']), (n) => {
  const out = n.outType();
  const a = operandValue(n, 'self', out.dtype);
  const b = operandValue(n, 'other', out.dtype);
  if (!isFloat(out.dtype)) {
    n.emit('Mod', [a, b], { fmod: intAttr(0) });
    return;
  }
  const q = n.helper('quotient', 'Div', [a, b], {}, out);
  const whole = n.helper('times', 'Mul', [n.helper('floor', 'Floor', [q], {}, out), b], {}, out);
  n.emit('Sub', [a, whole]);
});

/** A comparison computed in the promoted dtype of its operands. */
function comparison(op: string, negate = false) {
  return (n: AtenNode) => {
    const dtype = promotedType(n, ['self', 'other']);
    const inputs = [operandValue(n, 'self', dtype), operandValue(n, 'other', dtype)];
    if (!negate) {
      n.emit(op, inputs);
      return;
    }
    n.emit('Not', [n.helper('equal', op, inputs, {}, tensorType('bool', n.outType().shape))]);
  };
}

lowering(['aten.eq.Tensor', 'aten.eq.Scalar'], comparison('Equal'));
lowering(['aten.ne.Tensor', 'aten.ne.Scalar'], comparison('Equal', true));
lowering(['aten.lt.Tensor', 'aten.lt.Scalar'], comparison('Less'));
lowering(['aten.le.Tensor', 'aten.le.Scalar'], comparison('LessOrEqual'));
lowering(['aten.gt.Tensor', 'aten.gt.Scalar'], comparison('Greater'));
lowering(['aten.ge.Tensor', 'aten.ge.Scalar'], comparison('GreaterOrEqual'));

/** Logical ops on bool outputs, bitwise ops on integer outputs. */
function logic(boolOp: string, bitwiseOp: string) {
  return (n: AtenNode) => {
    const dtype = n.outType().dtype;
    n.emit(dtype === 'bool' ? boolOp : bitwiseOp, [operandValue(n, 'self', dtype), operandValue(n, 'other', dtype)]);
  };
}

lowering(withInPlace(['aten.__and__.Tensor', 'aten.__and__.Scalar', 'aten.bitwise_and.Tensor', 'aten.bitwise_and.Scalar', 'aten.logical_and.default']), logic('And', 'BitwiseAnd'));
lowering(withInPlace(['aten.__or__.Tensor', 'aten.__or__.Scalar', 'aten.bitwise_or.Tensor', 'aten.bitwise_or.Scalar', 'aten.logical_or.default']), logic('Or', 'BitwiseOr'));
lowering(withInPlace(['aten.__xor__.Tensor', 'aten.__xor__.Scalar', 'aten.bitwise_xor.Tensor', 'aten.bitwise_xor.Scalar', 'aten.logical_xor.default']), logic('Xor', 'BitwiseXor'));
lowering(['aten.logical_not.default', 'aten.bitwise_not.default'], (n) => {
  const dtype = n.outType().dtype;
  const x = n.cast(n.tensor('self'), dtype);
  n.emit(dtype === 'bool' ? 'Not' : 'BitwiseNot', [x]);
});

// where(cond, a, b) and masked_fill(x, mask, v) = where(mask, v, x), in the output dtype.
lowering(['aten.where.self', 'aten.where.ScalarOther', 'aten.where.ScalarSelf', 'aten.where.Scalar'], (n) => {
  const dtype = n.outType().dtype;
  const cond = n.cast(n.tensor('condition'), 'bool');
  n.emit('Where', [cond, operandValue(n, 'self', dtype), operandValue(n, 'other', dtype)]);
});
lowering(withInPlace(['aten.masked_fill.Scalar', 'aten.masked_fill.Tensor']), (n) => {
  const dtype = n.outType().dtype;
  const mask = n.cast(n.tensor('mask'), 'bool');
  n.emit('Where', [mask, operandValue(n, 'value', dtype), operandValue(n, 'self', dtype)]);
});

// Clip takes scalar bounds; tensor bounds broadcast, so they become Max then Min.
lowering(withInPlace(['aten.clamp.default', 'aten.clamp.Tensor', 'aten.clip.default', 'aten.clamp_min.default', 'aten.clamp_max.default', 'aten.clamp_min.Tensor', 'aten.clamp_max.Tensor']), (n) => {
  const dtype = n.outType().dtype;
  const x = operandValue(n, 'self', dtype);
  const lo = n.has('min') ? operandValue(n, 'min', dtype) : '';
  const hi = n.has('max') ? operandValue(n, 'max', dtype) : '';
  const tensorBounds = n.arg('min')?.as_tensor !== undefined || n.arg('max')?.as_tensor !== undefined;
  if (!tensorBounds) n.emit('Clip', [x, lo, hi]);
  else if (lo === '') n.emit('Min', [x, hi]);
  else if (hi === '') n.emit('Max', [x, lo]);
  else n.emit('Min', [n.helper('lower', 'Max', [x, lo], {}, tensorType(dtype, n.outType().shape)), hi]);
});
