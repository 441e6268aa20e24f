// Lowerings of the norms. ONNX Runtime's CPU provider runs LayerNormalization (opset 17),
// RMSNormalization (opset 23) and the contrib Skip(Simplified)LayerNormalization, whose
// fourth output is the residual sum. The contrib Skip ops only take x of rank 2 or 3
// normalized over the last dim, a skip of x's shape (or [seq, hidden], [1, seq, hidden])
// and 1-D weights; anything else becomes Add + the standard norm, which is the same math.
import { floatAttr } from '../../ir/attrs.js';
import { type Dim, dimEq } from '../../ir/dim.js';
import { LayerNorm, RMSNorm, SkipLayerNorm, SkipRMSNorm } from '../../ir/ops/fused/norm.js';
import { readAttrs } from '../../ir/ops/spec.js';
import { tensorFromBytes } from '../../ir/tensor.js';
import { type LoweringContext, inputInitializer, inputName, inputType, outputName, requiredName } from './context.js';
import { MS_DOMAIN } from './emit.js';

const LAYER_NORM_OPSET = 17;
const RMS_NORM_OPSET = 23;

export function lowerLayerNorm(ctx: LoweringContext): string {
  const { axis, epsilon } = readAttrs(LayerNorm, ctx.node);
  layerNormalization(ctx, requiredName(ctx.node, 0), { weight: 1, bias: 2 }, axis, epsilon);
  return 'LayerNormalization';
}

export function lowerRMSNorm(ctx: LoweringContext): string {
  const { axis, epsilon, offset } = readAttrs(RMSNorm, ctx.node);
  const weight = offsetWeight(ctx, 1, offset);
  ctx.emit.node('RMSNormalization', [requiredName(ctx.node, 0), weight], { axis, epsilon: floatAttr(epsilon) }, { outputs: [ctx.node.outputs[0]!], opset: RMS_NORM_OPSET });
  return offset === 0 ? 'RMSNormalization' : 'RMSNormalization (weight + 1)';
}

export function lowerSkipLayerNorm(ctx: LoweringContext): string {
  const { axis, epsilon } = readAttrs(SkipLayerNorm, ctx.node);
  const bias = inputName(ctx.node, 3);
  if (fitsContribSkip(ctx, axis)) {
    const inputs = [requiredName(ctx.node, 0), requiredName(ctx.node, 1), requiredName(ctx.node, 2), ...(bias === undefined ? [] : [bias])];
    ctx.emit.node('SkipLayerNormalization', inputs, { epsilon: floatAttr(epsilon) }, { domain: MS_DOMAIN, outputs: skipOutputs(ctx) });
    return 'com.microsoft::SkipLayerNormalization';
  }
  layerNormalization(ctx, residualSum(ctx), { weight: 2, bias: 3 }, axis, epsilon);
  return 'Add + LayerNormalization';
}

export function lowerSkipRMSNorm(ctx: LoweringContext): string {
  const { axis, epsilon, offset } = readAttrs(SkipRMSNorm, ctx.node);
  const weight = offsetWeight(ctx, 2, offset);
  const suffix = offset === 0 ? '' : ' (weight + 1)';
  if (fitsContribSkip(ctx, axis)) {
    const inputs = [requiredName(ctx.node, 0), requiredName(ctx.node, 1), weight];
    ctx.emit.node('SkipSimplifiedLayerNormalization', inputs, { epsilon: floatAttr(epsilon) }, { domain: MS_DOMAIN, outputs: skipOutputs(ctx) });
    return `com.microsoft::SkipSimplifiedLayerNormalization${suffix}`;
  }
  const sum = residualSum(ctx);
  ctx.emit.node('RMSNormalization', [sum, weight], { axis, epsilon: floatAttr(epsilon) }, { outputs: [ctx.node.outputs[0]!], opset: RMS_NORM_OPSET });
  return `Add + RMSNormalization${suffix}`;
}

/** LayerNormalization of x with the weight and optional bias at the given input positions. */
function layerNormalization(ctx: LoweringContext, x: string, at: { weight: number; bias: number }, axis: number, epsilon: number): void {
  const bias = inputName(ctx.node, at.bias);
  const inputs = [x, requiredName(ctx.node, at.weight), ...(bias === undefined ? [] : [bias])];
  ctx.emit.node('LayerNormalization', inputs, { axis, epsilon: floatAttr(epsilon) }, { outputs: [ctx.node.outputs[0]!], opset: LAYER_NORM_OPSET });
}

/** x + skip, written to the fused node's sum output when the graph uses it. */
function residualSum(ctx: LoweringContext): string {
  const sum = outputName(ctx.node, 1);
  return ctx.emit.one('Add', [requiredName(ctx.node, 0), requiredName(ctx.node, 1)], {}, sum === undefined ? {} : { outputs: [sum] });
}

/** The contrib Skip ops' outputs: output, mean, inv_std_var, input_skip_bias_sum. */
function skipOutputs(ctx: LoweringContext): string[] {
  const sum = outputName(ctx.node, 1);
  return sum === undefined ? [ctx.node.outputs[0]!] : [ctx.node.outputs[0]!, '', '', sum];
}

/** RMSNorm's (offset + weight): folded into a new initializer when the weight is one. */
function offsetWeight(ctx: LoweringContext, i: number, offset: number): string {
  const weight = requiredName(ctx.node, i);
  if (offset === 0) return weight;
  const init = inputInitializer(ctx, i);
  if (init !== undefined) {
    const t = tensorFromBytes(init.dtype, init.shape, init.bytes.read());
    return ctx.emit.tensor('weight_plus_1', { ...t, data: t.data.map((v) => v + offset) });
  }
  const dtype = inputType(ctx, i)?.dtype ?? 'float32';
  return ctx.emit.one('Add', [weight, ctx.emit.constant('one', dtype, [offset], [])]);
}

/** Whether ORT's contrib Skip*LayerNormalization accepts this node's shapes (see the header). */
function fitsContribSkip(ctx: LoweringContext, axis: number): boolean {
  const [x, skip, weight] = [inputType(ctx, 0), inputType(ctx, 1), inputType(ctx, 2)];
  const bias = inputType(ctx, 3);
  if (x?.shape === undefined || skip?.shape === undefined || weight?.shape === undefined) return false;
  if (x.dtype !== 'float32' && x.dtype !== 'float16') return false;
  const rank = x.shape.length;
  if ((rank !== 2 && rank !== 3) || (axis !== -1 && axis !== rank - 1)) return false;
  const hidden = x.shape[rank - 1]!;
  const isVector = (s: readonly Dim[] | undefined) => s !== undefined && s.length === 1 && dimEq(s[0]!, hidden);
  if (!isVector(weight.shape) || (bias !== undefined && !isVector(bias.shape))) return false;
  return sameDims(skip.shape, x.shape) || (rank === 3 && (sameDims(skip.shape, x.shape.slice(1)) || sameDims(skip.shape, [1, ...x.shape.slice(1)])));
}

function sameDims(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i]!));
}
