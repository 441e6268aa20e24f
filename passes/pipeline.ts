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

/**
 * How a pass affects types: 'refines' passes give inference more to work with (constant
 * Reshape targets) and are followed by re-inference; 'keeps' passes only remove nodes,
 * rename values or turn values into initializers, so every remaining type still holds.
 */
export type TypeEffect = 'refines' | 'keeps';

/**
 * Runs a pass, re-infers types when it refines them (carrying over the types of the nodes
 * it left alone, see ir/infer-incremental.ts), and verifies the result in debug mode.
 */
export function step(name: string, pass: Pass, effect: TypeEffect): Pass {
  return (graph) => {
    const changed = pass(graph);
    // A pass that found nothing to do returns its input, whose types are already inferred.
    if (changed === graph) return graph;
    const out = effect === 'refines' ? inferTypes(changed, { evaluate: evaluateNode, previous: graph }) : changed;
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

const foldConstantNodes = step('fold-constants', foldConstants, 'keeps');
const foldShapeArithmetic = step('fold-shapes', foldShapes, 'refines');
const dropNoOps = step('remove-no-ops', removeNoOps, 'keeps');
const mergeDuplicates = step('cse', eliminateCommonSubexpressions, 'keeps');
const dropDeadCode = step('dead-code', eliminateDeadCode, 'keeps');

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
