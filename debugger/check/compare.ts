// One value, and one node, judged against the float64 reference (see debugger/check.ts).
import type { DType } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/tensor.js';
import { errorStats, sameShape } from '../../api/error-stats.js';
import { referenceScale, unravelIndex } from './error-stats.js';

export interface ValueCheck {
  readonly value: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Optimized vs float64: max abs error, max relative error (denominator floored), and where. */
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly worstIndex: readonly number[];
  /** The float32 original's own max abs error vs float64 at this value. */
  readonly baseline: number;
  /** max(k * baseline, floor * scale): the most error this value may have. */
  readonly allowed: number;
  /** Max abs error vs float64 of the node run alone on reference inputs (NaN: could not run alone). */
  readonly ownError: number;
  /** Max abs difference between the node's output in the optimized run and alone: error carried in by its inputs. */
  readonly inheritedError: number;
  readonly ok: boolean;
  /** Why it could not be compared numerically (shape mismatch). */
  readonly problem?: string;
}

export interface NodeCheck {
  readonly name: string;
  /** Op key: `MatMul`, `solder::Attention`. */
  readonly op: string;
  /** The original nodes a fused node replaced. */
  readonly origins?: readonly string[];
  readonly ok: boolean;
  /** Worst over the node's compared values. */
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly ownError: number;
  readonly inheritedError: number;
  /** For a failing node: whether its own computation is off ('own') or only its inputs were ('inherited'). */
  readonly cause?: 'own' | 'inherited';
  readonly values: readonly ValueCheck[];
}

export interface Thresholds {
  readonly k: number;
  readonly floor: number;
}

/** Judges one shared value: optimized output `got`, float64 `ref`, float32 original `orig`, alone-run `alone`. */
export function compareValue(value: string, got: Tensor, ref: Tensor, orig: Tensor, alone: Tensor | undefined, t: Thresholds): ValueCheck {
  const base = { value, dtype: got.dtype, shape: got.shape };
  if (!sameShape(got.shape, ref.shape)) {
    const problem = `shape [${got.shape.join(', ')}], the original has [${ref.shape.join(', ')}]`;
    return { ...base, maxAbs: Infinity, maxRel: Infinity, worstIndex: [], baseline: 0, allowed: 0, ownError: NaN, inheritedError: NaN, ok: false, problem };
  }
  const floorAbs = t.floor * referenceScale(ref);
  const error = errorStats(got, ref, floorAbs);
  const baseline = errorStats(orig, ref, floorAbs).maxAbs;
  const allowed = Math.max(t.k * baseline, floorAbs);
  const aloneFits = alone !== undefined && sameShape(alone.shape, ref.shape);
  return {
    ...base,
    maxAbs: error.maxAbs,
    maxRel: error.maxRel,
    worstIndex: unravelIndex(error.worstFlat, got.shape),
    baseline,
    allowed,
    ownError: aloneFits ? errorStats(alone, ref, floorAbs).maxAbs : NaN,
    inheritedError: aloneFits ? errorStats(got, alone, floorAbs).maxAbs : NaN,
    ok: error.maxAbs <= allowed,
  };
}

/** A node's verdict from its values: it fails when any value does. */
export function judgeNode(name: string, op: string, origins: readonly string[] | undefined, values: readonly ValueCheck[]): NodeCheck {
  const worst = (key: 'maxAbs' | 'maxRel' | 'ownError' | 'inheritedError') => values.reduce((m, v) => (v[key] > m || Number.isNaN(v[key]) ? v[key] : m), 0);
  const failed = values.filter((v) => !v.ok);
  const ok = failed.length === 0;
  // Own when the node, fed exact inputs, is already out of bounds (or could not even run alone).
  const own = failed.some((v) => !(v.ownError <= v.allowed));
  return {
    name, op,
    ...(origins === undefined ? {} : { origins }),
    ok,
    maxAbs: worst('maxAbs'),
    maxRel: worst('maxRel'),
    ownError: worst('ownError'),
    inheritedError: worst('inheritedError'),
    ...(ok ? {} : { cause: own ? 'own' as const : 'inherited' as const }),
    values,
  };
}
