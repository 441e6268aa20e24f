// ONNX NodeProto -> Node, and the check that every op is one solder knows.
import type { onnx as P } from 'onnx-proto';
import { SolderError } from '../errors.js';
import { type Node, ONNX_DOMAIN } from '../graph.js';
import '../ops/index.js';
import { findOp } from '../ops/spec.js';
import { attrsOf } from './onnx-attrs.js';
import type { ExternalData } from './onnx-external.js';

const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/**
 * The graph's nodes in file order; nodes without a name get `${op}_${index}`, made unique.
 * Ops are checked before attributes are decoded, so that an If says "control flow", not
 * "graph attribute".
 */
export function nodesOf(
  protos: readonly P.INodeProto[],
  metadata: readonly (Record<string, string> | undefined)[],
  external: ExternalData,
  checkOps: boolean,
): Node[] {
  const taken = new Set(protos.map((n) => n.name ?? '').filter((n) => n !== ''));
  const heads = protos.map((proto, index) => {
    const op = proto.opType ?? '';
    const name = proto.name || uniqueName(`${op}_${index}`, taken);
    if (op === '') throw new SolderError('node has no op_type', { node: name });
    return { name, op, domain: proto.domain ?? ONNX_DOMAIN };
  });
  if (checkOps) checkOpsSupported(heads);
  return protos.map((proto, index) => {
    const head = heads[index] as NodeHead;
    const meta = metadata[index];
    // Fields spelled out and arrays sliced rather than spread: spreading them here took a
    // third of the import's time.
    return {
      name: head.name,
      op: head.op,
      domain: head.domain,
      inputs: (proto.input ?? []).slice(),
      outputs: (proto.output ?? []).slice(),
      attrs: withNodePlace(() => attrsOf(proto.attribute ?? [], external), head.name, head.op),
      ...(proto.docString ? { docString: proto.docString } : {}),
      ...(meta !== undefined ? { metadata: meta } : {}),
    };
  });
}

type NodeHead = Pick<Node, 'name' | 'op' | 'domain'>;

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

function withNodePlace<T>(f: () => T, node: string, op: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SolderError && e.place.node === undefined) throw new SolderError(e.message, { ...e.place, node, op });
    throw e;
  }
}

/**
 * One SolderError for the first node whose op solder cannot run (control flow, or no
 * spec in the op registry), naming the others so that one run shows the whole list.
 */
export function checkOpsSupported(nodes: readonly NodeHead[]): void {
  const bad = nodes.filter((n) => isControlFlow(n) || findOp(n.domain, n.op) === undefined);
  const first = bad[0];
  if (first === undefined) return;
  const others = [...new Set(bad.slice(1).map(opLabel))].filter((o) => o !== opLabel(first));
  const more = bad.length > 1 ? `; ${bad.length - 1} more unsupported node(s)${others.length > 0 ? ` (${others.join(', ')})` : ''}` : '';
  const problem = isControlFlow(first)
    ? `control flow (${first.op}) is not supported: export the model with its loops unrolled and branches resolved`
    : `unsupported op ${opLabel(first)} (see README, "Supported ops")`;
  throw new SolderError(problem + more, { node: first.name, op: first.op });
}

function isControlFlow(n: NodeHead): boolean {
  return (n.domain === ONNX_DOMAIN || n.domain === 'ai.onnx') && CONTROL_FLOW.has(n.op);
}

function opLabel(n: NodeHead): string {
  return n.domain === ONNX_DOMAIN || n.domain === 'ai.onnx' ? n.op : `${n.domain}::${n.op}`;
}
