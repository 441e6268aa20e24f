// The parts of torch.export's serialized ExportedProgram (torch/_export/serde/schema.py,
// schema 8.x) that the importer reads. Unions are JSON objects with exactly one key set.

export interface SymExpr {
  readonly expr_str: string;
  readonly hint?: { readonly as_int?: number } | null;
}

/** A size in tensor metadata: a known int or a symbolic expression over the export's symbols. */
export type SymInt = { readonly as_int: number } | { readonly as_expr: SymExpr };

/** An argument that is a SymInt: a named graph value, or an int inside a mixed list. */
export type SymIntArgument = { readonly as_name: string } | { readonly as_int: number };
export type SymFloatArgument = { readonly as_name: string } | { readonly as_float: number };
export type SymBoolArgument = { readonly as_name: string } | { readonly as_bool: boolean };

export interface TensorArgument {
  readonly name: string;
}

export type OptionalTensorArgument = { readonly as_tensor: TensorArgument } | { readonly as_none: boolean };

export interface TensorMeta {
  readonly dtype: number;
  readonly sizes: readonly SymInt[];
  readonly strides: readonly SymInt[];
  readonly storage_offset: SymInt;
  readonly requires_grad?: boolean;
  readonly layout?: number;
}

export interface GraphArgument {
  readonly name: string;
  readonly graph: SerializedGraph;
}

/** Argument: a union; the key says which kind of value it is. */
export interface Argument {
  readonly as_none?: boolean;
  readonly as_tensor?: TensorArgument;
  readonly as_tensors?: readonly TensorArgument[];
  readonly as_optional_tensors?: readonly OptionalTensorArgument[];
  readonly as_optional_tensor?: OptionalTensorArgument;
  readonly as_int?: number;
  readonly as_ints?: readonly number[];
  readonly as_float?: number;
  readonly as_floats?: readonly number[];
  readonly as_string?: string;
  readonly as_strings?: readonly string[];
  readonly as_bool?: boolean;
  readonly as_bools?: readonly boolean[];
  readonly as_sym_int?: SymIntArgument;
  readonly as_sym_ints?: readonly SymIntArgument[];
  readonly as_sym_float?: SymFloatArgument;
  readonly as_sym_bool?: SymBoolArgument;
  readonly as_scalar_type?: number;
  readonly as_memory_format?: number;
  readonly as_layout?: number;
  readonly as_device?: { readonly type: string; readonly index?: number | null };
  readonly as_graph?: GraphArgument;
}

export interface NamedArgument {
  readonly name: string;
  readonly arg: Argument;
  /** 1 positional, 2 keyword. */
  readonly kind?: number | null;
}

export interface SerializedNode {
  readonly target: string;
  readonly inputs: readonly NamedArgument[];
  readonly outputs: readonly Argument[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly name?: string | null;
}

export interface SerializedGraph {
  readonly inputs: readonly Argument[];
  readonly outputs: readonly Argument[];
  readonly nodes: readonly SerializedNode[];
  readonly tensor_values: Readonly<Record<string, TensorMeta>>;
  readonly sym_int_values?: Readonly<Record<string, SymInt>>;
  readonly sym_bool_values?: Readonly<Record<string, unknown>>;
  readonly sym_float_values?: Readonly<Record<string, unknown>>;
}

export interface InputSpec {
  readonly user_input?: { readonly arg: Argument };
  readonly parameter?: { readonly arg: TensorArgument; readonly parameter_name: string };
  readonly buffer?: { readonly arg: TensorArgument; readonly buffer_name: string; readonly persistent?: boolean };
  readonly tensor_constant?: { readonly arg: TensorArgument; readonly tensor_constant_name: string };
  readonly constant_input?: { readonly name: string; readonly value: Readonly<Record<string, unknown>> };
  readonly custom_obj?: unknown;
  readonly token?: unknown;
}

export interface OutputSpec {
  readonly user_output?: { readonly arg: Argument };
  readonly [other: string]: unknown;
}

export interface ExportedProgram {
  readonly graph_module: {
    readonly graph: SerializedGraph;
    readonly signature: { readonly input_specs: readonly InputSpec[]; readonly output_specs: readonly OutputSpec[] };
    readonly module_call_graph?: readonly { readonly fqn: string; readonly signature?: { readonly out_spec?: string } | null }[];
  };
  readonly range_constraints?: Readonly<Record<string, { readonly min_val?: number | null; readonly max_val?: number | null }>>;
  readonly schema_version?: { readonly major: number; readonly minor: number };
}

/** One raw tensor of data/weights or data/constants. */
export interface PayloadMeta {
  readonly path_name: string;
  readonly is_param?: boolean;
  readonly use_pickle?: boolean;
  readonly tensor_meta?: TensorMeta | null;
}

export interface PayloadConfig {
  readonly config: Readonly<Record<string, PayloadMeta>>;
}

/** The one key set in a union object, or undefined when the object has none. */
export function unionKind(u: object): string | undefined {
  return Object.keys(u).find((k) => (u as Record<string, unknown>)[k] !== undefined);
}
