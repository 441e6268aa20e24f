// The graph: immutable records of nodes and values. A rewrite builds new records.
import type { Attrs } from './attrs.js';
import type { DType } from './dtype.js';
import { type Tensor, tensorToBytes } from './tensor.js';
import type { TensorType } from './types.js';

export const ONNX_DOMAIN = '';
export const SOLDER_DOMAIN = 'solder';

export interface Node {
  readonly name: string;
  /** ONNX spelling (MatMul, LayerNormalization); fused ops live in the 'solder' domain. */
  readonly op: string;
  readonly domain: string;
  /** Value names; '' marks an absent optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
  /** Provenance: the names of the original nodes this node replaced (fused nodes only). */
  readonly origins?: readonly string[];
  readonly docString?: string;
  /** ONNX NodeProto.metadata_props, kept for round trips. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A named, typed value: a graph input or output, or an intermediate's declared type. */
export interface ValueInfo {
  readonly name: string;
  readonly type: TensorType;
  readonly docString?: string;
  /** ONNX ValueInfoProto.metadata_props, kept for round trips. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Initializer bytes, read only when a pass or the interpreter needs the values. */
export interface LazyBytes {
  readonly byteLength: number;
  read(): Uint8Array;
}

export interface Initializer {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly bytes: LazyBytes;
  /** Where the bytes came from, so that export can keep external data external. */
  readonly origin?: { readonly kind: 'inline' } | { readonly kind: 'external'; readonly location: string };
  readonly docString?: string;
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** Model-level fields that export writes back unchanged. */
export interface ModelMeta {
  readonly irVersion: number;
  readonly opsets: readonly OpsetImport[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  readonly graphDocString?: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** ONNX GraphProto.metadata_props (torch.export signature, range constraints), kept for round trips. */
  readonly graphMetadata?: Readonly<Record<string, string>>;
  /** Which format the graph was imported from, for reports only. */
  readonly source: 'onnx' | 'pt2' | 'built';
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** In topological order (the verifier checks it). */
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, Initializer>;
  /** Types of intermediate values, declared by the file or inferred. */
  readonly valueInfo: ReadonlyMap<string, TensorType>;
  /** ONNX value_info metadata_props of intermediates, by value name, kept for round trips. */
  readonly valueMetadata?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly meta: ModelMeta;
}

/** A node's key in the op registry: 'MatMul' or 'solder::Attention'. */
export function opKey(domain: string, op: string): string {
  return domain === ONNX_DOMAIN || domain === 'ai.onnx' ? op : `${domain}::${op}`;
}

/** The type of a value: graph input, initializer or intermediate. */
export function typeOf(graph: Graph, name: string): TensorType | undefined {
  const init = graph.initializers.get(name);
  if (init !== undefined) return { dtype: init.dtype, shape: init.shape };
  const io = graph.inputs.find((v) => v.name === name) ?? graph.outputs.find((v) => v.name === name);
  return graph.valueInfo.get(name) ?? io?.type;
}

/** Bytes held in memory already (an inline initializer, a constant folded by a pass). */
export function bytesInMemory(bytes: Uint8Array): LazyBytes {
  return { byteLength: bytes.byteLength, read: () => bytes };
}

/** An initializer whose values are computed already. */
export function initializerFromTensor(name: string, t: Tensor): Initializer {
  return initializerFromBytes(name, t.dtype, t.shape, tensorToBytes(t));
}

/** An initializer made from stored (little-endian) bytes held in memory, e.g. a byte-level weight edit. */
export function initializerFromBytes(name: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): Initializer {
  return { name, dtype, shape: [...shape], bytes: bytesInMemory(bytes), origin: { kind: 'inline' } };
}
