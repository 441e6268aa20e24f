// Model import: one entry point that picks the importer by file extension.
import * as path from 'node:path';
import { SolderError } from '../errors.js';
import type { Graph } from '../graph.js';
import { importOnnx } from './onnx.js';
import { importPt2 } from './pt2.js';

/** Imports an ONNX model (.onnx) or a torch.export archive (.pt2). */
export function importModel(file: string): Graph {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.onnx') return importOnnx(file);
  if (ext === '.pt2') return importPt2(file);
  throw new SolderError(`cannot import '${ext || 'no extension'}' files: give an ONNX model (.onnx) or a torch.export archive (.pt2)`, { file });
}

export { importOnnx, importOnnxBytes } from './onnx.js';
