// Fields that ONNX added after 1.10 (the schema onnx-proto was generated from), read from
// the wire directly: the static decoder skips them, yet the exporters' files carry them
// (torch.onnx puts stack traces and FX node names in NodeProto.metadata_props, the
// torch.export signature in GraphProto.metadata_props).
import type { Reader } from 'protobufjs';
import { protobuf } from '../cjs.js';
import { SolderError } from '../errors.js';
import { asBuffer, describe } from './onnx-proto.js';

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
    // One reader walks the whole file by byte ranges: a reader and a copy per message
    // made this second look at every node cost as much as decoding the model.
    const bytes = asBuffer(model);
    const r = protobuf().Reader.create(bytes);
    const graph = fieldRanges(r, { start: 0, end: model.byteLength }, (f) => f === MODEL_GRAPH).pop();
    return readGraph(r, bytes, graph);
  } catch (e) {
    throw new SolderError(`not an ONNX model (protobuf decoding failed: ${describe(e)})`);
  }
}

interface Range {
  readonly field: number;
  readonly start: number;
  readonly end: number;
}

const WANTED_IN_GRAPH = new Set<number>(Object.values(GRAPH));

function readGraph(r: Reader, bytes: Buffer, graph: Range | undefined): NewerFields {
  const out = {
    graphMetadata: undefined as Record_ | undefined,
    nodeMetadata: [] as (Record_ | undefined)[],
    inputMetadata: [] as (Record_ | undefined)[],
    outputMetadata: [] as (Record_ | undefined)[],
    valueInfoMetadata: [] as (Record_ | undefined)[],
  };
  if (graph === undefined) return out;
  const parts = fieldRanges(r, graph, (f) => WANTED_IN_GRAPH.has(f));
  const strings = new EntryStrings(r, bytes, spanOf(parts.filter((p) => p.field === GRAPH.node)));
  for (const part of parts) {
    switch (part.field) {
      case GRAPH.node: out.nodeMetadata.push(entriesOf(r, strings, part, NODE_METADATA_PROPS)); break;
      case GRAPH.input: out.inputMetadata.push(entriesOf(r, strings, part, VALUE_INFO_METADATA_PROPS)); break;
      case GRAPH.output: out.outputMetadata.push(entriesOf(r, strings, part, VALUE_INFO_METADATA_PROPS)); break;
      case GRAPH.valueInfo: out.valueInfoMetadata.push(entriesOf(r, strings, part, VALUE_INFO_METADATA_PROPS)); break;
      case GRAPH.metadataProps: {
        const [k, v] = readEntry(r, strings, part);
        out.graphMetadata = { ...out.graphMetadata, [k]: v };
        break;
      }
    }
  }
  return out;
}

/** The StringStringEntryProto entries under one field number of a message, as a record. */
function entriesOf(r: Reader, strings: EntryStrings, message: Range, field: number): Record_ | undefined {
  let out: Record_ | undefined;
  for (const entry of fieldRanges(r, message, (f) => f === field)) {
    const [k, v] = readEntry(r, strings, entry);
    (out ??= {})[k] = v;
  }
  return out;
}

function readEntry(r: Reader, strings: EntryStrings, entry: Range): [string, string] {
  let key = '';
  let value = '';
  r.pos = entry.start;
  r.len = entry.end;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 10) key = strings.read();
    else if (tag === 18) value = strings.read();
    else r.skipType(tag & 7);
  }
  return [key, value];
}

// The static decoder reads a known field as length-delimited whatever its wire type says,
// so the wanted fields are read the same way here to stay in step with it. The reader's
// len bounds it to the message, as a reader over the message's own bytes would be.
function fieldRanges(r: Reader, message: { readonly start: number; readonly end: number }, wanted: (field: number) => boolean): Range[] {
  const out: Range[] = [];
  r.pos = message.start;
  r.len = message.end;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (!wanted(field)) {
      r.skipType(tag & 7);
      continue;
    }
    const length = r.uint32();
    const start = r.pos;
    if (start + length > r.len) throw new RangeError(`index out of range: ${start} + ${length} > ${r.len}`);
    r.pos = start + length;
    out.push({ field, start, end: start + length });
  }
  return out;
}

// A window of the file decoded at once must stay a modest string (weights can sit in Constant nodes).
const MAX_SPAN = 64 << 20;
const NON_ASCII = /[^\x00-\x7f]/;

/** The bytes from the first range to the last, when they are few enough to decode at once. */
function spanOf(ranges: readonly Range[]): { start: number; end: number } | undefined {
  if (ranges.length === 0) return undefined;
  const start = ranges[0]!.start;
  const end = ranges[ranges.length - 1]!.end;
  return end - start <= MAX_SPAN ? { start, end } : undefined;
}

/**
 * Reads the strings of metadata entries. Within the node messages, an ASCII string is a
 * slice of one latin1 decoding of them all: V8 keeps a slice as a view of its parent, where
 * decoding each string made a copy, and the young-generation GCs until the graph was built
 * copied each copy again (the dynamo exports carry megabytes of stack traces). Other
 * strings, and any length that may be malformed, are read by the reader as before.
 */
class EntryStrings {
  private text: string | undefined;

  constructor(private readonly r: Reader, private readonly bytes: Buffer, private readonly span: { start: number; end: number } | undefined) {}

  read(): string {
    const r = this.r;
    const span = this.span;
    const at = r.pos;
    if (span === undefined || r.len - at < 5) return r.string();
    const length = r.uint32();
    const start = r.pos;
    const end = start + length;
    if (start - at > 4 || end > r.len || start < span.start || end > span.end) {
      r.pos = at;
      return r.string();
    }
    r.pos = end;
    const text = (this.text ??= this.bytes.toString('latin1', span.start, span.end));
    const s = text.slice(start - span.start, end - span.start);
    // latin1 and UTF-8 read ASCII alike; anything else is decoded as UTF-8.
    return NON_ASCII.test(s) ? this.bytes.toString('utf8', start, end) : s;
  }
}
