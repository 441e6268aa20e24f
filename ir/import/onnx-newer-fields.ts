// Fields that ONNX added after 1.10 (the schema onnx-proto was generated from), read from
// the wire directly: the static decoder skips them, yet the exporters' files carry them
// (torch.onnx puts stack traces and FX node names in NodeProto.metadata_props, the
// torch.export signature in GraphProto.metadata_props).
import { protobuf } from '../cjs.js';
import { SolderError } from '../errors.js';
import { describe } from './onnx-proto.js';

type Record_ = Record<string, string>;

/** metadata_props of the graph and of each node/value entry, in file order. */
export interface NewerFields {
  readonly graphMetadata?: Record_;
  readonly nodeMetadata: readonly (Record_ | undefined)[];
  readonly inputMetadata: readonly (Record_ | undefined)[];
  readonly outputMetadata: readonly (Record_ | undefined)[];
  readonly valueInfoMetadata: readonly (Record_ | undefined)[];
}

const MODEL_GRAPH = 7;
const GRAPH = { node: 1, input: 11, output: 12, valueInfo: 13, metadataProps: 16 } as const;
const NODE_METADATA_PROPS = 9;
const VALUE_INFO_METADATA_PROPS = 4;

/** Reads the newer fields of a ModelProto that the static decoder has accepted already. */
export function readNewerFields(model: Uint8Array): NewerFields {
  try {
    return readGraph(lastField(model, MODEL_GRAPH));
  } catch (e) {
    throw new SolderError(`not an ONNX model (protobuf decoding failed: ${describe(e)})`);
  }
}

function readGraph(graph: Uint8Array | undefined): NewerFields {
  const out = {
    graphMetadata: undefined as Record_ | undefined,
    nodeMetadata: [] as (Record_ | undefined)[],
    inputMetadata: [] as (Record_ | undefined)[],
    outputMetadata: [] as (Record_ | undefined)[],
    valueInfoMetadata: [] as (Record_ | undefined)[],
  };
  if (graph === undefined) return out;
  forEachField(graph, (field, bytes) => {
    switch (field) {
      case GRAPH.node: out.nodeMetadata.push(entriesOf(bytes, NODE_METADATA_PROPS)); return;
      case GRAPH.input: out.inputMetadata.push(entriesOf(bytes, VALUE_INFO_METADATA_PROPS)); return;
      case GRAPH.output: out.outputMetadata.push(entriesOf(bytes, VALUE_INFO_METADATA_PROPS)); return;
      case GRAPH.valueInfo: out.valueInfoMetadata.push(entriesOf(bytes, VALUE_INFO_METADATA_PROPS)); return;
      case GRAPH.metadataProps: {
        const [k, v] = readEntry(bytes);
        out.graphMetadata = { ...out.graphMetadata, [k]: v };
        return;
      }
    }
  }, new Set(Object.values(GRAPH)));
  return out;
}

/** The StringStringEntryProto entries under one field number of a message, as a record. */
function entriesOf(message: Uint8Array, field: number): Record_ | undefined {
  let out: Record_ | undefined;
  forEachField(message, (_f, bytes) => {
    const [k, v] = readEntry(bytes);
    (out ??= {})[k] = v;
  }, new Set([field]));
  return out;
}

function readEntry(entry: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  const r = protobuf.Reader.create(entry);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) value = r.string();
    else r.skipType(tag & 7);
  }
  return [key, value];
}

function lastField(message: Uint8Array, field: number): Uint8Array | undefined {
  let last: Uint8Array | undefined;
  forEachField(message, (_f, bytes) => (last = bytes), new Set([field]));
  return last;
}

// The static decoder reads a known field as length-delimited whatever its wire type says,
// so the wanted fields are read the same way here to stay in step with it.
function forEachField(message: Uint8Array, visit: (field: number, bytes: Uint8Array) => void, wanted: ReadonlySet<number>): void {
  const r = protobuf.Reader.create(message);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (wanted.has(field)) visit(field, r.bytes());
    else r.skipType(tag & 7);
  }
}
