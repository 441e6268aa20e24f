// Saving models: the last step of the commands that write one. Apart from load.ts, so that
// a command can save without loading every importer (the .pt2 one pulls ~20 modules).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import { SolderError } from '../ir/errors.js';
import { exportOnnx } from '../ir/export/onnx.js';

export interface SaveOptions {
  /** Initializers larger than this many bytes go to an external data file beside the model. */
  readonly externalDataThreshold?: number;
}

/** Writes a graph as an ONNX model (atomically: no partial file is left on failure). */
export function save(graph: Graph, file: string, options: SaveOptions = {}): void {
  // `-o out/model.onnx` into a folder that does not exist yet is what users expect to work.
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  } catch (e) {
    throw new SolderError(`cannot create the output folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  exportOnnx(graph, file, options);
}
