// The op registry: one small spec per op (inputs, outputs, attributes with defaults,
// type and shape inference). Importers reject ops without a spec; the verifier and
// the interpreter look specs up by domain and name.
import { type AttrSpecs, type AttrValue, type AttrValues, type Attrs } from '../attrs.js';
import { SolderError } from '../errors.js';
import { type Node, opKey } from '../graph.js';
import type { Tensor } from '../tensor.js';
import type { TensorType } from '../types.js';

export interface InputSpec {
  readonly name: string;
  /** May be absent ('' or left off the end). */
  readonly optional?: boolean;
  /** Takes all remaining inputs (Concat, Sum, Max). */
  readonly variadic?: boolean;
}

export interface OutputSpec {
  readonly name: string;
  readonly optional?: boolean;
  readonly variadic?: boolean;
}

/** What type inference sees of a node. */
export interface InferContext<S extends AttrSpecs = AttrSpecs> {
  readonly node: Node;
  /** Types of the node's inputs; undefined for an absent optional input. */
  readonly inputs: readonly (TensorType | undefined)[];
  readonly attrs: AttrValues<S>;
  /** The value of input i when it is a constant (initializer or folded), for Reshape-like ops. */
  constant(i: number): Tensor | undefined;
}

export interface OpSpec<S extends AttrSpecs = AttrSpecs> {
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly OutputSpec[];
  readonly attrs: S;
  /** One-line description for `solder ops` and the debugger. */
  readonly doc: string;
  /** Output types; throws SolderError when the inputs do not fit the op. */
  infer(ctx: InferContext<S>): TensorType[];
}

const REGISTRY = new Map<string, OpSpec>();

/** Declares an op and adds it to the registry. */
export function defineOp<const S extends AttrSpecs>(spec: OpSpec<S>): OpSpec<S> {
  const key = opKey(spec.domain, spec.name);
  if (REGISTRY.has(key)) throw new Error(`op ${key} defined twice`);
  REGISTRY.set(key, spec as unknown as OpSpec);
  return spec;
}

export function findOp(domain: string, op: string): OpSpec | undefined {
  return REGISTRY.get(opKey(domain, op));
}

/** The spec of a node's op; a SolderError naming the node when there is none. */
export function opOf(node: Node): OpSpec {
  const spec = findOp(node.domain, node.op);
  if (spec === undefined) {
    const where = node.domain === '' || node.domain === 'ai.onnx' ? '' : ` in domain '${node.domain}'`;
    throw new SolderError(`unsupported op ${node.op}${where} (see README, "Supported ops")`, { node: node.name, op: node.op });
  }
  return spec;
}

export function allOps(): OpSpec[] {
  return [...REGISTRY.values()];
}

/**
 * Reads a node's attributes through its op's spec: every attribute typed, defaults filled.
 * Unknown attributes and kind mismatches are user errors naming the node.
 */
export function readAttrs<S extends AttrSpecs>(spec: OpSpec<S>, node: Node): AttrValues<S> {
  const out: Record<string, unknown> = {};
  for (const name in spec.attrs) {
    const s = spec.attrs[name]!;
    const given: AttrValue | undefined = node.attrs[name];
    if (given === undefined) {
      if (s.required) throw attrError(node, `missing required attribute '${name}'`);
      out[name] = s.default;
      continue;
    }
    out[name] = coerce(node, name, s.kind, given);
  }
  for (const name in node.attrs) {
    if (!(name in spec.attrs)) throw attrError(node, `unknown attribute '${name}' for ${spec.name}`);
  }
  return out as AttrValues<S>;
}

// ONNX writers sometimes store an int-valued attribute as a float list of one or the like;
// only the lossless widenings are accepted.
function coerce(node: Node, name: string, want: AttrValue['kind'], given: AttrValue): unknown {
  if (given.kind === want) return given.value;
  if (want === 'float' && given.kind === 'int') return given.value;
  if (want === 'floats' && given.kind === 'ints') return given.value;
  throw attrError(node, `attribute '${name}' should be ${want}, found ${given.kind}`);
}

function attrError(node: Node, problem: string): SolderError {
  return new SolderError(problem, { node: node.name, op: node.op });
}

/** Attributes a rewrite or importer attaches, with the spec's defaults left implicit. */
export function attrsOf(entries: Record<string, AttrValue | undefined>): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}
