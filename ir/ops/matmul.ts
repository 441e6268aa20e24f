// Op specs: MatMul (numpy matmul semantics) and Gemm.
import { attr } from '../attrs.js';
import { type Dim, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { MATMUL_DTYPES, optionalInput, requireRank, typedInput } from './nn-checks.js';
import { broadcastShapes, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/**
 * MatMul's output dims: a 1-D operand is promoted (A to [1, K], B to [K, 1]) and the
 * added dim removed again; leading batch dims broadcast.
 */
export function matmulDims(node: Node, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  if (a.length === 0 || b.length === 0) throw opError(node, `MatMul operands must have rank >= 1, found ${shapeString(a)} and ${shapeString(b)}`);
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (isKnown(k1) && isKnown(k2) && k1 !== k2) {
    throw opError(node, `inner dims differ: A ${shapeString(a)} has K=${k1}, B ${shapeString(b)} has K=${k2}`);
  }
  const batch = broadcastShapes(node, [a2.slice(0, -2), b2.slice(0, -2)]) ?? [];
  const rows: Dim[] = a.length === 1 ? [] : [a2[a2.length - 2]!];
  const cols: Dim[] = b.length === 1 ? [] : [b2[b2.length - 1]!];
  return [...batch, ...rows, ...cols];
}

export const MatMul = defineOp({
  domain: ONNX_DOMAIN,
  name: 'MatMul',
  inputs: [{ name: 'A' }, { name: 'B' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  doc: 'Matrix product with numpy semantics: 1-D promotion and batch broadcasting.',
  infer: (ctx) => {
    const a = typedInput(ctx, 0, 'A', MATMUL_DTYPES);
    const b = typedInput(ctx, 1, 'B', MATMUL_DTYPES);
    if (b.dtype !== a.dtype) throw opError(ctx.node, `B is ${b.dtype}, A is ${a.dtype}`);
    if (a.shape === undefined || b.shape === undefined) return [tensorType(a.dtype)];
    return [tensorType(a.dtype, matmulDims(ctx.node, a.shape, b.shape))];
  },
});

/** Gemm's [M, N] from 2-D A and B under the transpose flags; checks K. */
export function gemmDims(node: Node, a: readonly Dim[], b: readonly Dim[], transA: boolean, transB: boolean): [Dim, Dim] {
  const [m, ka] = transA ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = transB ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (isKnown(ka) && isKnown(kb) && ka !== kb) throw opError(node, `inner dims differ: op(A) has K=${ka}, op(B) has K=${kb}`);
  return [m, n];
}

/** Requires C to broadcast one way onto [M, N]. */
export function checkGemmBias(node: Node, c: readonly Dim[], m: Dim, n: Dim): void {
  if (c.length > 2) throw opError(node, `C must have rank <= 2, found ${shapeString(c)}`);
  const target = [m, n].slice(2 - c.length);
  c.forEach((d, i) => {
    const t = target[i]!;
    if (isKnown(d) && d === 1) return;
    if (isKnown(d) && isKnown(t) && d !== t) throw opError(node, `C ${shapeString(c)} does not broadcast to [M, N] = ${shapeString([m, n])}`);
  });
}

export const Gemm = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Gemm',
  inputs: [{ name: 'A' }, { name: 'B' }, { name: 'C', optional: true }],
  outputs: [{ name: 'Y' }],
  attrs: {
    alpha: attr.float.default(1),
    beta: attr.float.default(1),
    transA: attr.int.default(0),
    transB: attr.int.default(0),
  },
  doc: 'Y = alpha * op(A) @ op(B) + beta * C, op transposing when transA/transB; C broadcasts to [M, N].',
  infer: (ctx) => {
    const a = typedInput(ctx, 0, 'A', MATMUL_DTYPES);
    const b = typedInput(ctx, 1, 'B', MATMUL_DTYPES);
    if (b.dtype !== a.dtype) throw opError(ctx.node, `B is ${b.dtype}, A is ${a.dtype}`);
    const c = optionalInput(ctx, 2, 'C', a.dtype);
    requireRank(ctx.node, a.shape, [2], 'A');
    requireRank(ctx.node, b.shape, [2], 'B');
    if (a.shape === undefined || b.shape === undefined) return [tensorType(a.dtype)];
    const [m, n] = gemmDims(ctx.node, a.shape, b.shape, ctx.attrs.transA !== 0, ctx.attrs.transB !== 0);
    if (c?.shape !== undefined) checkGemmBias(ctx.node, c.shape, m, n);
    return [tensorType(a.dtype, [m, n])];
  },
});
