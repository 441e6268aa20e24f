// Loading and saving models: the first and last steps of every solder command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import { SolderError } from '../ir/errors.js';
import { importModel } from '../ir/import/index.js';
import { exportOnnx } from '../ir/export/onnx.js';
import { inferTypes } from '../ir/infer.js';
import { verifyStructure } from '../ir/verify.js';
import { evaluateNode } from '../passes/evaluate.js';

/** Imports an ONNX file or torch.export archive, infers every value's type and verifies the graph. */
export function load(file: string): Graph {
  try {
    // inferTypes checks every declared type against the op specs as it goes, so the
    // verifier only needs the structural checks here.
    const graph = inferTypes(importModel(file), { evaluate: evaluateNode });
    verifyStructure(graph);
    return graph;
  } catch (e) {
    throw e instanceof SolderError ? e.inFile(file) : e;
  }
}

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
