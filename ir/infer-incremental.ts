// Re-inference after a pass: a pass that folds a few Reshape targets into constants leaves
// most of a 2,000-node graph as it was, and re-inferring all of it cost as much as the
// first inference. A node the pass kept (the same record), reading values whose types and
// constant-ness are what they were, gets the same types again: it is carried over, and only
// the nodes whose inputs really changed are inferred anew.
import type { Graph, Node } from './graph.js';
import { type TensorType, shapeEq, tensorType } from './types.js';

/** The types a typed graph had before a pass rewrote it, by value name. */
export class CarriedTypes {
  private readonly nodes: ReadonlySet<Node>;
  private readonly graphOutputs: ReadonlySet<string>;
  private readonly inputsBefore: ReadonlyMap<string, TensorType>;

  /**
   * previous: the fully typed graph the pass started from; current: what the pass made of
   * it. The pass must keep each value name's meaning (fold, rename, remove; never reuse a
   * name for another value), as every canonicalization pass does.
   */
  constructor(private readonly previous: Graph, private readonly current: Graph) {
    this.nodes = new Set(previous.nodes);
    this.graphOutputs = new Set(current.outputs.map((o) => o.name));
    this.inputsBefore = new Map(previous.inputs.map((v) => [v.name, v.type]));
  }

  /**
   * The node's output types from before the pass, or undefined when it must be inferred
   * again: it is new, an input's type or constant-ness changed, an output is a graph output,
   * or inference would fold it (Constant, Shape, all inputs constant), which also fills the
   * constants later nodes read.
   */
  outputsOf(node: Node, types: ReadonlyMap<string, TensorType>, isConstant: (value: string) => boolean): (TensorType | undefined)[] | undefined {
    if (!this.nodes.has(node) || node.inputs.length === 0 || node.op === 'Constant' || node.op === 'Shape') return undefined;
    let allConstant = true;
    for (const name of node.inputs) {
      if (name === '') {
        allConstant = false;
        continue;
      }
      if (this.previous.initializers.has(name) !== this.current.initializers.has(name)) return undefined;
      const now = types.get(name);
      const before = this.typeBefore(name);
      if (now === undefined || before === undefined || !sameType(now, before)) return undefined;
      if (allConstant && !isConstant(name)) allConstant = false;
    }
    if (allConstant) return undefined;
    const out: (TensorType | undefined)[] = [];
    for (const name of node.outputs) {
      if (name === '') {
        out.push(undefined);
        continue;
      }
      const before = this.previous.valueInfo.get(name);
      if (before === undefined || this.graphOutputs.has(name)) return undefined;
      out.push(before);
    }
    return out;
  }

  // As inferTypes seeds them: a graph input's declared type wins over its initializer's.
  private typeBefore(name: string): TensorType | undefined {
    const t = this.previous.valueInfo.get(name) ?? this.inputsBefore.get(name);
    if (t !== undefined) return t;
    const init = this.previous.initializers.get(name);
    return init === undefined ? undefined : tensorType(init.dtype, init.shape);
  }
}

/** The same dtype and the same dims. */
export function sameType(a: TensorType, b: TensorType): boolean {
  return a === b || (a.dtype === b.dtype && shapeEq(a.shape, b.shape));
}
