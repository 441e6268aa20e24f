// Loading and saving models: the first and last steps of every solder command.
import type { Graph } from '../ir/graph.js';
import { importModel } from '../ir/import/index.js';
import { typedImport } from './typed.js';

export { loadModel } from './load-model.js';
export { save, type SaveOptions } from './save.js';

/** Imports an ONNX file or torch.export archive, infers every value's type and verifies the graph. */
export function load(file: string): Graph {
  return typedImport(file, importModel);
}
