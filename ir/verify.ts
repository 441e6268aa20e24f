// The verifier: the invariants every pass must keep, checked in one linear sweep.
// It runs after every pass in tests and when SOLDER_VERIFY=1, so that a pass that
// breaks the graph fails at once, naming the node, instead of three passes later.
import { nodeReads, producerIndex } from './algo.js';
import { byteSize } from './dtype.js';
import { SolderError } from './errors.js';
import type { Graph, Node } from './graph.js';
import { inferTypes } from './infer.js';
import './ops/index.js';
import { type InputSpec, opOf, readAttrs } from './ops/spec.js';
import { numel } from './tensor.js';

/** True when the verifier should run after each pass (env SOLDER_VERIFY=1). */
export function verifyEnabled(): boolean {
  return process.env['SOLDER_VERIFY'] === '1';
}

/**
 * Throws a SolderError naming the first offending node unless: node names are unique,
 * every value is assigned once, nodes are in topological order and read only defined
 * values, input/output counts and attributes fit the op spec, declared and inferred
 * types agree, and every graph output is defined.
 */
export function verify(graph: Graph): void {
  verifyStructure(graph);
  // Re-inference compares every declared type with what the op specs compute.
  inferTypes(graph);
}

/** Every check of `verify` but the type re-inference: for a graph inferTypes has just typed. */
export function verifyStructure(graph: Graph): void {
  const definedBy = checkGraphValues(graph);
  checkNodes(graph, definedBy);
  checkOutputs(graph, definedBy);
}

/** Who defines each graph input and initializer, for messages about clashes. */
function checkGraphValues(graph: Graph): Map<string, Definer> {
  const definedBy = new Map<string, Definer>();
  for (const v of graph.inputs) {
    if (v.name === '') throw new SolderError('a graph input has an empty name');
    if (definedBy.has(v.name)) throw new SolderError(`graph input '${v.name}' is listed twice`);
    definedBy.set(v.name, 'a graph input');
  }
  for (const [key, init] of graph.initializers) {
    if (key !== init.name) throw new SolderError(`initializer '${init.name}' is stored under the name '${key}'`);
    const need = numel(init.shape) * byteSize(init.dtype);
    if (init.dtype !== 'string' && init.bytes.byteLength !== need) {
      throw new SolderError(`initializer '${key}' (${init.dtype}[${init.shape.join(', ')}]) has ${init.bytes.byteLength} bytes, expected ${need}`);
    }
    // An initializer may share its name with a graph input: it is then the input's default.
    if (!definedBy.has(key)) definedBy.set(key, 'an initializer');
  }
  return definedBy;
}

function checkNodes(graph: Graph, definedBy: Map<string, Definer>): void {
  const firstProducer = producerIndex(graph);
  const names = new Set<string>();
  // A plain loop, and the error place made only for an error: this runs on every typed graph.
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i]!;
    if (node.name === '') throw new SolderError(`node #${i} (${node.op}) has no name`, { op: node.op });
    if (names.has(node.name)) throw nodeError(node, 'another node has the same name; node names must be unique');
    names.add(node.name);
    const spec = opOf(node);
    checkSide('input', spec.inputs, node.inputs, node);
    checkSide('output', spec.outputs, node.outputs, node);
    readAttrs(spec, node);
    for (const name of nodeReads(node)) {
      if (definedBy.has(name)) continue;
      const at = firstProducer.get(name);
      if (at === i) throw nodeError(node, `reads its own output '${name}'`);
      if (at !== undefined) {
        const later = graph.nodes[at] as Node;
        throw nodeError(node, `input '${name}' is produced later, by node '${later.name}': nodes are not in topological order`);
      }
      throw nodeError(node, `input '${name}' is not defined by any graph input, initializer or node`);
    }
    for (const name of node.outputs) {
      if (name === '') continue;
      const earlier = definedBy.get(name);
      if (earlier !== undefined) throw nodeError(node, `output '${name}' is already defined by ${describeDefiner(earlier)}; values are assigned once`);
      definedBy.set(name, node);
    }
  }
}

function checkOutputs(graph: Graph, definedBy: ReadonlyMap<string, Definer>): void {
  const seen = new Set<string>();
  for (const o of graph.outputs) {
    if (!definedBy.has(o.name)) throw new SolderError(`graph output '${o.name}' is not defined by any graph input, initializer or node`);
    if (seen.has(o.name)) throw new SolderError(`graph output '${o.name}' is listed twice`);
    seen.add(o.name);
  }
}

/** Who defines a value: a graph input or initializer (described), or a node. */
type Definer = string | Node;

function describeDefiner(d: Definer): string {
  return typeof d === 'string' ? d : `node '${d.name}'`;
}

// Errors name the node; the place is made only when there is one to throw.
function nodeError(node: Node, problem: string): SolderError {
  return new SolderError(problem, { node: node.name, op: node.op });
}

/** Input or output count within the spec, '' only where the spec allows an absent value. */
function checkSide(side: 'input' | 'output', specs: readonly InputSpec[], given: readonly string[], node: Node): void {
  const last = specs[specs.length - 1];
  const max = last?.variadic ? Infinity : specs.length;
  // Everything up to the last required slot must be given (a required variadic slot takes at least one).
  let min = 0;
  for (let k = 0; k < specs.length; k++) if (!specs[k]!.optional) min = k + 1;
  if (given.length < min || given.length > max) {
    const range = max === Infinity ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
    throw nodeError(node, `has ${given.length} ${side}s, ${node.op} takes ${range}`);
  }
  for (let k = 0; k < given.length; k++) {
    const s = specs[Math.min(k, specs.length - 1)] as InputSpec;
    if (given[k] === '' && !s.optional) throw nodeError(node, `${side} ${k} (${s.name}) is required but absent ('')`);
  }
}
