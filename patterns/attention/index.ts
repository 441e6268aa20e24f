// The attention rules, in the order the driver tries them at a node.
import type { Rule } from '../rule.js';

export const ATTENTION_RULES: readonly Rule[] = [];
