// Matching two unrelated exports of one model, where node names mostly differ:
//  1. names: the same name and op; then the same name without the dynamo exporter's
//     `node_` prefix (torch.onnx names nodes `node_<fx name>`, torch.export `<fx name>`).
//  2. structure: Weisfeiler-Lehman colours: a node's colour starts as its op (or, once
//     matched, the id of its pair) and is refined over ROUNDS rounds with the colours of its
//     producers (by input slot) and consumers. A colour held by exactly one unmatched node
//     on each side is a match; the deepest round that has one is used first.
//  3. neighbours: from every matched pair, inputs in the same slot with the same op match,
//     and so do the only consumers of an output with a given op on each side.
//  4. ties (repeated layers have equal colours): the nodes of a colour class are paired in
//     topological order.
// After each new match the colours are recomputed, since matched nodes become anchors.
import type { RawMatch, MatchMethod } from '../diff.js';
import type { NodeIndex } from './nodes.js';

const ROUNDS = 4;
// Each pass matches at least one pair, so this only bounds pathological inputs.
const MAX_PASSES = 200;
const COMMUTATIVE = new Set(['Add', 'Mul', 'Sum', 'Max', 'Min', 'Mean', 'And', 'Or', 'Xor', 'Equal', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor']);

/** Matched pairs of nodes (indices) of two graphs, found by name and structure. */
export function matchByStructure(a: NodeIndex, b: NodeIndex): RawMatch[] {
  const m = new Matching(a, b);
  matchNames(m);
  grow(m, m.matches.slice());
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const fresh = matchColours(m, 'structure', 0) ?? matchColours(m, 'order', 1);
    if (fresh === undefined) break;
    grow(m, fresh);
  }
  return m.matches;
}

class Matching {
  readonly inA: Int32Array;
  readonly inB: Int32Array;
  readonly matches: RawMatch[] = [];

  constructor(readonly a: NodeIndex, readonly b: NodeIndex) {
    this.inA = new Int32Array(a.nodes.length).fill(-1);
    this.inB = new Int32Array(b.nodes.length).fill(-1);
  }

  free(i: number, j: number): boolean {
    return this.inA[i] === -1 && this.inB[j] === -1;
  }

  add(i: number, j: number, by: MatchMethod): RawMatch {
    this.inA[i] = j;
    this.inB[j] = i;
    const match = { a: [i], b: [j], by };
    this.matches.push(match);
    return match;
  }
}

function matchNames(m: Matching): void {
  const { a, b } = m;
  b.nodes.forEach((n, j) => {
    const i = a.byName.get(n.name);
    if (i !== undefined && a.ops[i] === b.ops[j] && m.free(i, j)) m.add(i, j, 'name');
  });
  const stripped = (x: NodeIndex, inX: Int32Array) => {
    const byName = new Map<string, number | null>();
    x.nodes.forEach((n, i) => {
      if (inX[i] !== -1) return;
      const key = `${x.ops[i]} ${n.name.replace(/^node_/, '')}`;
      byName.set(key, byName.has(key) ? null : i);
    });
    return byName;
  };
  const sa = stripped(a, m.inA);
  for (const [key, j] of stripped(b, m.inB)) {
    const i = sa.get(key);
    if (i != null && j !== null && m.free(i, j)) m.add(i, j, 'name');
  }
}

/** WL colours of every node of one side for rounds 0..ROUNDS, interned in a table both sides share. */
function colours(x: NodeIndex, partner: Int32Array, side: 'a' | 'b', intern: (s: string) => number): Int32Array[] {
  const first = Int32Array.from(x.nodes, (n, i) => {
    const p = partner[i] as number;
    return p === -1 ? intern(`${x.ops[i]}/${n.inputs.length}/${n.outputs.length}`) : intern(`pair ${side === 'a' ? i : p}`);
  });
  const rounds = [first];
  for (let r = 1; r <= ROUNDS; r++) {
    const prev = rounds[r - 1] as Int32Array;
    rounds.push(Int32Array.from(x.nodes, (_, i) => {
      if (partner[i] !== -1) return prev[i] as number;
      const commutes = COMMUTATIVE.has(x.ops[i] as string);
      const ins = x.sources[i]!.map((s) => ('token' in s ? s.token : `${prev[s.node]}.${s.output}`));
      if (commutes) ins.sort();
      const outs = x.uses[i]!.flatMap((uses, o) => uses.map((u) => {
        const slot = COMMUTATIVE.has(x.ops[u.node] as string) ? '*' : String(u.slot);
        return `${prev[u.node]}@${o}:${slot}`;
      })).sort();
      return intern(`${prev[i]}(${ins.join(',')})[${outs.join(',')}]`);
    }));
  }
  return rounds;
}

/**
 * Matches free nodes by colour, deepest round first, stopping at the first round that matched:
 * 'structure' pairs colours held by one free node per side (rounds down to `lowest`),
 * 'order' pairs larger classes in topological order. Returns the new matches, or undefined.
 */
function matchColours(m: Matching, by: 'structure' | 'order', lowest: number): RawMatch[] | undefined {
  const table = new Map<string, number>();
  const intern = (s: string) => {
    let id = table.get(s);
    if (id === undefined) table.set(s, (id = table.size));
    return id;
  };
  const ca = colours(m.a, m.inA, 'a', intern);
  const cb = colours(m.b, m.inB, 'b', intern);
  for (let r = ROUNDS; r >= lowest; r--) {
    const classes = new Map<number, { a: number[]; b: number[] }>();
    const add = (side: 'a' | 'b', colour: number, i: number) => {
      let c = classes.get(colour);
      if (c === undefined) classes.set(colour, (c = { a: [], b: [] }));
      c[side].push(i);
    };
    ca[r]!.forEach((c, i) => m.inA[i] === -1 && add('a', c, i));
    cb[r]!.forEach((c, j) => m.inB[j] === -1 && add('b', c, j));
    const fresh: RawMatch[] = [];
    for (const c of classes.values()) {
      const unique = c.a.length === 1 && c.b.length === 1;
      if (by === 'structure' && !unique) continue;
      for (let k = 0; k < Math.min(c.a.length, c.b.length); k++) {
        const [i, j] = [c.a[k] as number, c.b[k] as number];
        if (m.a.ops[i] === m.b.ops[j] && m.free(i, j)) fresh.push(m.add(i, j, by));
      }
    }
    if (fresh.length > 0) return fresh;
  }
  return undefined;
}

/** Spreads matches along edges from the given pairs (and the pairs this finds). */
function grow(m: Matching, start: readonly RawMatch[]): void {
  const queue = start.map((x) => [x.a[0] as number, x.b[0] as number] as const);
  const take = (i: number, j: number) => {
    m.add(i, j, 'neighbour');
    queue.push([i, j]);
  };
  while (queue.length > 0) {
    const [i, j] = queue.pop()!;
    const sa = m.a.sources[i]!;
    const sb = m.b.sources[j]!;
    // Producers: the same slot first, then the only free producer with that op on each side.
    for (let s = 0; s < Math.min(sa.length, sb.length); s++) {
      const [x, y] = [sa[s]!, sb[s]!];
      if ('node' in x && 'node' in y && x.output === y.output && m.a.ops[x.node] === m.b.ops[y.node] && m.free(x.node, y.node)) take(x.node, y.node);
    }
    const producersA = sa.flatMap((s) => ('node' in s && m.inA[s.node] === -1 ? [s.node] : []));
    const producersB = sb.flatMap((s) => ('node' in s && m.inB[s.node] === -1 ? [s.node] : []));
    for (const [x, y] of onlyOnesByOp(m, producersA, producersB)) take(x, y);
    // Consumers of each output: the only free reader with a given op on each side.
    const ua = m.a.uses[i]!;
    const ub = m.b.uses[j]!;
    for (let o = 0; o < Math.min(ua.length, ub.length); o++) {
      const readersA = ua[o]!.map((u) => u.node).filter((n) => m.inA[n] === -1);
      const readersB = ub[o]!.map((u) => u.node).filter((n) => m.inB[n] === -1);
      for (const [x, y] of onlyOnesByOp(m, readersA, readersB)) take(x, y);
    }
  }
}

/** Pairs (x, y) where x is the only node with its op in xs and y the only one with that op in ys. */
function onlyOnesByOp(m: Matching, xs: readonly number[], ys: readonly number[]): [number, number][] {
  const single = (nodes: readonly number[], ops: readonly string[]) => {
    const byOp = new Map<string, number | null>();
    for (const n of new Set(nodes)) byOp.set(ops[n] as string, byOp.has(ops[n] as string) ? null : n);
    return byOp;
  };
  const ya = single(ys, m.b.ops);
  const pairs: [number, number][] = [];
  for (const [op, x] of single(xs, m.a.ops)) {
    const y = ya.get(op);
    if (x !== null && y != null && m.free(x, y)) pairs.push([x, y]);
  }
  return pairs;
}
