// check: run an original graph and its optimized form side by side and find the first node
// whose numbers went wrong. Every value both graphs define (same name: a fused node's
// outputs keep the names of the cluster outputs it replaced) is judged against a float64
// run of the original, relative to how far the float32 original itself is from it:
//
//   a value fails when  max|opt - ref64| > max(k * max|orig32 - ref64|, floor * scale)
//
// where scale = max|ref64| over the value's entries (mask fill values of magnitude >= 1e30
// left out), k = 2 and floor = 1e-6 by default. The floor keeps values the float32 original
// happens to compute exactly (baseline 0) from failing on a last-bit difference: 1e-6 is
// about 8 float32 ulps at the value's largest entry.
//
// Each node is also re-run alone on exact inputs (the float64 values, rounded to the node's
// input dtype), so that a node's own error (`ownError`) is told apart from what it inherited
// from upstream (`inheritedError` = |in-graph output - alone output|).
import { interpret, runNode } from '../backends/reference/interpreter.js';
import { SolderError } from '../ir/errors.js';
import { type Graph, type Node, opKey } from '../ir/graph.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';
import { type NodeCheck, type ValueCheck, compareValue, judgeNode } from './check/compare.js';
import { sameShape } from '../api/error-stats.js';
import { feedsToFloat64, toFloat64 } from './float64.js';

export type { NodeCheck, ValueCheck } from './check/compare.js';

export const DEFAULT_K = 2;
export const DEFAULT_FLOOR = 1e-6;

export interface CheckOptions {
  /** A value fails when its error exceeds k times the float32 original's (default 2). */
  readonly k?: number;
  /** Relative floor on the allowed error, times the value's largest reference magnitude (default 1e-6). */
  readonly floor?: number;
  /** Called as each stage starts, for progress display. */
  readonly onStage?: (stage: 'original' | 'float64' | 'optimized' | 'compare') => void;
}

/** Plain JSON-able data; in JSON, NaN and Infinity errors read as null. */
export interface CheckReport {
  readonly k: number;
  readonly floor: number;
  /** Optimized nodes with at least one output the original also defines, in the optimized graph's (topological) order. */
  readonly nodes: readonly NodeCheck[];
  /** Optimized nodes none of whose outputs the original defines (new intermediates of a rewrite). */
  readonly uncompared: readonly string[];
  /** How many values were compared. */
  readonly values: number;
  /** Names of the failing nodes, in order. */
  readonly failing: readonly string[];
  /** The first failing node in the optimized graph's topological order, with its details. */
  readonly firstFailing?: NodeCheck;
  readonly ok: boolean;
}

/**
 * Runs `original` and `optimized` on `inputs` and judges every shared value against a float64
 * run of the original. Inputs of `optimized` that are not model inputs are fed the original's
 * value of the same name, so that a subgraph cut out of an optimized model can be checked.
 */
export function checkGraphs(original: Graph, optimized: Graph, inputs: ReadonlyMap<string, Tensor>, options: CheckOptions = {}): CheckReport {
  const k = options.k ?? DEFAULT_K;
  const floor = options.floor ?? DEFAULT_FLOOR;
  options.onStage?.('original');
  const orig32 = interpret(original, inputs, { keepAll: true }).values;
  options.onStage?.('float64');
  const ref64 = interpret(toFloat64(original), feedsToFloat64(inputs), { keepAll: true }).values;
  options.onStage?.('optimized');
  const opt = interpret(optimized, feedsFor(optimized, inputs, orig32), { keepAll: true }).values;
  options.onStage?.('compare');
  const nodes: NodeCheck[] = [];
  const uncompared: string[] = [];
  const fedExact = new Map<string, Tensor>();
  let values = 0;
  for (const node of optimized.nodes) {
    const alone = runAlone(optimized, node, ref64, opt, fedExact);
    node.outputs.forEach((v, i) => alone?.[i] !== undefined && v !== '' && fedExact.set(v, alone[i]!));
    const shared = node.outputs.filter((v) => v !== '' && ref64.has(v) && opt.has(v));
    if (shared.length === 0) {
      uncompared.push(node.name);
      continue;
    }
    const checks: ValueCheck[] = shared.map((v) => {
      const i = node.outputs.indexOf(v);
      return compareValue(v, opt.get(v) as Tensor, ref64.get(v) as Tensor, orig32.get(v) as Tensor, alone?.[i], { k, floor });
    });
    values += checks.length;
    nodes.push(judgeNode(node.name, opKey(node.domain, node.op), node.origins, checks));
  }
  const failing = nodes.filter((n) => !n.ok);
  const first = failing[0];
  return { k, floor, nodes, uncompared, values, failing: failing.map((n) => n.name), ...(first === undefined ? {} : { firstFailing: first }), ok: first === undefined };
}

/** Feeds for the optimized graph: the model inputs, else the original's value of that name. */
function feedsFor(optimized: Graph, inputs: ReadonlyMap<string, Tensor>, orig32: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const feeds = new Map<string, Tensor>();
  for (const input of optimized.inputs) {
    if (optimized.initializers.has(input.name)) continue;
    const t = inputs.get(input.name) ?? orig32.get(input.name);
    if (t === undefined) {
      throw new SolderError(`input '${input.name}' of the optimized graph is neither a model input nor a value of the original graph`);
    }
    feeds.set(input.name, t);
  }
  return feeds;
}

/**
 * The node's outputs when it reads exact values: each input the original also computes is
 * its float64 value rounded to the dtype the optimized run had there; an input only the
 * optimized graph has (a rewrite's new intermediate) is what its producer gave in this same
 * exact-fed pass (`fedExact`), so that it carries no upstream error either. undefined when
 * the node cannot run so.
 */
function runAlone(graph: Graph, node: Node, ref64: ReadonlyMap<string, Tensor>, opt: ReadonlyMap<string, Tensor>, fedExact: ReadonlyMap<string, Tensor>): Tensor[] | undefined {
  const env = new Map<string, Tensor>();
  for (const name of node.inputs) {
    if (name === '' || graph.initializers.has(name)) continue;
    const mine = opt.get(name);
    const ref = ref64.get(name);
    if (mine === undefined) continue;
    env.set(name, ref !== undefined && sameShape(ref.shape, mine.shape) ? roundTo(ref, mine.dtype) : fedExact.get(name) ?? mine);
  }
  try {
    return runNode(graph, node, env);
  } catch (e) {
    if (e instanceof SolderError) return undefined;
    throw e;
  }
}

function roundTo(t: Tensor, dtype: Tensor['dtype']): Tensor {
  return t.dtype === dtype ? t : makeTensor(dtype, t.shape, t.data);
}
