// What every load does after importing: types for every value, and the structural checks.
import type { Graph } from '../ir/graph.js';
import { SolderError } from '../ir/errors.js';
import { inferTypes } from '../ir/infer.js';
import { verifyStructure } from '../ir/verify.js';
import { evaluateNode } from '../passes/evaluate.js';

/** The imported graph with every value's type inferred, verified; errors name the file. */
export function typedImport(file: string, importer: (file: string) => Graph): Graph {
  try {
    // inferTypes checks every declared type against the op specs as it goes, so the
    // verifier only needs the structural checks here.
    const graph = inferTypes(importer(file), { evaluate: evaluateNode });
    verifyStructure(graph);
    return graph;
  } catch (e) {
    throw e instanceof SolderError ? e.inFile(file) : e;
  }
}
