// The table of lowerings: FX targets ('aten.linear.default', '_operator.mul') to the code that
// emits the equivalent ONNX nodes. Each family file registers its entries on import.
import type { AtenNode } from '../aten-node.js';

export type Lowering = (n: AtenNode) => void;

const LOWERINGS = new Map<string, Lowering>();

/** Registers one lowering for several targets (overloads that share a meaning). */
export function lowering(targets: readonly string[], fn: Lowering): void {
  for (const t of targets) {
    if (LOWERINGS.has(t)) throw new Error(`pt2 lowering for ${t} defined twice`);
    LOWERINGS.set(t, fn);
  }
}

export function findLowering(target: string): Lowering | undefined {
  return LOWERINGS.get(target);
}

/** Every target the importer maps, for `solder ops` style listings and tests. */
export function loweredTargets(): string[] {
  return [...LOWERINGS.keys()].sort();
}

/** 'aten.add.Tensor' and its in-place sibling 'aten.add_.Tensor'. */
export function withInPlace(targets: readonly string[]): string[] {
  return targets.flatMap((t) => {
    const [ns, op, overload] = t.split('.');
    return op === undefined || overload === undefined ? [t] : [t, `${ns}.${op}_.${overload}`];
  });
}
