// One FX node being lowered: typed readers for its named arguments, and emitters that add
// ONNX nodes named after it (the node producing its result keeps the FX name; helpers are
// named `${fxName}/${role}`).
import { type Attrs, intAttr } from '../../attrs.js';
import { type DType, onnxCode } from '../../dtype.js';
import { SolderError } from '../../errors.js';
import { type TensorType, tensorType } from '../../types.js';
import type { GraphBuilder } from './builder.js';
import { dtypeOfScalarType } from './meta.js';
import type { Argument, SerializedNode } from './schema.js';
import type { Scope } from './scope.js';

/** A size argument: a known int, or an IR value holding a 0-D int64 (a SymInt). */
export type SizeArg = number | string;

/** A scalar argument: a Python number, or an IR value holding a 0-D SymInt/SymFloat. */
export type ScalarArg =
  | { readonly kind: 'const'; readonly value: number; readonly type: 'bool' | 'int' | 'float' }
  | { readonly kind: 'value'; readonly name: string; readonly type: 'int' | 'float' };

export interface EmitOptions {
  /** Which FX outputs the node produces, in order (all of them by default). */
  readonly outputs?: readonly number[];
  /** Node name suffix, for a node that is not the FX node's main one. */
  readonly role?: string;
}

export class AtenNode {
  /** The FX output names, flattened (a split's list, a SymInt), undefined where the FX output is None. */
  readonly fxOutputs: readonly (string | undefined)[];
  private readonly outputKinds: readonly OutputKind[];

  constructor(
    readonly b: GraphBuilder,
    readonly scope: Scope,
    readonly node: SerializedNode,
    readonly name: string,
    /** 'aten.linear.default', '_operator.mul', 'higher_order.wrap_with_set_grad_enabled'. */
    readonly target: string,
  ) {
    const flat = node.outputs.flatMap(flattenOutput);
    this.fxOutputs = flat.map((o) => o.name);
    this.outputKinds = flat.map((o) => o.kind);
  }

  fail(problem: string): SolderError {
    return new SolderError(problem, { file: this.b.file, node: this.name, op: this.target });
  }

  // ---- arguments ----

  arg(name: string): Argument | undefined {
    const a = this.node.inputs.find((i) => i.name === name)?.arg;
    return a === undefined || a.as_none === true ? undefined : a;
  }

  /** Arguments by position (higher-order ops and Python operators leave names empty). */
  argAt(i: number): Argument | undefined {
    return this.node.inputs[i]?.arg;
  }

  has(name: string): boolean {
    return this.arg(name) !== undefined;
  }

  tensor(name: string): string {
    const a = this.arg(name);
    if (a?.as_tensor === undefined) throw this.fail(`argument '${name}' should be a tensor`);
    return this.value(a.as_tensor.name);
  }

  optTensor(name: string): string | undefined {
    return this.has(name) ? this.tensor(name) : undefined;
  }

  /** A list of tensors; None entries (index's optional tensors) are undefined. */
  tensorList(name: string): (string | undefined)[] {
    const a = this.arg(name);
    if (a?.as_tensors !== undefined) return a.as_tensors.map((t) => this.value(t.name));
    if (a?.as_optional_tensors !== undefined) {
      return a.as_optional_tensors.map((t) => ('as_tensor' in t && t.as_tensor !== undefined ? this.value(t.as_tensor.name) : undefined));
    }
    throw this.fail(`argument '${name}' should be a list of tensors`);
  }

  /** The IR value an FX value name stands for. */
  value(fxName: string): string {
    const v = this.scope.lookup(fxName);
    if (v === undefined) throw this.fail(`uses '${fxName}', which no earlier node defines`);
    return v;
  }

  int(name: string, fallback?: number): number {
    const a = this.arg(name);
    if (a === undefined && fallback !== undefined) return fallback;
    const v = a?.as_int ?? (a?.as_sym_int !== undefined ? this.staticSym(a.as_sym_int) : undefined);
    if (v === undefined) throw this.fail(`argument '${name}' should be a known int`);
    return v;
  }

  optInt(name: string): number | undefined {
    return this.has(name) ? this.int(name) : undefined;
  }

  ints(name: string, fallback?: readonly number[]): number[] {
    const a = this.arg(name);
    if (a === undefined && fallback !== undefined) return [...fallback];
    if (a?.as_ints !== undefined) return [...a.as_ints];
    if (a?.as_int !== undefined) return [a.as_int];
    const sizes = this.sizes(name);
    if (sizes.every((s): s is number => typeof s === 'number')) return sizes;
    throw this.fail(`argument '${name}' should be a list of known ints`);
  }

  /** A list of sizes that may hold SymInts (view/expand/new_ones sizes). */
  sizes(name: string): SizeArg[] {
    const a = this.arg(name);
    if (a?.as_ints !== undefined) return [...a.as_ints];
    if (a?.as_sym_ints !== undefined) return a.as_sym_ints.map((s) => this.sizeOf(s));
    if (a?.as_int !== undefined) return [a.as_int];
    if (a?.as_sym_int !== undefined) return [this.sizeOf(a.as_sym_int)];
    throw this.fail(`argument '${name}' should be a list of sizes`);
  }

  /** One size argument (a slice bound, an arange end). */
  size(name: string, fallback?: number): SizeArg {
    const a = this.arg(name);
    if (a === undefined && fallback !== undefined) return fallback;
    if (a?.as_int !== undefined) return a.as_int;
    if (a?.as_sym_int !== undefined) return this.sizeOf(a.as_sym_int);
    throw this.fail(`argument '${name}' should be an int`);
  }

  float(name: string, fallback?: number): number {
    const a = this.arg(name);
    if (a === undefined && fallback !== undefined) return fallback;
    const v = a?.as_float ?? a?.as_int;
    if (v === undefined) throw this.fail(`argument '${name}' should be a number`);
    return v;
  }

  optFloat(name: string): number | undefined {
    return this.has(name) ? this.float(name) : undefined;
  }

  bool(name: string, fallback: boolean): boolean {
    const a = this.arg(name);
    if (a === undefined) return fallback;
    if (a.as_bool === undefined) throw this.fail(`argument '${name}' should be a bool`);
    return a.as_bool;
  }

  str(name: string, fallback: string): string {
    const a = this.arg(name);
    if (a === undefined) return fallback;
    if (a.as_string === undefined) throw this.fail(`argument '${name}' should be a string`);
    return a.as_string;
  }

  /** A dtype argument (`dtype=torch.float32`), undefined when not given. */
  dtypeArg(name: string): DType | undefined {
    const a = this.arg(name);
    if (a?.as_scalar_type === undefined) return undefined;
    try {
      return dtypeOfScalarType(a.as_scalar_type);
    } catch (e) {
      throw e instanceof SolderError ? this.fail(e.message) : e;
    }
  }

  /** A Python scalar argument, or a SymInt/SymFloat value. */
  scalar(name: string): ScalarArg {
    const a = this.arg(name);
    if (a?.as_bool !== undefined) return { kind: 'const', value: a.as_bool ? 1 : 0, type: 'bool' };
    if (a?.as_int !== undefined) return { kind: 'const', value: a.as_int, type: 'int' };
    if (a?.as_float !== undefined) return { kind: 'const', value: a.as_float, type: 'float' };
    if (a?.as_sym_int !== undefined) {
      const s = this.sizeOf(a.as_sym_int);
      return typeof s === 'number' ? { kind: 'const', value: s, type: 'int' } : { kind: 'value', name: s, type: 'int' };
    }
    if (a?.as_sym_float !== undefined) {
      if ('as_float' in a.as_sym_float) return { kind: 'const', value: a.as_sym_float.as_float, type: 'float' };
      return { kind: 'value', name: this.value(a.as_sym_float.as_name), type: 'float' };
    }
    throw this.fail(`argument '${name}' should be a number`);
  }

  private sizeOf(s: { as_name: string } | { as_int: number }): SizeArg {
    if ('as_int' in s) return s.as_int;
    return this.scope.staticSymInt(s.as_name) ?? this.value(s.as_name);
  }

  private staticSym(s: { as_name: string } | { as_int: number }): number | undefined {
    const v = this.sizeOf(s);
    return typeof v === 'number' ? v : undefined;
  }

  // ---- types ----

  typeOf(value: string): TensorType {
    const t = this.b.typeOf(value);
    if (t === undefined) throw new Error(`pt2 import: no type recorded for value '${value}' (node ${this.name})`);
    return t;
  }

  rankOf(value: string): number {
    const shape = this.typeOf(value).shape;
    if (shape === undefined) throw this.fail(`needs the rank of '${value}'`);
    return shape.length;
  }

  /** The export's type of FX output i. */
  outType(i = 0): TensorType {
    const fx = this.fxOutputs[i];
    const t = fx === undefined ? undefined : this.outputType(i, fx);
    if (t === undefined) throw this.fail(`output ${i} has no recorded type`);
    return t;
  }

  private outputType(i: number, fx: string): TensorType | undefined {
    switch (this.outputKinds[i]) {
      case 'symint': return tensorType('int64', []);
      case 'symfloat': return tensorType('float32', []);
      case 'symbool': return tensorType('bool', []);
      default: return this.scope.tensorType(fx);
    }
  }

  // ---- emitters ----

  /** The node computing the FX node's outputs (all, or the given ones), named after it. */
  emit(op: string, inputs: readonly string[], attrs: Attrs = {}, options: EmitOptions = {}): string[] {
    const which = options.outputs ?? this.fxOutputs.map((_, i) => i);
    const outputs = which.map((i) => this.bindOutput(i));
    const name = options.role === undefined ? this.name : `${this.name}/${options.role}`;
    this.b.addNode(name, op, inputs, outputs, attrs);
    return outputs;
  }

  /** A helper node with one new output, named `${fxName}/${role}`. */
  helper(role: string, op: string, inputs: readonly string[], attrs: Attrs = {}, type?: TensorType): string {
    const out = this.b.freshValue(`${this.name}/${role}`);
    this.b.addNode(`${this.name}/${role}`, op, inputs, [out], attrs);
    if (type !== undefined) this.b.setType(out, type);
    return out;
  }

  /** A helper node with several new outputs, named `${fxName}/${role}` and `${fxName}/${role}:i`. */
  helpers(role: string, op: string, inputs: readonly string[], types: readonly (TensorType | undefined)[], attrs: Attrs = {}): string[] {
    const outs = types.map((t, i) => {
      const out = this.b.freshValue(`${this.name}/${role}:${i}`);
      if (t !== undefined) this.b.setType(out, t);
      return out;
    });
    this.b.addNode(`${this.name}/${role}`, op, inputs, outs, attrs);
    return outs;
  }

  /** FX output i is the existing IR value (identity ops emit nothing). */
  alias(value: string, i = 0): void {
    const fx = this.fxOutputs[i];
    if (fx !== undefined) this.scope.bind(fx, value);
  }

  constInt64(role: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.b.constant(`${this.name}/${role}`, 'int64', shape, values);
  }

  scalarConst(role: string, dtype: DType, value: number): string {
    return this.b.constant(`${this.name}/${role}`, dtype, [], [value]);
  }

  /** The value converted to dtype (itself when it already is). */
  cast(value: string, dtype: DType, role = 'cast'): string {
    const t = this.typeOf(value);
    if (t.dtype === dtype) return value;
    return this.helper(role, 'Cast', [value], { to: intAttr(onnxCode(dtype)) }, tensorType(dtype, t.shape));
  }

  private bindOutput(i: number): string {
    const fx = this.fxOutputs[i];
    if (fx === undefined) return '';
    const value = this.b.freshValue(fx);
    this.scope.bind(fx, value);
    const t = this.outputType(i, fx);
    if (t !== undefined) this.b.setType(value, t, true);
    return value;
  }
}

type OutputKind = 'tensor' | 'symint' | 'symfloat' | 'symbool';

function flattenOutput(a: Argument): { name: string | undefined; kind: OutputKind }[] {
  const tensor = (name: string | undefined) => ({ name, kind: 'tensor' as const });
  if (a.as_tensor !== undefined) return [tensor(a.as_tensor.name)];
  if (a.as_tensors !== undefined) return a.as_tensors.map((t) => tensor(t.name));
  if (a.as_optional_tensors !== undefined) {
    return a.as_optional_tensors.map((t) => tensor('as_tensor' in t && t.as_tensor !== undefined ? t.as_tensor.name : undefined));
  }
  const syms = [['symint', a.as_sym_int], ['symfloat', a.as_sym_float], ['symbool', a.as_sym_bool]] as const;
  for (const [kind, s] of syms) {
    if (s !== undefined) return [{ name: 'as_name' in s ? s.as_name : undefined, kind }];
  }
  return [tensor(undefined)];
}
