// load, for callers that can wait (the CLI): only the importer the file's extension needs
// is loaded, which spares `solder optimize model.onnx` the torch.export importer at start.
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import { typedImport } from './typed.js';

/** The same graph load(file) gives, importing only what the file's format needs. */
export async function loadModel(file: string): Promise<Graph> {
  const importer = path.extname(file).toLowerCase() === '.onnx'
    ? (await import('../ir/import/onnx.js')).importOnnx
    : (await import('../ir/import/index.js')).importModel;
  return typedImport(file, (f) => importer(f));
}
