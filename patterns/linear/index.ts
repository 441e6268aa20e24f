// The linear rules, in the order the driver tries them at a node. Projections first become
// solder::Linear (MatMul, Gemm, GPT-2's flattened addmm); epilogues then fold into them, and
// the gate and the QKV packing are written against that canonical form:
// - linear/matmul defers to linear/matmul-add when a bias Add follows (one step, one Linear);
// - activations fold before residuals, the order Linear applies them; a residual Add read by
//   a norm is left to the norm rules (SkipLayerNorm / SkipRMSNorm);
// - linear/gated-mlp matches Linear(x, Wg, act=silu|gelu) * Linear(x, Wu), after the folds;
// - linear/pack-qkv is rooted at solder::Attention, so it only runs after attention fusion.
import type { Rule } from '../rule.js';
import { linearGelu, linearRelu, linearResidual, linearSigmoid, linearSilu, linearTanh } from './epilogue.js';
import { gatedMlp } from './gated-mlp.js';
import { gemmLinear } from './gemm.js';
import { matmulAdd, matmulBare } from './matmul.js';
import { packQkv } from './pack-qkv.js';
import { unflattenLinear } from './unflatten.js';

export const LINEAR_RULES: readonly Rule[] = [
  matmulAdd, matmulBare, gemmLinear, unflattenLinear,
  linearGelu, linearSilu, linearRelu, linearTanh, linearSigmoid, linearResidual,
  gatedMlp,
  packQkv,
];
