// Which module a node belongs to, read from how exporters name things:
//   torch.onnx (dynamo) metadata:  pkg.torch.onnx.name_scopes = "['', 'layers.4', 'layers.4.mlp', 'linear_33']"
//   TorchScript-era ONNX names:    /layers.0/attention/q_proj/MatMul
//   FX-style flat names:           layers_0_attention_q_proj
// The page folds nodes into collapsible boxes along this path.
import type { Node } from '../../ir/graph.js';

const NAME_SCOPES = 'pkg.torch.onnx.name_scopes';
const NAMESPACE = 'namespace';

/** The module path of a node, outermost first; [] when nothing says where it belongs. */
export function groupPath(node: Node): string[] {
  const meta = node.metadata;
  if (meta !== undefined) {
    const scopes = meta[NAME_SCOPES];
    if (scopes !== undefined) {
      const path = fromNameScopes(scopes);
      if (path !== undefined) return path;
    }
    const ns = meta[NAMESPACE];
    if (ns !== undefined) {
      const path = fromNamespace(ns);
      if (path !== undefined) return path;
    }
  }
  return fromName(node.name);
}

/** The innermost scope of a python list repr of nested scopes; its last entry is the node itself. */
function fromNameScopes(text: string): string[] | undefined {
  const items = [...text.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? m[2] ?? '');
  if (items.length === 0) return undefined;
  const scopes = items.slice(0, -1).filter((s) => s !== '');
  const innermost = scopes[scopes.length - 1];
  return innermost === undefined ? [] : splitDotted(innermost);
}

/** `Model/layers.4: DecoderLayer/layers.4.mlp: MLP/linear_33: aten.linear` -> the path of the last module. */
function fromNamespace(text: string): string[] | undefined {
  const parts = text.split('/').map((p) => (p.split(':')[0] ?? '').trim());
  if (parts.length < 2) return undefined;
  const modules = parts.slice(0, -1).filter((p) => p !== '');
  const innermost = modules[modules.length - 1];
  return innermost === undefined ? [] : splitDotted(innermost);
}

/** `layers.4.mlp.up_proj` -> ['layers.4', 'mlp', 'up_proj']: an index stays with its container. */
export function splitDotted(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const last = out.length - 1;
    if (/^\d+$/.test(part) && last >= 0) out[last] = `${out[last]}.${part}`;
    else out.push(part);
  }
  return out;
}

function fromName(name: string): string[] {
  if (name.includes('/')) {
    const parts = name.split('/').filter((p) => p !== '');
    return parts.slice(0, -1);
  }
  return fromFlatName(name);
}

/**
 * FX flattens `layers.0.attention.q_proj` to `layers_0_attention_q_proj`; underscores inside
 * names (`q_proj`) make the rest ambiguous, so only `container_N` prefixes become groups.
 * `node_linear_3` and `add_17` (an index at the end) name a node, not a module.
 */
function fromFlatName(name: string): string[] {
  const path: string[] = [];
  let rest = name.startsWith('node_') ? name.slice('node_'.length) : name;
  for (;;) {
    const m = /^([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)_(\d+)_(.+)$/.exec(rest);
    if (m === null) return path;
    path.push(`${m[1]}.${m[2]}`);
    rest = m[3] as string;
  }
}

/** The common module of a fused node's originals: where it sits in the optimized graph. */
export function commonPrefix(paths: readonly (readonly string[])[]): string[] {
  const first = paths[0];
  if (first === undefined) return [];
  let n = first.length;
  for (const p of paths) {
    let i = 0;
    while (i < n && i < p.length && p[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n);
}
