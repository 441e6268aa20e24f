// Accumulates the IR graph while the FX nodes are lowered: nodes in order, initializers,
// unique node and value names, and the types of the values created.
import type { Attrs } from '../../attrs.js';
import type { DType } from '../../dtype.js';
import { ONNX_DOMAIN, type Initializer, type Node, initializerFromTensor } from '../../graph.js';
import { makeTensor } from '../../tensor.js';
import type { TensorType } from '../../types.js';

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Initializer>();
  /** Types the export declared for FX values (its tensor metadata), by IR value name. */
  readonly declared = new Map<string, TensorType>();
  private readonly known = new Map<string, TensorType>();
  private readonly valueNames = new Set<string>();
  private readonly nodeNames = new Set<string>();

  constructor(readonly file: string) {}

  /** A value name not taken yet: `wanted`, or `wanted_1`, `wanted_2`, ... */
  freshValue(wanted: string): string {
    const name = unique(sanitise(wanted), this.valueNames);
    this.valueNames.add(name);
    return name;
  }

  /** Marks a name as taken (graph inputs, initializers named by the program). */
  reserveValue(name: string): void {
    this.valueNames.add(name);
  }

  addNode(name: string, op: string, inputs: readonly string[], outputs: readonly string[], attrs: Attrs = {}): Node {
    const unique_ = unique(sanitise(name), this.nodeNames);
    this.nodeNames.add(unique_);
    const node: Node = { name: unique_, op, domain: ONNX_DOMAIN, inputs: [...inputs], outputs: [...outputs], attrs };
    this.nodes.push(node);
    return node;
  }

  addInitializer(init: Initializer): void {
    this.initializers.set(init.name, init);
    this.setType(init.name, { dtype: init.dtype, shape: init.shape });
  }

  /** A new initializer holding the given values; returns its value name. */
  constant(wanted: string, dtype: DType, shape: readonly number[], values: readonly number[]): string {
    const name = this.freshValue(wanted);
    this.addInitializer(initializerFromTensor(name, makeTensor(dtype, shape, values)));
    return name;
  }

  setType(value: string, type: TensorType, declared = false): void {
    this.known.set(value, type);
    if (declared) this.declared.set(value, type);
  }

  typeOf(value: string): TensorType | undefined {
    return this.known.get(value);
  }
}

/** Value and node names keep the FX spelling; only characters that would confuse a reader go. */
export function sanitise(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.:/\-]/g, '_');
  return cleaned.length > 0 ? cleaned : '_';
}

function unique(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 1; ; i++) {
    const candidate = `${name}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}
