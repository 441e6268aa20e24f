// The page's side of the server's JSON API.
import type { ExplainJson, GraphJson, NodeDetailJson, NodeNumerics, SearchJson, SessionJson, Side } from './protocol.js';

async function getJson<T>(path: string, params: Readonly<Record<string, string>> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(query === '' ? path : `${path}?${query}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export const api = {
  session: () => getJson<SessionJson>('/api/session'),
  graph: (side: Side) => getJson<GraphJson>('/api/graph', { side }),
  node: (side: Side, name: string) => getJson<NodeDetailJson>('/api/node', { side, name }),
  search: (q: string) => getJson<SearchJson>('/api/search', { q }),
  numerics: () => getJson<NodeNumerics[]>('/api/numerics'),
  explain: (node: string) => getJson<ExplainJson>('/api/explain', { node }),
};
