// The activation rules, in the order the driver tries them at a node. SiLU stays unfused
// (x · Sigmoid(x), see silu.ts): the Linear and GatedMLP rules consume it directly.
import type { Rule } from '../rule.js';
import { GELU_RULES } from './gelu.js';

export const ACTIVATION_RULES: readonly Rule[] = [...GELU_RULES];
