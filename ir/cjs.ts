// CommonJS dependencies, loaded with require: importing a large CJS file from ESM makes
// Node scan its whole source for export names (cjs-module-lexer), which cost ~0.5 s of
// every `solder` start for onnx-proto's generated code and protobufjs.
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';
import type * as Protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

export const onnxProto = require('onnx-proto') as typeof OnnxProto;
export const protobuf = require('protobufjs') as typeof Protobuf;
