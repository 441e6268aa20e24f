// What a lowering sees of the fused node it replaces: its inputs' types, the graph's
// initializers, its attributes as the op spec reads them, and the emitter for new nodes.
import type { Graph, Initializer, Node } from '../../ir/graph.js';
import { typeOf } from '../../ir/graph.js';
import type { TensorType } from '../../ir/types.js';
import type { Emitter } from './emit.js';

export interface LoweringContext {
  readonly graph: Graph;
  readonly node: Node;
  readonly emit: Emitter;
}

/**
 * Lowers one fused node through ctx.emit; returns what it became (for the report), or
 * undefined when nothing ONNX Runtime runs fits, and the node must stay as it is.
 */
export type Lowering = (ctx: LoweringContext) => string | undefined;

/** Input i's value name, or undefined when the optional input is absent. */
export function inputName(node: Node, i: number): string | undefined {
  const name = node.inputs[i];
  return name === undefined || name === '' ? undefined : name;
}

/** Input i's value name; the op spec makes it required. */
export function requiredName(node: Node, i: number): string {
  return inputName(node, i) ?? '';
}

/** Input i's static type, when the graph knows it. */
export function inputType(ctx: LoweringContext, i: number): TensorType | undefined {
  const name = inputName(ctx.node, i);
  return name === undefined ? undefined : typeOf(ctx.graph, name);
}

/** Input i as an initializer, when it is one. */
export function inputInitializer(ctx: LoweringContext, i: number): Initializer | undefined {
  const name = inputName(ctx.node, i);
  return name === undefined ? undefined : ctx.graph.initializers.get(name);
}

/** Output i's value name, or undefined when the optional output is not used. */
export function outputName(node: Node, i: number): string | undefined {
  return inputName({ ...node, inputs: node.outputs }, i);
}
