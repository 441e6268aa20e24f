// The linear rules, in the order the driver tries them at a node.
import type { Rule } from '../rule.js';

export const LINEAR_RULES: readonly Rule[] = [];
