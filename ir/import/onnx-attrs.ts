// ONNX AttributeProto -> AttrValue, keeping each attribute's kind exactly.
import type { onnx as P } from 'onnx-proto';
import type { AttrValue, Attrs } from '../attrs.js';
import { SolderError } from '../errors.js';
import type { ExternalData } from './onnx-external.js';
import { has, int64ToNumber } from './onnx-proto.js';
import { tensorOf } from './onnx-tensor.js';

// AttributeProto.AttributeType codes.
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8;
const UNSUPPORTED: Readonly<Record<number, string>> = {
  [GRAPH]: 'a graph', 9: 'a list of tensors', 10: 'a list of graphs', 11: 'a sparse tensor',
  12: 'a list of sparse tensors', 13: 'a type', 14: 'a list of types',
};

const utf8 = new TextDecoder();

/** The attributes of one node, by name. */
export function attrsOf(attributes: readonly P.IAttributeProto[], external: ExternalData): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const a of attributes) {
    const name = a.name ?? '';
    if (name === '') throw new SolderError('an attribute has no name');
    if (name in out) throw new SolderError(`attribute '${name}' is given twice`);
    out[name] = attrValueOf(a, name, external);
  }
  return out;
}

function attrValueOf(a: P.IAttributeProto, name: string, external: ExternalData): AttrValue {
  if (a.refAttrName) throw new SolderError(`attribute '${name}' refers to a function attribute, which solder does not support`);
  const type = a.type || typeFromFields(a);
  switch (type) {
    case FLOAT: return { kind: 'float', value: a.f ?? 0 };
    case INT: return { kind: 'int', value: int64ToNumber(a.i, `attribute '${name}': value`) };
    case STRING: return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array(0)) };
    case TENSOR: {
      if (!a.t) throw new SolderError(`attribute '${name}' is a tensor but holds none`);
      return { kind: 'tensor', value: tensorOf(a.t, external, `attribute ${name}`) };
    }
    case FLOATS: return { kind: 'floats', value: [...(a.floats ?? [])] };
    case INTS: return { kind: 'ints', value: (a.ints ?? []).map((v) => int64ToNumber(v, `attribute '${name}': value`)) };
    case STRINGS: return { kind: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
  }
  const what = UNSUPPORTED[type];
  throw new SolderError(
    what !== undefined ? `attribute '${name}' is ${what}, which solder does not support` : `attribute '${name}' has unknown type ${type}`,
  );
}

// Files from old writers leave `type` out; the field that is set says what it is.
function typeFromFields(a: P.IAttributeProto): number {
  if (has(a, 'f')) return FLOAT;
  if (has(a, 'i')) return INT;
  if (has(a, 's')) return STRING;
  if (has(a, 't')) return TENSOR;
  if (has(a, 'g')) return GRAPH;
  if ((a.floats?.length ?? 0) > 0) return FLOATS;
  if ((a.ints?.length ?? 0) > 0) return INTS;
  if ((a.strings?.length ?? 0) > 0) return STRINGS;
  return 0;
}
