// Reference kernels: one per op, written for clarity. Each validates its inputs,
// reads its attributes through the op spec, and computes.
import type { AttrSpecs, AttrValues } from '../../ir/attrs.js';
import { type Node, opKey } from '../../ir/graph.js';
import type { OpSpec } from '../../ir/ops/spec.js';
import { readAttrs } from '../../ir/ops/spec.js';
import type { Tensor } from '../../ir/tensor.js';

export type Inputs = readonly (Tensor | undefined)[];

export type Kernel = (inputs: Inputs, node: Node) => Tensor[];

const KERNELS = new Map<string, Kernel>();

/** Registers the reference implementation of an op, with its attributes typed by the spec. */
export function defineKernel<S extends AttrSpecs>(
  spec: OpSpec<S>,
  compute: (inputs: Inputs, attrs: AttrValues<S>, node: Node) => Tensor[],
): void {
  const key = opKey(spec.domain, spec.name);
  if (KERNELS.has(key)) throw new Error(`kernel ${key} defined twice`);
  KERNELS.set(key, (inputs, node) => compute(inputs, readAttrs(spec, node), node));
}

export function findKernel(domain: string, op: string): Kernel | undefined {
  return KERNELS.get(opKey(domain, op));
}

export function kernelCount(): number {
  return KERNELS.size;
}
