// What the server knows about one debugging session: both graphs as JSON (built once),
// node lookups, numerics, the rewrite trace and the explain callback.
import type { Graph, Node } from '../../ir/graph.js';
import type { Explanation } from '../../patterns/explain.js';
import type { TraceEntry } from '../../patterns/trace.js';
import { diffGraphs, sameEverywhere } from './diff.js';
import { graphJson, groupsByName, nodeDetail, type SideContext } from './graph-json.js';
import type {
  ExplainJson, GraphJson, NodeDetailJson, NodeNumerics, SearchHitJson, SearchJson, SessionJson, Side,
} from './page/protocol.js';

export type ExplainFn = (nodeName: string) => readonly Explanation[] | Promise<readonly Explanation[]>;

export interface SessionInput {
  /** The graph opened (the "before" side). */
  readonly graph: Graph;
  /** The graph to compare it with (the "after" side: optimized, or another export). */
  readonly compare?: Graph;
  readonly numerics?: readonly NodeNumerics[];
  readonly explain?: ExplainFn;
  /** The rewrite trace that turned graph into compare, for "rules that touched it". */
  readonly trace?: readonly TraceEntry[];
}

interface SideData {
  readonly ctx: SideContext;
  readonly json: GraphJson;
  readonly nodes: ReadonlyMap<string, Node>;
}

const SEARCH_LIMIT = 200;

export class Session {
  private readonly sides = new Map<Side, SideData>();
  private readonly numerics: ReadonlyMap<string, NodeNumerics>;

  constructor(private readonly input: SessionInput) {
    const { graph, compare } = input;
    const diff = compare === undefined ? undefined : diffGraphs(graph, compare);
    this.addSide({ side: 'before', graph, status: diff?.before ?? sameEverywhere(graph) });
    if (compare !== undefined) {
      this.addSide({ side: 'after', graph: compare, status: diff?.after ?? sameEverywhere(compare), originGroups: groupsByName(graph) });
    }
    this.numerics = new Map((input.numerics ?? []).map((n) => [n.name, n]));
  }

  private addSide(ctx: SideContext): void {
    this.sides.set(ctx.side, { ctx, json: graphJson(ctx), nodes: new Map(ctx.graph.nodes.map((n) => [n.name, n])) });
  }

  summary(): SessionJson {
    return {
      sides: [...this.sides.keys()],
      hasNumerics: this.numerics.size > 0,
      hasExplain: this.input.explain !== undefined,
      hasTrace: (this.input.trace ?? []).length > 0,
    };
  }

  graph(side: Side): GraphJson | undefined {
    return this.sides.get(side)?.json;
  }

  node(side: Side, name: string): NodeDetailJson | undefined {
    const data = this.sides.get(side);
    const node = data?.nodes.get(name);
    if (data === undefined || node === undefined) return undefined;
    return nodeDetail(data.ctx, node, this.input.trace ?? [], this.numerics.get(name));
  }

  numericsList(): readonly NodeNumerics[] {
    return [...this.numerics.values()];
  }

  /** Nodes whose name or op type contains the query (case-insensitive), best matches first. */
  search(query: string): SearchJson {
    const q = query.trim().toLowerCase();
    if (q === '') return { query, hits: [], truncated: false };
    const ranked: { hit: SearchHitJson; rank: number }[] = [];
    for (const [side, data] of this.sides) {
      for (const n of data.json.nodes) {
        const rank = matchRank(q, n.name.toLowerCase(), n.op.toLowerCase());
        if (rank !== undefined) ranked.push({ hit: { side, name: n.name, op: n.op, group: n.group }, rank });
      }
    }
    // Stable sort keeps graph order within a rank.
    ranked.sort((a, b) => a.rank - b.rank);
    return { query, hits: ranked.slice(0, SEARCH_LIMIT).map((r) => r.hit), truncated: ranked.length > SEARCH_LIMIT };
  }

  async explain(node: string): Promise<ExplainJson> {
    const fn = this.input.explain;
    if (fn === undefined) return { node, available: false, explanations: [] };
    try {
      const list = await fn(node);
      const explanations = list.map((e) => ({ rule: e.rule, anchor: e.anchor, outcome: e.outcome, message: e.message }));
      return { node, available: true, explanations };
    } catch (e) {
      return { node, available: true, explanations: [], error: e instanceof Error ? e.message : String(e) };
    }
  }
}

function matchRank(q: string, name: string, op: string): number | undefined {
  if (name === q || op === q) return 0;
  if (name.startsWith(q) || op.startsWith(q)) return 1;
  if (name.includes(q)) return 2;
  if (op.includes(q)) return 3;
  return undefined;
}
