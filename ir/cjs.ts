// CommonJS dependencies, loaded with require: importing a large CJS file from ESM makes
// Node scan its whole source for export names (cjs-module-lexer), which cost ~0.5 s of
// every `solder` start for onnx-proto's generated code and protobufjs (and ~25 ms for yauzl).
import type * as Graphlib from '@dagrejs/graphlib';
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';
import type * as Protobuf from 'protobufjs';
import type * as Yauzl from 'yauzl';

const require = createRequire(import.meta.url);

export const onnxProto = require('onnx-proto') as typeof OnnxProto;
export const protobuf = require('protobufjs') as typeof Protobuf;
export const yauzl = require('yauzl') as typeof Yauzl;

let graphlibModule: typeof Graphlib | undefined;

/** graphlib's CommonJS build, loaded on first use: only the debugger asks for a graphlib Graph (~15 ms to load). */
export function graphlib(): typeof Graphlib {
  return (graphlibModule ??= require('@dagrejs/graphlib') as typeof Graphlib);
}
