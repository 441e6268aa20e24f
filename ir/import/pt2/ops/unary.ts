// Unary math and activations. An integer input of an op with a float result (log of an
// int64 tensor) is cast to the output dtype first, as PyTorch promotes it.
import { floatAttr, intAttr, stringAttr, tensorAttr } from '../../../attrs.js';
import { onnxCode } from '../../../dtype.js';
import { makeTensor } from '../../../tensor.js';
import { tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { normAxis } from './common.js';
import { lowering, withInPlace } from './registry.js';

/** The `self` input in the output dtype. */
function input(n: AtenNode): string {
  return n.cast(n.tensor('self'), n.outType().dtype);
}

const SIMPLE: Readonly<Record<string, string>> = {
  abs: 'Abs', neg: 'Neg', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', sin: 'Sin', cos: 'Cos', tan: 'Tan',
  tanh: 'Tanh', sigmoid: 'Sigmoid', erf: 'Erf', relu: 'Relu', floor: 'Floor', ceil: 'Ceil',
  reciprocal: 'Reciprocal', sign: 'Sign', round: 'Round', asin: 'Asin', acos: 'Acos', atan: 'Atan',
  sinh: 'Sinh', cosh: 'Cosh', asinh: 'Asinh', acosh: 'Acosh', atanh: 'Atanh', mish: 'Mish',
  hardswish: 'HardSwish',
};

for (const [aten, onnx] of Object.entries(SIMPLE)) {
  lowering(withInPlace([`aten.${aten}.default`]), (n) => {
    n.emit(onnx, [input(n)]);
  });
}

// Predicates look at the input as it is; only the result is bool.
lowering(['aten.isnan.default'], (n) => {
  n.emit('IsNaN', [n.tensor('self')]);
});
lowering(['aten.isinf.default'], (n) => {
  n.emit('IsInf', [n.tensor('self')]);
});

// rsqrt(x) = 1 / sqrt(x): ONNX has no Rsqrt.
lowering(withInPlace(['aten.rsqrt.default']), (n) => {
  const x = input(n);
  n.emit('Reciprocal', [n.helper('sqrt', 'Sqrt', [x], {}, n.typeOf(x))]);
});

// silu(x) = x * sigmoid(x).
lowering(withInPlace(['aten.silu.default']), (n) => {
  const x = input(n);
  n.emit('Mul', [x, n.helper('sigmoid', 'Sigmoid', [x], {}, n.typeOf(x))]);
});

lowering(withInPlace(['aten.gelu.default']), (n) => {
  const approximate = n.str('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') throw n.fail(`unknown GELU approximation '${approximate}'`);
  n.emit('Gelu', [input(n)], { approximate: stringAttr(approximate) });
});

lowering(withInPlace(['aten.leaky_relu.default']), (n) => {
  n.emit('LeakyRelu', [input(n)], { alpha: floatAttr(n.float('negative_slope', 0.01)) });
});

lowering(withInPlace(['aten.elu.default']), (n) => {
  if (n.float('scale', 1) !== 1 || n.float('input_scale', 1) !== 1) throw n.fail('elu with scale or input_scale is not supported');
  n.emit('Elu', [input(n)], { alpha: floatAttr(n.float('alpha', 1)) });
});

lowering(withInPlace(['aten.hardtanh.default', 'aten.relu6.default']), (n) => {
  const dtype = n.outType().dtype;
  const relu6 = n.target.includes('relu6');
  const lo = n.scalarConst('min', dtype, relu6 ? 0 : n.float('min_val', -1));
  const hi = n.scalarConst('max', dtype, relu6 ? 6 : n.float('max_val', 1));
  n.emit('Clip', [input(n), lo, hi]);
});

lowering(withInPlace(['aten.hardsigmoid.default']), (n) => {
  n.emit('HardSigmoid', [input(n)], { alpha: floatAttr(1 / 6), beta: floatAttr(0.5) });
});

// softplus(x) = log(1 + exp(beta x)) / beta; past the threshold PyTorch returns x, which
// differs from the formula by less than exp(-threshold).
lowering(['aten.softplus.default'], (n) => {
  const beta = n.float('beta', 1);
  const x = input(n);
  if (beta === 1) {
    n.emit('Softplus', [x]);
    return;
  }
  const t = n.typeOf(x);
  const b = n.scalarConst('beta', t.dtype, beta);
  const soft = n.helper('softplus', 'Softplus', [n.helper('scaled', 'Mul', [x, b], {}, t)], {}, t);
  n.emit('Div', [soft, b]);
});

/** softmax / log_softmax over `dim`, in the output dtype (the `dtype` argument or half_to_float). */
function softmax(op: string) {
  return (n: AtenNode) => {
    const x = input(n);
    n.emit(op, [x], { axis: intAttr(normAxis(n, n.int('dim'), n.rankOf(x))) });
  };
}

lowering(['aten.softmax.int', 'aten._softmax.default', 'aten.special_softmax.default'], softmax('Softmax'));
lowering(['aten.log_softmax.int', 'aten._log_softmax.default'], softmax('LogSoftmax'));

// Dropout at inference is the identity; so are the copies and detaches of a functional graph.
lowering(
  [
    'aten.dropout.default', 'aten.dropout_.default', 'aten.feature_dropout.default', 'aten.alpha_dropout.default',
    'aten.native_dropout.default', 'aten.contiguous.default', 'aten.clone.default', 'aten.alias.default',
    'aten.detach.default', 'aten.detach_.default', 'aten.lift_fresh_copy.default', 'aten.lift_fresh.default',
    'aten.copy.default', 'aten.positive.default', 'aten.resolve_conj.default', 'aten.resolve_neg.default',
  ],
  (n) => {
    const x = n.tensor(n.has('self') ? 'self' : 'input');
    n.alias(x);
    if (n.target === 'aten.native_dropout.default' && n.fxOutputs[1] !== undefined) {
      // The keep-mask of an inference dropout keeps everything.
      const shape = n.helper('shape', 'Shape', [x], {}, tensorType('int64', [n.rankOf(x)]));
      n.emit('ConstantOfShape', [shape], { value: tensorAttr(makeTensor('bool', [1], [1])) }, { outputs: [1] });
    }
  },
);

// Dtype and device conversions: a Cast when the dtype changes, nothing otherwise.
lowering(
  ['aten.to.dtype', 'aten.to.dtype_layout', 'aten.to.device', 'aten.to.other', 'aten._to_copy.default', 'aten.type_as.default', 'aten._to_dim_order_copy.default'],
  (n) => {
    const x = n.tensor('self');
    const out = n.outType().dtype;
    if (n.typeOf(x).dtype === out) n.alias(x);
    else n.emit('Cast', [x], { to: intAttr(onnxCode(out)) });
  },
);
