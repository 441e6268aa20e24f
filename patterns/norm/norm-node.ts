// The solder norm node a norm rule rewrites to, its axis and epsilon read from the ONNX op's
// attributes, or from the decomposed cluster: its ReduceMean bound as 'mean' over 'x', and
// its constant 'eps'.
import { type Attrs, floatAttr, intAttr } from '../../ir/attrs.js';
import { type Node, SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Decline, type Match, type Replacement, decline } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { trailingAxisOf } from './checks.js';

/** A norm node's axis and epsilon attributes, as the solder norms take them. */
export function normAttrs(g: GraphView, n: Node) {
  const attrs = g.attrValues(n);
  return { axis: intAttr(Number(attrs['axis'])), epsilon: floatAttr(Number(attrs['epsilon'])) };
}

/** A decomposed cluster's norm axis: where its mean (axes input 'axes') starts reducing x. */
export const axisOf = (m: Match, g: GraphView) => trailingAxisOf(m, g, 'mean', 'axes', 'x');

/** `op`(x, w) in place of the root, over the cluster's mean axis with its eps, plus `extra` attributes. */
export function normOfCluster(op: 'LayerNorm' | 'RMSNorm', m: Match, g: GraphView, extra: Attrs = {}): Replacement | Decline {
  const axis = axisOf(m, g);
  const epsilon = m.scalar('eps');
  if (typeof axis === 'string' || epsilon === undefined) return decline('the axis or epsilon cannot be read');
  return {
    nodes: [{ op, domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('w')], outputs: m.root.outputs, attrs: { axis: intAttr(axis), epsilon: floatAttr(epsilon), ...extra } }],
    replaces: 'root',
  };
}
