// The verifier: the invariants every pass must keep, checked in one linear sweep.
// It runs after every pass in tests and when SOLDER_VERIFY=1, so that a pass that
// breaks the graph fails at once, naming the node, instead of three passes later.
import { nodeReads } from './algo.js';
import { byteSize } from './dtype.js';
import { type ErrorPlace, SolderError } from './errors.js';
import type { Graph, Node } from './graph.js';
import { inferTypes } from './infer.js';
import './ops/index.js';
import { type InputSpec, type OpSpec, opOf, readAttrs } from './ops/spec.js';
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
function checkGraphValues(graph: Graph): Map<string, string> {
  const definedBy = new Map<string, string>();
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

function checkNodes(graph: Graph, definedBy: Map<string, string>): void {
  const firstProducer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const name of node.outputs) if (name !== '' && !firstProducer.has(name)) firstProducer.set(name, i);
  });
  const names = new Set<string>();
  graph.nodes.forEach((node, i) => {
    const place: ErrorPlace = { node: node.name, op: node.op };
    if (node.name === '') throw new SolderError(`node #${i} (${node.op}) has no name`, { op: node.op });
    if (names.has(node.name)) throw new SolderError('another node has the same name; node names must be unique', place);
    names.add(node.name);
    const spec = opOf(node);
    checkArity(spec, node, place);
    readAttrs(spec, node);
    for (const name of nodeReads(node)) {
      if (definedBy.has(name)) continue;
      const at = firstProducer.get(name);
      if (at === i) throw new SolderError(`reads its own output '${name}'`, place);
      if (at !== undefined) {
        const later = graph.nodes[at] as Node;
        throw new SolderError(`input '${name}' is produced later, by node '${later.name}': nodes are not in topological order`, place);
      }
      throw new SolderError(`input '${name}' is not defined by any graph input, initializer or node`, place);
    }
    for (const name of node.outputs) {
      if (name === '') continue;
      const earlier = definedBy.get(name);
      if (earlier !== undefined) throw new SolderError(`output '${name}' is already defined by ${earlier}; values are assigned once`, place);
      definedBy.set(name, `node '${node.name}'`);
    }
  });
}

function checkOutputs(graph: Graph, definedBy: ReadonlyMap<string, string>): void {
  const seen = new Set<string>();
  for (const o of graph.outputs) {
    if (!definedBy.has(o.name)) throw new SolderError(`graph output '${o.name}' is not defined by any graph input, initializer or node`);
    if (seen.has(o.name)) throw new SolderError(`graph output '${o.name}' is listed twice`);
    seen.add(o.name);
  }
}

/** Input and output counts within the spec, '' only where the spec allows an absent value. */
function checkArity(spec: OpSpec, node: Node, place: ErrorPlace): void {
  checkSide('input', spec.inputs, node.inputs, place);
  checkSide('output', spec.outputs, node.outputs, place);
}

function checkSide(side: 'input' | 'output', specs: readonly InputSpec[], given: readonly string[], place: ErrorPlace): void {
  const last = specs[specs.length - 1];
  const max = last?.variadic ? Infinity : specs.length;
  // Everything up to the last required slot must be given (a required variadic slot takes at least one).
  let min = 0;
  specs.forEach((s, k) => {
    if (!s.optional) min = k + 1;
  });
  if (given.length < min || given.length > max) {
    const range = max === Infinity ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
    throw new SolderError(`has ${given.length} ${side}s, ${place.op} takes ${range}`, place);
  }
  given.forEach((name, k) => {
    const s = specs[Math.min(k, specs.length - 1)] as InputSpec;
    if (name === '' && !s.optional) throw new SolderError(`${side} ${k} (${s.name}) is required but absent ('')`, place);
  });
}
