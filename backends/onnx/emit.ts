// The nodes and constants one fused node lowers to: names derived from the fused node's own
// (unique in the graph), constants held as initializers, and the opset each op needs.
import { type AttrInput, toAttrs } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { type Initializer, type Node, ONNX_DOMAIN, initializerFromTensor } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';

export const MS_DOMAIN = 'com.microsoft';

export interface EmitOptions {
  readonly domain?: string;
  /** Output value names; default one fresh name. '' leaves an optional output out. */
  readonly outputs?: readonly string[];
  /** The smallest ai.onnx opset the op exists at (with the semantics used here). */
  readonly opset?: number;
}

export class Emitter {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  /** The ai.onnx opset the emitted nodes need, at least. */
  opset = 0;
  private count = 0;
  private readonly used = new Set<string>();

  constructor(
    private readonly fused: Node,
    private readonly taken: (name: string) => boolean,
  ) {}

  /** A value name no other value of the graph has, derived from the fused node's name. */
  fresh(what: string): string {
    for (let k = 0; ; k++) {
      const name = `${this.fused.name}/${what}${k === 0 ? '' : `_${k}`}`;
      if (!this.used.has(name) && !this.taken(name)) {
        this.used.add(name);
        return name;
      }
    }
  }

  /** Appends one node; returns its output names. */
  node(op: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrInput>> = {}, options: EmitOptions = {}): string[] {
    const domain = options.domain ?? ONNX_DOMAIN;
    const outputs = [...(options.outputs ?? [this.fresh(op)])];
    this.opset = Math.max(this.opset, options.opset ?? 0);
    this.nodes.push({
      name: `${this.fused.name}/${op}_${this.count++}`,
      op,
      domain,
      inputs: [...inputs],
      outputs: [...outputs],
      attrs: toAttrs(attrs),
      origins: this.fused.origins ?? [this.fused.name],
    });
    return outputs;
  }

  /** One node's single output. */
  one(op: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrInput>> = {}, options: EmitOptions = {}): string {
    return this.node(op, inputs, attrs, options)[0]!;
  }

  /** An int64 constant (1-D unless a shape is given). */
  int64(what: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant(what, 'int64', values, shape);
  }

  /** A constant of any dtype. */
  constant(what: string, dtype: DType, values: readonly number[], shape: readonly number[]): string {
    return this.tensor(what, makeTensor(dtype, shape, values));
  }

  /** A constant tensor computed by the lowering. */
  tensor(what: string, t: Tensor): string {
    const name = this.fresh(what);
    this.initializers.push(initializerFromTensor(name, t));
    return name;
  }
}
