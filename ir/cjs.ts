// CommonJS dependencies, loaded with require: importing a large CJS file from ESM makes
// Node scan its whole source for export names (cjs-module-lexer), which cost ~0.5 s of
// every `solder` start for onnx-proto's generated code and protobufjs (and ~25 ms for yauzl).
import { createRequire } from 'node:module';
import type * as GraphologyModule from 'graphology';
import type * as GraphologyDag from 'graphology-dag';
import type * as GraphologyTraversal from 'graphology-traversal';
import type * as OnnxProto from 'onnx-proto';
import type * as Protobuf from 'protobufjs';
import type * as Yauzl from 'yauzl';

const require = createRequire(import.meta.url);

export const onnxProto = require('onnx-proto') as typeof OnnxProto;
export const protobuf = require('protobufjs') as typeof Protobuf;
export const yauzl = require('yauzl') as typeof Yauzl;

interface Graphology {
  readonly graph: typeof GraphologyModule;
  readonly dag: typeof GraphologyDag;
  readonly traversal: typeof GraphologyTraversal;
}

let graphologyModules: Graphology | undefined;

/** graphology and its DAG and traversal algorithms, loaded on first use (~10 ms). */
export function graphology(): Graphology {
  return (graphologyModules ??= {
    graph: require('graphology') as typeof GraphologyModule,
    dag: require('graphology-dag') as typeof GraphologyDag,
    traversal: require('graphology-traversal') as typeof GraphologyTraversal,
  });
}
