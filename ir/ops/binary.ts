// Op specs: broadcasting arithmetic (Add .. Mod), the variadic Max/Min/Sum/Mean, and Where.
import { type AttrSpecs, attr } from '../attrs.js';
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { ALL_TYPES, BOOL, FLOATS, NUMERIC, broadcastType, checkedDType, sameDTypes } from './elementwise-types.js';
import { opError } from './shape-util.js';
import { type InferContext, defineOp } from './spec.js';

interface BinaryOptions<S extends AttrSpecs> {
  /** The output dtype for the inputs' dtype (comparisons give bool); the same by default. */
  readonly output?: (input: DType) => DType;
  /** Checks attributes against the inputs' dtype. */
  readonly check?: (ctx: InferContext<S>, dtype: DType) => void;
}

/** Declares a two-input op with numpy broadcasting; both inputs share one of `allowed`. */
export function defineBinary<const S extends AttrSpecs>(
  name: string,
  allowed: readonly DType[],
  doc: string,
  attrs: S,
  options: BinaryOptions<S> = {},
) {
  return defineOp({
    domain: ONNX_DOMAIN,
    name,
    inputs: [{ name: 'A' }, { name: 'B' }],
    outputs: [{ name: 'C' }],
    attrs,
    doc,
    infer: (ctx) => {
      checkedDType(ctx, 0, allowed);
      const dtype = sameDTypes(ctx, [0, 1]);
      options.check?.(ctx, dtype);
      return [broadcastType(ctx, options.output?.(dtype) ?? dtype, [0, 1])];
    },
  });
}

export const Add = defineBinary('Add', NUMERIC, 'a + b, broadcasting.', {});
export const Sub = defineBinary('Sub', NUMERIC, 'a - b, broadcasting.', {});
export const Mul = defineBinary('Mul', NUMERIC, 'a * b, broadcasting.', {});
export const Div = defineBinary('Div', NUMERIC, 'a / b, broadcasting; integers truncate toward zero.', {});
export const Mod = defineBinary('Mod', NUMERIC, 'Remainder: sign of the divisor, or of the dividend with fmod=1.', {
  fmod: attr.int.default(0),
}, { check: (ctx, dtype) => void modIsFmod(ctx.node, ctx.attrs.fmod, dtype) });

/** Mod's fmod flag; floats have no integer-style remainder in ONNX, so they need fmod=1. */
export function modIsFmod(node: Node, fmod: number, dtype: DType): boolean {
  if (fmod !== 0 && fmod !== 1) throw opError(node, `fmod must be 0 or 1, found ${fmod}`);
  if (fmod === 0 && isFloat(dtype)) throw opError(node, `Mod on ${dtype} needs fmod=1 (ONNX defines no integer-style remainder for floats)`);
  return fmod === 1;
}

export const Pow = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Pow',
  inputs: [{ name: 'X' }, { name: 'Y' }],
  outputs: [{ name: 'Z' }],
  attrs: {},
  doc: 'x ^ y, broadcasting; the exponent may have another numeric dtype.',
  infer: (ctx) => {
    const dtype = checkedDType(ctx, 0, [...FLOATS, 'int32', 'int64'], 'X');
    checkedDType(ctx, 1, NUMERIC, 'Y');
    return [broadcastType(ctx, dtype, [0, 1])];
  },
});

/** Declares a variadic broadcasting op over one to any number of inputs of one of `allowed`. */
function defineVariadic(name: string, allowed: readonly DType[], doc: string) {
  return defineOp({
    domain: ONNX_DOMAIN,
    name,
    inputs: [{ name: 'data_0', variadic: true }],
    outputs: [{ name: name.toLowerCase() }],
    attrs: {},
    doc,
    infer: (ctx) => {
      if (ctx.inputs.length === 0) throw opError(ctx.node, `${name} needs at least one input`);
      checkedDType(ctx, 0, allowed);
      const all = ctx.inputs.map((_, i) => i);
      return [broadcastType(ctx, sameDTypes(ctx, all), all)];
    },
  });
}

export const Max = defineVariadic('Max', NUMERIC, 'Elementwise maximum of the inputs, broadcasting; NaN wins.');
export const Min = defineVariadic('Min', NUMERIC, 'Elementwise minimum of the inputs, broadcasting; NaN wins.');
export const Sum = defineVariadic('Sum', FLOATS, 'Elementwise sum of the inputs, broadcasting.');
export const Mean = defineVariadic('Mean', FLOATS, 'Elementwise mean of the inputs, broadcasting.');

export const Where = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Where',
  inputs: [{ name: 'condition' }, { name: 'X' }, { name: 'Y' }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'x where condition, else y; all three broadcast.',
  infer: (ctx) => {
    checkedDType(ctx, 0, BOOL, 'condition');
    checkedDType(ctx, 1, ALL_TYPES, 'X');
    return [broadcastType(ctx, sameDTypes(ctx, [1, 2]), [0, 1, 2])];
  },
});
