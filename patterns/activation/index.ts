// The activation rules, in the order the driver tries them at a node.
import type { Rule } from '../rule.js';

export const ACTIVATION_RULES: readonly Rule[] = [];
