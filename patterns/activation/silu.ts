// SiLU has no standalone canonical op: x * Sigmoid(x) stays unfused, and the Linear and
// GatedMLP rules match it directly as their activation. This is the pattern they share.
import { type OpPattern, capture, op } from '../pattern.js';

/** x * Sigmoid(x), with x bound as `name` (either operand order: Mul is commutative). */
export function siluOf(name: string): OpPattern {
  return op('Mul', capture(name), op('Sigmoid', capture(name)));
}
