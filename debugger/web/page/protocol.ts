// The JSON the debug server sends and the page reads. Types only: both sides import it.

export type Side = 'before' | 'after';

/** How a node fares between the two graphs (always 'same' without a compare graph). */
export type DiffStatus = 'same' | 'added' | 'removed' | 'fused';

export interface NodeJson {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** `name=value` lines, values abbreviated; never the bytes of a tensor. */
  readonly attrs: readonly string[];
  /** Provenance: the original nodes a fused node replaced. */
  readonly origins: readonly string[];
  /** Module path, outermost first (`['layers.0', 'self_attn']`); [] at the top. */
  readonly group: readonly string[];
  readonly status: DiffStatus;
}

export interface ValueJson {
  readonly name: string;
  readonly dtype: string;
  /** `[batch, 16, 64]`, or `?` when the rank is unknown. */
  readonly shape: string;
}

export interface InitializerJson {
  readonly name: string;
  readonly dtype: string;
  readonly shape: string;
  readonly bytes: number;
}

export interface GraphJson {
  readonly side: Side;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly NodeJson[];
  readonly values: readonly ValueJson[];
  readonly initializers: readonly InitializerJson[];
}

/** What the page needs before it asks for graphs. */
export interface SessionJson {
  readonly sides: readonly Side[];
  readonly hasNumerics: boolean;
  readonly hasExplain: boolean;
  readonly hasTrace: boolean;
}

export interface PortJson {
  readonly name: string;
  readonly dtype?: string;
  readonly shape?: string;
  /** Inputs: 'input' (graph input), 'initializer', or the node that produces it. */
  readonly from?: string;
  /** Outputs: the nodes that read it. */
  readonly to?: readonly string[];
  /** Outputs: true when it is a graph output. */
  readonly graphOutput?: boolean;
}

export interface RuleTouchJson {
  readonly rule: string;
  readonly anchor: string;
  /** How the rule touched this node: it was the anchor, was removed, was added, or kept. */
  readonly role: 'anchor' | 'removed' | 'added' | 'kept';
}

export interface NodeNumerics {
  readonly name: string;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly ok: boolean;
  /** The first node, in graph order, whose outputs diverge. */
  readonly firstFailing?: boolean;
}

export interface NodeDetailJson {
  readonly side: Side;
  readonly node: NodeJson;
  readonly inputs: readonly PortJson[];
  readonly outputs: readonly PortJson[];
  readonly docString?: string;
  readonly metadata: readonly (readonly [string, string])[];
  readonly rules: readonly RuleTouchJson[];
  readonly numerics?: NodeNumerics;
}

export interface SearchHitJson {
  readonly side: Side;
  readonly name: string;
  readonly op: string;
  readonly group: readonly string[];
}

export interface SearchJson {
  readonly query: string;
  readonly hits: readonly SearchHitJson[];
  /** True when more nodes matched than were sent. */
  readonly truncated: boolean;
}

export interface ExplainItemJson {
  readonly rule: string;
  readonly anchor: string;
  readonly outcome: string;
  readonly message: string;
}

export interface ExplainJson {
  readonly node: string;
  readonly available: boolean;
  readonly explanations: readonly ExplainItemJson[];
  /** Set when the explain callback threw: its message. */
  readonly error?: string;
}
