// Graph -> ModelProto bytes. onnx-proto's static encoders write each message of the
// ONNX 1.10 schema; the fields added since (metadata_props of graphs, nodes and values)
// are appended to those messages here. Protobuf fields may come in any order, and a
// message followed by more fields of the same message is still one message.
import type { onnx as P } from 'onnx-proto';
import { protobuf } from '../cjs.js';
import type { AttrValue } from '../attrs.js';
import { onnxCode } from '../dtype.js';
import { SolderError } from '../errors.js';
import { type Graph, type Initializer, type Node, ONNX_DOMAIN, type OpsetImport, SOLDER_DOMAIN, type ValueInfo } from '../graph.js';
import { onnx } from '../import/onnx-proto.js';
import { tensorProtoOf, typeProtoOf } from './onnx-tensor.js';

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
  const header = onnx.ModelProto.encode({
    irVersion: meta.irVersion > 0 ? meta.irVersion : DEFAULT_IR_VERSION,
    opsetImport: opsetsFor(graph),
    ...(meta.producerName !== undefined ? { producerName: meta.producerName } : {}),
    ...(meta.producerVersion !== undefined ? { producerVersion: meta.producerVersion } : {}),
    ...(meta.domain !== undefined ? { domain: meta.domain } : {}),
    ...(meta.modelVersion !== undefined ? { modelVersion: meta.modelVersion } : {}),
    ...(meta.docString !== undefined ? { docString: meta.docString } : {}),
    metadataProps: entries(meta.metadata),
  }).finish();
  const w = protobuf.Writer.create();
  w.uint32(tag(MODEL_GRAPH)).bytes(encodeGraph(graph, place));
  return concat([header, w.finish()]);
}

function encodeGraph(graph: Graph, place: PlaceInitializer): Uint8Array {
  const w = protobuf.Writer.create();
  for (const node of graph.nodes) {
    const proto = onnx.NodeProto.encode(nodeProtoOf(node)).finish();
    w.uint32(tag(GRAPH.node)).bytes(withEntries(proto, NODE_METADATA_PROPS, node.metadata));
  }
  w.uint32(tag(GRAPH.name)).string(graph.name);
  for (const init of graph.initializers.values()) {
    w.uint32(tag(GRAPH.initializer)).bytes(onnx.TensorProto.encode(initializerProtoOf(init, place)).finish());
  }
  if (graph.meta.graphDocString !== undefined) w.uint32(tag(GRAPH.docString)).string(graph.meta.graphDocString);
  for (const v of graph.inputs) w.uint32(tag(GRAPH.input)).bytes(valueInfoBytes(v));
  for (const v of graph.outputs) w.uint32(tag(GRAPH.output)).bytes(valueInfoBytes(v));
  for (const [name, type] of graph.valueInfo) {
    const metadata = graph.valueMetadata?.get(name);
    w.uint32(tag(GRAPH.valueInfo)).bytes(valueInfoBytes({ name, type, ...(metadata !== undefined ? { metadata } : {}) }));
  }
  for (const [key, value] of Object.entries(graph.meta.graphMetadata ?? {})) {
    w.uint32(tag(GRAPH.metadataProps)).bytes(onnx.StringStringEntryProto.encode({ key, value }).finish());
  }
  return w.finish();
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

function nodeProtoOf(node: Node): P.INodeProto {
  return {
    input: [...node.inputs],
    output: [...node.outputs],
    name: node.name,
    opType: node.op,
    ...(node.domain !== ONNX_DOMAIN ? { domain: node.domain } : {}),
    attribute: Object.entries(node.attrs).map(([name, value]) => attributeProtoOf(node, name, value)),
    ...(node.docString !== undefined ? { docString: node.docString } : {}),
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

function valueInfoBytes(v: ValueInfo): Uint8Array {
  const proto = onnx.ValueInfoProto.encode({
    name: v.name,
    type: typeProtoOf(v.type),
    ...(v.docString !== undefined ? { docString: v.docString } : {}),
  }).finish();
  return withEntries(proto, VALUE_INFO_METADATA_PROPS, v.metadata);
}

/** A message's bytes followed by StringStringEntryProto fields under one field number. */
function withEntries(message: Uint8Array, field: number, record: Readonly<Record<string, string>> | undefined): Uint8Array {
  if (record === undefined || Object.keys(record).length === 0) return message;
  const w = protobuf.Writer.create();
  for (const e of entries(record)) w.uint32(tag(field)).bytes(onnx.StringStringEntryProto.encode(e).finish());
  return concat([message, w.finish()]);
}

function entries(record: Readonly<Record<string, string>>): { key: string; value: string }[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

function tag(field: number): number {
  return ((field << 3) | LENGTH_DELIMITED) >>> 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
