// Graph -> ModelProto bytes. onnx-proto's static encoders write each message of the
// ONNX 1.10 schema; the fields added since (metadata_props of graphs, nodes and values)
// are appended to those messages here. Protobuf fields may come in any order, and a
// message followed by more fields of the same message is still one message.
import type { onnx as P } from 'onnx-proto';
import type { AttrValue } from '../attrs.js';
import { onnxCode } from '../dtype.js';
import { SolderError } from '../errors.js';
import { type Graph, type Initializer, type Node, ONNX_DOMAIN, type OpsetImport, SOLDER_DOMAIN, type ValueInfo } from '../graph.js';
import { onnx } from '../import/onnx-proto.js';
import { tensorProtoOf, typeProtoOf } from './onnx-tensor.js';

type Writer = ReturnType<typeof onnx.ModelProto.encode>;

/** Where an initializer's bytes go: inline raw_data, or a range of the external data file. */
export type PlaceInitializer = (init: Initializer, bytes: Uint8Array) => P.ITensorProto;

export const inline: PlaceInitializer = (_init, bytes) => ({ rawData: bytes });

// Field numbers of the fields written by hand (onnx.proto).
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13, metadataProps: 16 } as const;
const NODE_METADATA_PROPS = 9;
const VALUE_INFO_METADATA_PROPS = 4;
const LENGTH_DELIMITED = 2;

// A graph built by solder itself carries no opset: this is the one its ops are written against.
const DEFAULT_OPSET = 18;
const DEFAULT_IR_VERSION = 10;

/** Encodes a graph as an ONNX ModelProto. */
export function encodeModel(graph: Graph, place: PlaceInitializer): Uint8Array {
  const meta = graph.meta;
  // The writer comes from onnx-proto's own protobufjs, the one its encoders are typed against.
  const w = onnx.ModelProto.encode({
    irVersion: meta.irVersion > 0 ? meta.irVersion : DEFAULT_IR_VERSION,
    opsetImport: opsetsFor(graph),
    ...(meta.producerName !== undefined ? { producerName: meta.producerName } : {}),
    ...(meta.producerVersion !== undefined ? { producerVersion: meta.producerVersion } : {}),
    ...(meta.domain !== undefined ? { domain: meta.domain } : {}),
    ...(meta.modelVersion !== undefined ? { modelVersion: meta.modelVersion } : {}),
    ...(meta.docString !== undefined ? { docString: meta.docString } : {}),
    metadataProps: entries(meta.metadata),
  });
  w.uint32(tag(MODEL_GRAPH)).fork();
  writeGraph(w, graph, place);
  w.ldelim();
  return w.finish();
}

// One writer for the whole graph: each message is written in place between fork() and
// ldelim() instead of being finished into its own buffer and copied into its parent.
function writeGraph(w: Writer, graph: Graph, place: PlaceInitializer): void {
  for (const node of graph.nodes) {
    w.uint32(tag(GRAPH.node)).fork();
    onnx.NodeProto.encode(nodeProtoOf(node), w);
    writeEntries(w, NODE_METADATA_PROPS, node.metadata);
    w.ldelim();
  }
  w.uint32(tag(GRAPH.name)).string(graph.name);
  for (const init of graph.initializers.values()) {
    w.uint32(tag(GRAPH.initializer)).fork();
    onnx.TensorProto.encode(initializerProtoOf(init, place), w);
    w.ldelim();
  }
  if (graph.meta.graphDocString !== undefined) w.uint32(tag(GRAPH.docString)).string(graph.meta.graphDocString);
  for (const v of graph.inputs) writeValueInfo(w, GRAPH.input, v);
  for (const v of graph.outputs) writeValueInfo(w, GRAPH.output, v);
  for (const [name, type] of graph.valueInfo) {
    const metadata = graph.valueMetadata?.get(name);
    writeValueInfo(w, GRAPH.valueInfo, { name, type, metadata });
  }
  for (const [key, value] of Object.entries(graph.meta.graphMetadata ?? {})) {
    w.uint32(tag(GRAPH.metadataProps)).fork();
    onnx.StringStringEntryProto.encode({ key, value }, w);
    w.ldelim();
  }
}

function opsetsFor(graph: Graph): OpsetImport[] {
  const opsets = [...graph.meta.opsets];
  const declared = (domain: string) => opsets.some((o) => o.domain === domain || (isOnnx(domain) && isOnnx(o.domain)));
  if (!declared(ONNX_DOMAIN)) opsets.push({ domain: ONNX_DOMAIN, version: DEFAULT_OPSET });
  for (const node of graph.nodes) {
    if (!declared(node.domain)) opsets.push({ domain: node.domain, version: 1 });
  }
  return opsets;
}

function isOnnx(domain: string): boolean {
  return domain === ONNX_DOMAIN || domain === 'ai.onnx';
}

// The encoders skip a field left undefined as they skip a missing one; spreading optional
// fields in per node and per value cost more than encoding them.
function nodeProtoOf(node: Node): P.INodeProto {
  return {
    input: node.inputs.slice(),
    output: node.outputs.slice(),
    name: node.name,
    opType: node.op,
    domain: node.domain !== ONNX_DOMAIN ? node.domain : undefined,
    attribute: Object.entries(node.attrs).map(([name, value]) => attributeProtoOf(node, name, value)),
    docString: node.docString,
  };
}

const utf8 = new TextEncoder();

function attributeProtoOf(node: Node, name: string, a: AttrValue): P.IAttributeProto {
  switch (a.kind) {
    case 'float': return { name, type: 1, f: a.value };
    case 'int': return { name, type: 2, i: a.value };
    case 'string': return { name, type: 3, s: utf8.encode(a.value) };
    case 'tensor': return { name, type: 4, t: tensorProtoOf(a.value) };
    case 'floats': return { name, type: 6, floats: [...a.value] };
    case 'ints': return { name, type: 7, ints: [...a.value] };
    case 'strings': return { name, type: 8, strings: a.value.map((s) => utf8.encode(s)) };
    case 'graph': throw new SolderError(`cannot write graph attribute '${name}'`, { node: node.name, op: node.op });
  }
}

function initializerProtoOf(init: Initializer, place: PlaceInitializer): P.ITensorProto {
  return {
    name: init.name,
    dims: [...init.shape],
    dataType: onnxCode(init.dtype),
    ...(init.docString !== undefined ? { docString: init.docString } : {}),
    ...place(init, init.bytes.read()),
  };
}

function writeValueInfo(w: Writer, field: number, v: ValueInfo): void {
  w.uint32(tag(field)).fork();
  onnx.ValueInfoProto.encode({ name: v.name, type: typeProtoOf(v.type), docString: v.docString }, w);
  writeEntries(w, VALUE_INFO_METADATA_PROPS, v.metadata);
  w.ldelim();
}

/** StringStringEntryProto fields under one field number, appended to the message being written. */
function writeEntries(w: Writer, field: number, record: Readonly<Record<string, string>> | undefined): void {
  if (record === undefined) return;
  // Written field by field as StringStringEntryProto.encode would (key = 1, value = 2): the
  // dynamo exports carry five entries per node, and an object per entry cost more than the bytes.
  for (const key in record) {
    w.uint32(tag(field)).fork();
    w.uint32(tag(1)).string(key);
    w.uint32(tag(2)).string(record[key]!);
    w.ldelim();
  }
}

function entries(record: Readonly<Record<string, string>>): { key: string; value: string }[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

function tag(field: number): number {
  return ((field << 3) | LENGTH_DELIMITED) >>> 0;
}
