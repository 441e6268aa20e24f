// Helpers the lowering families share: axes, operands with PyTorch promotion, shape tensors.
import { type DType } from '../../../dtype.js';
import { tensorType } from '../../../types.js';
import type { AtenNode, SizeArg } from '../aten-node.js';
import { type Operand, resultType } from '../promote.js';

/** An axis in [-rank, rank) made non-negative; a user error naming the node otherwise. */
export function normAxis(n: AtenNode, axis: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (axis < -r || axis >= r) throw n.fail(`dim ${axis} is out of range for a tensor of rank ${rank}`);
  return axis < 0 ? axis + r : axis;
}

/** What argument `name` contributes to type promotion. */
export function operandOf(n: AtenNode, name: string): Operand {
  const a = n.arg(name);
  if (a?.as_tensor !== undefined) {
    const t = n.typeOf(n.tensor(name));
    return { kind: 'tensor', dtype: t.dtype, rank: t.shape?.length ?? 1 };
  }
  return { kind: 'scalar', value: n.scalar(name).type };
}

/** The dtype torch computes in for these arguments (comparisons, where the output is bool). */
export function promotedType(n: AtenNode, names: readonly string[]): DType {
  return resultType(names.map((name) => operandOf(n, name)));
}

/** Argument `name` as an IR value of dtype: a tensor cast if needed, or a scalar initializer. */
export function operandValue(n: AtenNode, name: string, dtype: DType, role: string = name): string {
  const a = n.arg(name);
  if (a?.as_tensor !== undefined) return n.cast(n.tensor(name), dtype, `${role}_cast`);
  const s = n.scalar(name);
  if (s.kind === 'const') return n.scalarConst(role, dtype, s.value);
  return n.cast(s.name, dtype, `${role}_cast`);
}

/** A 1-D int64 shape tensor from sizes that may include SymInt values. */
export function shapeInput(n: AtenNode, role: string, sizes: readonly SizeArg[]): string {
  if (sizes.every((s): s is number => typeof s === 'number')) return n.constInt64(role, sizes);
  const parts: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) parts.push(n.constInt64(`${role}_part${parts.length}`, run));
    run = [];
  };
  sizes.forEach((s, i) => {
    if (typeof s === 'number') {
      run.push(s);
      return;
    }
    flush();
    parts.push(vectorOf(n, `${role}_dim${i}`, s));
  });
  flush();
  return n.helper(role, 'Concat', parts, { axis: { kind: 'int', value: 0 } }, tensorType('int64', [sizes.length]));
}

/** A 0-D int64 value as a 1-D tensor of one element (a Slice bound, a shape entry). */
export function vectorOf(n: AtenNode, role: string, scalar: string): string {
  const axes = n.constInt64(`${role}_axes`, [0]);
  return n.helper(role, 'Unsqueeze', [n.cast(scalar, 'int64', `${role}_int`), axes], {}, tensorType('int64', [1]));
}

/** A size argument as a 0-D int64 value (an arange bound). */
export function scalarOf(n: AtenNode, role: string, s: SizeArg, dtype: DType): string {
  return typeof s === 'number' ? n.scalarConst(role, dtype, s) : n.cast(s, dtype, `${role}_cast`);
}
