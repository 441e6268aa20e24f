// The canonicalization pipeline: exports are noisy, and fusion must see through the noise.
// One straight list of named steps; the verifier runs after each in debug mode (SOLDER_VERIFY=1).
import type { Graph } from '../ir/graph.js';
import { inferTypes } from '../ir/infer.js';
import { verify, verifyEnabled } from '../ir/verify.js';
import { evaluateNode } from './evaluate.js';
import { foldConstants } from './fold-constants.js';
import { foldShapes } from './fold-shapes.js';
import { removeNoOps } from './no-ops.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dead-code.js';

export type Pass = (graph: Graph) => Graph;

/** Runs a pass, re-infers types, and verifies the result in debug mode, naming the pass on failure. */
export function step(name: string, pass: Pass): Pass {
  return (graph) => {
    const changed = pass(graph);
    // A pass that found nothing to do returns its input, whose types are already inferred.
    if (changed === graph) return graph;
    const out = inferTypes(changed, { evaluate: evaluateNode });
    if (verifyEnabled()) {
      try {
        verify(out);
      } catch (e) {
        throw new Error(`pass '${name}' produced an invalid graph: ${(e as Error).message}`);
      }
    }
    return out;
  };
}

const foldConstantNodes = step('fold-constants', foldConstants);
const foldShapeArithmetic = step('fold-shapes', foldShapes);
const dropNoOps = step('remove-no-ops', removeNoOps);
const mergeDuplicates = step('cse', eliminateCommonSubexpressions);
const dropDeadCode = step('dead-code', eliminateDeadCode);

/** Cleans an imported graph up so that fusion rules see one canonical form. */
export function canonicalize(graph: Graph): Graph {
  let g = graph;
  // Constant nodes, and nodes computed only from constants, become initializers.
  g = foldConstantNodes(g);
  // Shape arithmetic over known and symbolic dims is folded, twice: the first round
  // exposes constants that make the second round's Reshape/Expand targets constant.
  for (let round = 0; round < 2; round++) {
    g = foldShapeArithmetic(g);
    g = foldConstantNodes(g);
  }
  // Identity, inference-time Dropout, Casts and Reshapes to what a value already is.
  g = dropNoOps(g);
  // The same subexpression computed twice (exporters repeat Shape chains) is merged.
  g = mergeDuplicates(g);
  // What no output needs any more goes.
  g = dropDeadCode(g);
  return g;
}

/** After fusion: drop what the fused nodes made dead, merge duplicates, re-infer types. */
export function cleanup(graph: Graph): Graph {
  let g = graph;
  g = mergeDuplicates(g);
  g = dropDeadCode(g);
  return g;
}
