// Op specs: Cast and CastLike.
import { attr } from '../attrs.js';
import { type DType, dtypeFromOnnx } from '../dtype.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { ALL_TYPES, checkedDType } from './elementwise-types.js';
import { inputType, opError } from './shape-util.js';
import { defineOp } from './spec.js';

/** Cast's target dtype from its `to` code; a user error naming the node for types solder lacks. */
export function castTarget(node: Node, to: number): DType {
  const dtype = dtypeFromOnnx(to);
  if (dtype === undefined || dtype === 'string') {
    throw opError(node, `cannot cast to ONNX type ${to}: solder supports ${ALL_TYPES.join(', ')}`);
  }
  return dtype;
}

export const Cast = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Cast',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  // saturate only changes casts to float8 types, which solder does not have.
  attrs: { to: attr.int.required(), saturate: attr.int.default(1) },
  doc: 'Converts to the dtype `to`: floats truncate toward zero into integers, nonzero is true.',
  infer: (ctx) => {
    checkedDType(ctx, 0, ALL_TYPES);
    return [tensorType(castTarget(ctx.node, ctx.attrs.to), inputType(ctx, 0).shape)];
  },
});

export const CastLike = defineOp({
  domain: ONNX_DOMAIN,
  name: 'CastLike',
  inputs: [{ name: 'input' }, { name: 'target_type' }],
  outputs: [{ name: 'output' }],
  attrs: { saturate: attr.int.default(1) },
  doc: 'Converts to the dtype of target_type.',
  infer: (ctx) => {
    checkedDType(ctx, 0, ALL_TYPES);
    const target = checkedDType(ctx, 1, ALL_TYPES, 'target_type');
    return [tensorType(target, inputType(ctx, 0).shape)];
  },
});
