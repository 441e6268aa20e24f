// The built-in rule library: every family, in the order the driver tries them at a node.
import type { Rule } from './rule.js';
import { CANONICAL_RULES } from './canonical/index.js';
import { ATTENTION_RULES } from './attention/index.js';
import { NORM_RULES } from './norm/index.js';
import { ACTIVATION_RULES } from './activation/index.js';
import { LINEAR_RULES } from './linear/index.js';
import { ROTARY_RULES } from './rotary/index.js';

export const BUILTIN_RULES: readonly Rule[] = [
  ...CANONICAL_RULES,
  ...ATTENTION_RULES,
  ...NORM_RULES,
  ...ACTIVATION_RULES,
  ...ROTARY_RULES,
  ...LINEAR_RULES,
];
