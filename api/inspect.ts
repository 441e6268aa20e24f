// The summary behind `solder inspect`: what a model takes, returns and is made of.
import type { Graph } from '../ir/graph.js';
import { graphStats, type GraphStats } from '../ir/stats.js';

export type Inspection = GraphStats;

/** Inputs, outputs, op histogram, node and parameter counts; never reads weight bytes. */
export function inspect(graph: Graph): Inspection {
  return graphStats(graph);
}
