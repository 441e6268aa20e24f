// The canonical rules, in the order the driver tries them at a node.
import type { Rule } from '../rule.js';

export const CANONICAL_RULES: readonly Rule[] = [];
