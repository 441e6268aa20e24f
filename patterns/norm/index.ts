// The norm rules, in the order the driver tries them at a node. The first stage turns
// each exporter's form into LayerNorm / RMSNorm; the second folds a following bias and a
// preceding residual Add (skip.ts) into the canonical op.
import type { Rule } from '../rule.js';
import { layerNormBias, layerNormDecomposed, layerNormOp } from './layer-norm.js';
import { rmsNormDecomposed, rmsNormOp } from './rms-norm.js';
import { rmsNormPow } from './rms-pow.js';
import { skipLayerNorm, skipRmsNorm } from './skip.js';

export const NORM_RULES: readonly Rule[] = [
  layerNormOp, layerNormDecomposed, layerNormBias,
  rmsNormOp, rmsNormDecomposed, rmsNormPow,
  skipLayerNorm, skipRmsNorm,
];
