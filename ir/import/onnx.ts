// ONNX ModelProto -> Graph. Initializers stay lazy (inline bytes as views of the file
// buffer, external data read on demand); every malformed input is a SolderError naming
// the file, never a crash.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { onnx as P } from 'onnx-proto';
import { SolderError } from '../errors.js';
import type { Graph, Initializer, ModelMeta, OpsetImport, ValueInfo } from '../graph.js';
import type { TensorType } from '../types.js';
import { FreshSymbols } from './onnx-dims.js';
import { ExternalData } from './onnx-external.js';
import { readNewerFields } from './onnx-newer-fields.js';
import { nodesOf } from './onnx-nodes.js';
import { decodeModelProto, entriesToRecord, has, int64ToNumber } from './onnx-proto.js';
import { initializerOf } from './onnx-tensor.js';
import { dimNamesOf, tensorTypeOf } from './onnx-types.js';

export const MIN_OPSET = 13;
export const MAX_OPSET = 23;

export interface ImportOnnxOptions {
  /** Skip the op registry check (tests of the importer itself only). */
  readonly allowUnregisteredOps?: boolean;
}

export interface ImportOnnxBytesOptions extends ImportOnnxOptions {
  /** Named in errors. */
  readonly file: string;
  /** The folder external data locations are relative to; without it external data is an error. */
  readonly baseDir?: string;
}

/** Reads an ONNX model file (external data beside it is read lazily). */
export function importOnnx(file: string, options: ImportOnnxOptions = {}): Graph {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    const hint = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code;
    throw new SolderError(`cannot read ONNX model (${hint})`, { file });
  }
  return importOnnxBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    ...options,
    file,
    baseDir: path.dirname(path.resolve(file)),
  });
}

/** Decodes an ONNX model held in memory. */
export function importOnnxBytes(bytes: Uint8Array, options: ImportOnnxBytesOptions): Graph {
  try {
    return graphOf(bytes, options);
  } catch (e) {
    throw e instanceof SolderError ? e.inFile(options.file) : e;
  }
}

function graphOf(bytes: Uint8Array, options: ImportOnnxBytesOptions): Graph {
  const model = decodeModelProto(bytes);
  const newer = readNewerFields(bytes);
  const g = model.graph;
  if (!g) throw new SolderError('not an ONNX model (it has no graph)');
  const opsets = opsetsOf(model.opsetImport ?? []);
  rejectUnsupportedParts(model, g);
  if (newer.nodeMetadata.length !== (g.node ?? []).length || newer.valueInfoMetadata.length !== (g.valueInfo ?? []).length) {
    throw new SolderError('not an ONNX model (the graph does not decode consistently)');
  }

  const external = new ExternalData(options.baseDir, options.file);
  const initializers = initializersOf(g.initializer ?? [], external);
  const fresh = new FreshSymbols(dimNamesOf([...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]));
  const inputs = valuesOf(g.input ?? [], newer.inputMetadata, fresh, 'graph input').filter((v) => !initializers.has(v.name));
  const outputs = valuesOf(g.output ?? [], newer.outputMetadata, fresh, 'graph output');
  const { types, metadata } = valueInfoOf(g.valueInfo ?? [], newer.valueInfoMetadata, fresh);
  const nodes = nodesOf(g.node ?? [], newer.nodeMetadata, external, options.allowUnregisteredOps !== true);

  return {
    name: g.name ?? '',
    inputs,
    outputs,
    nodes,
    initializers,
    valueInfo: types,
    ...(metadata.size > 0 ? { valueMetadata: metadata } : {}),
    meta: metaOf(model, g, opsets, newer.graphMetadata),
  };
}

function opsetsOf(protos: readonly P.IOperatorSetIdProto[]): OpsetImport[] {
  const opsets = protos.map((o) => ({ domain: o.domain ?? '', version: int64ToNumber(o.version, 'opset version') }));
  const main = opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (main === undefined) throw new SolderError('the model imports no ai.onnx opset');
  if (main.version < MIN_OPSET || main.version > MAX_OPSET) {
    throw new SolderError(
      `ai.onnx opset ${main.version} is not supported; solder reads opsets ${MIN_OPSET} to ${MAX_OPSET} (re-export with opset_version=${MIN_OPSET} or later)`,
    );
  }
  return opsets;
}

function rejectUnsupportedParts(model: P.IModelProto, g: P.IGraphProto): void {
  if ((g.sparseInitializer ?? []).length > 0) throw new SolderError('sparse initializers are not supported');
  if ((model.functions ?? []).length > 0) throw new SolderError('model-local functions are not supported; export with them inlined');
  if ((model.trainingInfo ?? []).length > 0) throw new SolderError('training information is not supported; export an inference model');
}

function initializersOf(protos: readonly P.ITensorProto[], external: ExternalData): Map<string, Initializer> {
  const out = new Map<string, Initializer>();
  for (const t of protos) {
    const init = initializerOf(t, external);
    if (init.name === '') throw new SolderError('an initializer has no name');
    if (out.has(init.name)) throw new SolderError(`initializer '${init.name}' is defined twice`);
    out.set(init.name, init);
  }
  return out;
}

function valuesOf(
  protos: readonly P.IValueInfoProto[],
  metadata: readonly (Record<string, string> | undefined)[],
  fresh: FreshSymbols,
  what: string,
): ValueInfo[] {
  return protos.map((v, i) => {
    const name = v.name ?? '';
    if (name === '') throw new SolderError(`a ${what} has no name`);
    const type = tensorTypeOf(v, fresh);
    if (type === undefined) throw new SolderError(`${what} '${name}' has no element type`);
    const meta = metadata[i];
    return { name, type, ...(v.docString ? { docString: v.docString } : {}), ...(meta !== undefined ? { metadata: meta } : {}) };
  });
}

function valueInfoOf(
  protos: readonly P.IValueInfoProto[],
  metadata: readonly (Record<string, string> | undefined)[],
  fresh: FreshSymbols,
) {
  const types = new Map<string, TensorType>();
  const meta = new Map<string, Readonly<Record<string, string>>>();
  protos.forEach((v, i) => {
    const type = tensorTypeOf(v, fresh);
    // A value_info without an element type declares nothing solder can use.
    if (type === undefined || !v.name) return;
    types.set(v.name, type);
    const m = metadata[i];
    if (m !== undefined) meta.set(v.name, m);
  });
  return { types, metadata: meta };
}

function metaOf(
  model: P.IModelProto,
  g: P.IGraphProto,
  opsets: readonly OpsetImport[],
  graphMetadata: Readonly<Record<string, string>> | undefined,
): ModelMeta {
  const optional = (key: string, value: string | null | undefined) => (value ? { [key]: value } : {});
  return {
    irVersion: int64ToNumber(model.irVersion, 'ir_version'),
    opsets,
    ...optional('producerName', model.producerName),
    ...optional('producerVersion', model.producerVersion),
    ...optional('domain', model.domain),
    ...(has(model, 'modelVersion') ? { modelVersion: int64ToNumber(model.modelVersion, 'model_version') } : {}),
    ...optional('docString', model.docString),
    ...optional('graphDocString', g.docString),
    metadata: entriesToRecord(model.metadataProps) ?? {},
    ...(graphMetadata !== undefined ? { graphMetadata } : {}),
    source: 'onnx',
  };
}
