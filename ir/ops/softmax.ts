// Op specs: Softmax, LogSoftmax, Hardmax along one axis (opset 13 semantics, axis default -1).
import { attr } from '../attrs.js';
import { ONNX_DOMAIN } from '../graph.js';
import { tensorType } from '../types.js';
import { typedInput } from './nn-checks.js';
import { normalizeAxis } from './shape-util.js';
import { type OpSpec, defineOp } from './spec.js';

const axisAttrs = { axis: attr.int.default(-1) };

function defineAxisOp(name: string, doc: string): OpSpec<typeof axisAttrs> {
  return defineOp({
    domain: ONNX_DOMAIN,
    name,
    inputs: [{ name: 'input' }],
    outputs: [{ name: 'output' }],
    attrs: axisAttrs,
    doc,
    infer: (ctx) => {
      const x = typedInput(ctx, 0, 'input');
      if (x.shape !== undefined) normalizeAxis(ctx.node, ctx.attrs.axis, Math.max(1, x.shape.length));
      return [tensorType(x.dtype, x.shape)];
    },
  });
}

export const Softmax = defineAxisOp('Softmax', 'exp(x - max) / sum(exp(x - max)) along axis.');
export const LogSoftmax = defineAxisOp('LogSoftmax', 'x - max - log(sum(exp(x - max))) along axis.');
export const Hardmax = defineAxisOp('Hardmax', 'One-hot of the first maximum along axis.');
