// ONNX TypeProto -> TensorType: element type codes and dims (values, params, unknowns).
import type { onnx as P } from 'onnx-proto';
import type { Dim } from '../dim.js';
import { dtypeFromOnnx } from '../dtype.js';
import { SolderError } from '../errors.js';
import type { TensorType } from '../types.js';
import { type FreshSymbols, namesInDimParam, parseDimParam } from './onnx-dims.js';
import { has, int64ToNumber } from './onnx-proto.js';

/** The type a value_info declares; undefined when it declares no element type at all. */
export function tensorTypeOf(value: P.IValueInfoProto, fresh: FreshSymbols): TensorType | undefined {
  const name = value.name ?? '';
  const type = value.type;
  if (!type) return undefined;
  if (!type.tensorType) {
    throw new SolderError(`value '${name}' is not a tensor (sequences, maps and optionals are not supported)`);
  }
  const tt = type.tensorType;
  const code = tt.elemType ?? 0;
  if (code === 0) return undefined;
  const dtype = dtypeFromOnnx(code);
  if (dtype === undefined || dtype === 'string') {
    throw new SolderError(`value '${name}' has element type ${code}, which solder does not support`);
  }
  if (!has(tt, 'shape') || !tt.shape) return { dtype };
  return { dtype, shape: (tt.shape.dim ?? []).map((d) => dimOf(d, name, fresh)) };
}

function dimOf(d: P.TensorShapeProto.IDimension, value: string, fresh: FreshSymbols): Dim {
  if (has(d, 'dimValue')) {
    const n = int64ToNumber(d.dimValue, `value '${value}': dim`);
    if (n < 0) throw new SolderError(`value '${value}' has a negative dim ${n}`);
    return n;
  }
  if (has(d, 'dimParam') && d.dimParam) return parseDimParam(d.dimParam);
  return fresh.fresh();
}

/** Every name the dim_params of these values mention, for FreshSymbols to avoid. */
export function dimNamesOf(values: readonly P.IValueInfoProto[]): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  for (const v of values) {
    for (const d of v.type?.tensorType?.shape?.dim ?? []) {
      if (!d.dimParam || seen.has(d.dimParam)) continue;
      seen.add(d.dimParam);
      for (const n of namesInDimParam(d.dimParam)) names.add(n);
    }
  }
  return names;
}
