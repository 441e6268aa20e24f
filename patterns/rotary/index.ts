// The rotary-embedding rules, in the order the driver tries them at a node.
import type { Rule } from '../rule.js';
import { rotateHalf } from './rotate-half.js';

export const ROTARY_RULES: readonly Rule[] = [rotateHalf];
