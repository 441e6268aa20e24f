// CommonJS dependencies, loaded with require: importing a large CJS file from ESM makes
// Node scan its whole source for export names (cjs-module-lexer), which cost ~0.5 s of
// every `solder` start for onnx-proto's generated code and protobufjs (and ~25 ms for yauzl).
// Each is required on first use only: a command that reads no .pt2 never loads yauzl
// (~11 ms), and one that reads no ONNX never loads onnx-proto and protobufjs (~55 ms).
import { createRequire } from 'node:module';
import type * as GraphologyModule from 'graphology';
import type * as GraphologyDag from 'graphology-dag';
import type * as GraphologyTraversal from 'graphology-traversal';
import type * as OnnxProto from 'onnx-proto';
import type * as Protobuf from 'protobufjs';
import type * as Yauzl from 'yauzl';

const require = createRequire(import.meta.url);

/** A value computed by the first call and returned by every later one. */
function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

/** onnx-proto's static ONNX schema (it loads protobufjs's minimal runtime with it). */
export const onnxProto = once(() => require('onnx-proto') as typeof OnnxProto);

/**
 * protobufjs's minimal runtime (Reader and Writer), the one onnx-proto's code uses: the
 * full package adds the .proto parser and reflection (~16 ms) that solder never needs.
 */
export const protobuf = once(() => require('protobufjs/minimal') as Pick<typeof Protobuf, 'Reader' | 'Writer' | 'util'>);

/** yauzl, the zip reader behind .pt2 archives. */
export const yauzl = once(() => require('yauzl') as typeof Yauzl);

interface Graphology {
  readonly graph: typeof GraphologyModule;
  readonly dag: typeof GraphologyDag;
  readonly traversal: typeof GraphologyTraversal;
}

/** graphology and its DAG and traversal algorithms, loaded on first use (~10 ms). */
export const graphology = once<Graphology>(() => ({
  graph: require('graphology') as typeof GraphologyModule,
  dag: require('graphology-dag') as typeof GraphologyDag,
  traversal: require('graphology-traversal') as typeof GraphologyTraversal,
}));
