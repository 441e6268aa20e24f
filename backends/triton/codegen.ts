// Generated Triton kernels: a pointwise kernel per fused elementwise chain, a row kernel per
// last-axis reduction or softmax (its producer chain fused into the row load), and a batched
// matmul whose operand tiles are computed by their fused producers. Every identifier in the
// source is minted by the generator; model text appears only as escaped op-name comments.
import { type Dim, dimProduct, isKnown } from '../../ir/dim.js';
import type { DType } from '../../ir/dtype.js';
import { type Idx, KernelBody, type ValueSource, broadcastIdx } from './emit.js';
import type { Val } from './elementwise.js';
import { scalarTensor } from './elementwise.js';
import type { Formula, Launch, LaunchArg } from './launch.js';
import type { View } from './views.js';

export const POINTWISE_BLOCK = 1024;
const MATMUL_BLOCK = { m: 32, n: 32, k: 32 };

type Root = (k: KernelBody, idx: readonly Idx[], mask: string) => Val;

function header(k: KernelBody, params: string[], lines: string[]): string {
  const ops = [...k.ops].sort().join(', ');
  return [
    'import triton',
    'import triton.language as tl',
    '',
    '',
    '@triton.jit',
    `def kernel(${params.join(', ')}):`,
    ...(ops === '' ? [] : [`    # fused: ${ops}`]),
    ...lines,
    '',
  ].join('\n');
}

function finish(k: KernelBody, name: string, lines: string[], constexprs: Record<string, number>, grid: Formula[]): Launch {
  const tensors = [...k.tensors.values()];
  const symbols = [...k.symbolParams];
  const params = [...tensors.map((t) => t.param), ...symbols.map(([, p]) => p), ...Object.keys(constexprs).map((c) => `${c}: tl.constexpr`)];
  const args: Record<string, LaunchArg> = {};
  for (const t of tensors) args[t.param] = { view: viewOf(k, t.source) };
  for (const [model, p] of symbols) args[p] = { formula: k.src.symbols.byModel.has(model) ? symbolDim(model) : 0 };
  return {
    kernel: 'generated',
    name,
    args,
    attrs: constexprs,
    grid,
    generated: {
      source: header(k, params, lines),
      signature: [
        ...tensors.map((t) => ({ name: t.param, kind: 'tensor' as const })),
        ...symbols.map(([, p]) => ({ name: p, kind: 'int' as const })),
        ...Object.keys(constexprs).map((c) => ({ name: c, kind: 'constexpr' as const })),
      ],
    },
  };
}

function symbolDim(model: string): Dim {
  return { expr: model, poly: new Map([[model, 1]]) };
}

// Generated kernels address whole stored tensors; the views live in the index arithmetic.
const viewsBySource = new WeakMap<KernelBody, Map<string, View>>();
function viewOf(k: KernelBody, source: View['source']): View {
  const v = viewsBySource.get(k)?.get(`${source.kind}:${source.name}`);
  if (v === undefined) throw new Error(`no stored view recorded for ${source.kind} ${source.name}`);
  return v;
}

/** A body whose loads register the whole stored tensor they read. */
export function newBody(src: ValueSource, wholeOf: (source: View['source']) => View): KernelBody {
  const k = new KernelBody(src);
  const seen = new Map<string, View>();
  viewsBySource.set(k, seen);
  const tensor = k.tensor.bind(k);
  k.tensor = (source) => {
    seen.set(`${source.kind}:${source.name}`, wholeOf(source));
    return tensor(source);
  };
  return k;
}

function ceilDiv(n: Dim, block: number): Formula {
  return isKnown(n) ? Math.ceil(n / block) : { op: 'ceil_div', a: n, b: block };
}

/** out (a whole contiguous tensor) = root at every index, one element per lane. */
export function pointwiseKernel(k: KernelBody, name: string, out: View, root: Root): Launch {
  const numel = dimProduct(out.shape);
  const t = k.tensor(out.source);
  k.line(`i = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)`);
  k.line(`m = i < ${k.dim(numel)}`);
  const idx = k.unflatten({ code: 'i', tile: true }, out.shape);
  const v = root(k, idx, 'm');
  k.line(`tl.store(${t} + i, ${scalarTensor(v)}.to(${t}.dtype.element_ty), mask=m)`);
  return finish(k, name, k.take(), { BLOCK: POINTWISE_BLOCK }, [ceilDiv(numel, POINTWISE_BLOCK)]);
}

export type RowMode = 'sum' | 'mean' | 'max' | 'min' | 'softmax' | 'logsoftmax';

/** One program per row of the trailing `inner` dims of `input`: a reduction or a softmax. */
export function rowKernel(k: KernelBody, name: string, input: string, inShape: readonly Dim[], innerRank: number, mode: RowMode, out: View, maxRow: number, float = true): Launch {
  const outer = inShape.slice(0, inShape.length - innerRank);
  const inner = inShape.slice(inShape.length - innerRank);
  const n = dimProduct(inner);
  const block = Math.max(16, nextPow2(maxRow));
  const t = k.tensor(out.source);
  k.line('r = tl.program_id(0).to(tl.int64)');
  k.line('c = tl.arange(0, BLOCK)');
  k.line(`m = c < ${k.dim(n)}`);
  const idx = [...k.unflatten({ code: 'r', tile: false }, outer), ...k.unflatten({ code: 'c', tile: true }, inner)];
  const x = k.valueAt(input, idx, 'm');
  // Integer rows (mask arithmetic) pad with the dtype's extremes; 2**62 fits int64 and stays clear of overflow.
  const low = float ? 'float("-inf")' : '-4611686018427387904';
  const high = float ? 'float("inf")' : '4611686018427387904';
  const identity = mode === 'max' || mode === 'softmax' || mode === 'logsoftmax' ? low : mode === 'min' ? high : float ? '0.0' : '0';
  k.line(`x = tl.where(m, ${x.code}, ${identity})`);
  if (mode === 'softmax' || mode === 'logsoftmax') {
    k.line('top = tl.max(x, 0)');
    k.line('x = x - tl.where(top == float("-inf"), 0.0, top)');
    k.line('e = tl.where(m, tl.exp(x), 0.0)');
    k.line('total = tl.sum(e, 0)');
    k.line(mode === 'softmax' ? 'y = e / total' : 'y = x - tl.log(total)');
    k.line(`tl.store(${t} + r * ${k.dim(n)} + c, y.to(${t}.dtype.element_ty), mask=m)`);
  } else {
    const reduce = { sum: 'tl.sum(x, 0)', mean: `tl.sum(x, 0) / ${k.dim(n)}`, max: 'tl.max(x, 0)', min: 'tl.min(x, 0)' }[mode];
    k.line(`y = ${reduce}`);
    k.line(`tl.store(${t} + r, y.to(${t}.dtype.element_ty))`);
  }
  return finish(k, name, k.take(), { BLOCK: block }, [dimProduct(outer)]);
}

/** out[..., M, N] = a[..., M, K] @ b[..., K, N] with batch dims broadcast, float32 accumulation. */
export function matmulKernel(k: KernelBody, name: string, a: string, b: string, out: View, dot: DType): Launch {
  const [aShape, bShape] = [k.src.shape(a), k.src.shape(b)];
  const shape = out.shape;
  const batch = shape.slice(0, -2);
  const [M, N] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
  const K = aShape[aShape.length - 1]!;
  const { m: BM, n: BN, k: BK } = MATMUL_BLOCK;
  const t = k.tensor(out.source);
  k.line(`pid = tl.program_id(0)`);
  k.line(`nb = tl.cdiv(${k.dim(N)}, BLOCK_N)`);
  k.line(`rm = (pid // nb) * BLOCK_M + tl.arange(0, BLOCK_M)`);
  k.line(`rn = (pid % nb) * BLOCK_N + tl.arange(0, BLOCK_N)`);
  k.line(`bid = tl.program_id(1).to(tl.int64)`);
  const bIdx = k.unflatten({ code: 'bid', tile: false }, batch);
  k.line('acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)');
  const head = k.take();
  k.line(`for k0 in range(0, ${k.dim(K)}, BLOCK_K):`);
  k.indent = '        ';
  k.line('rk = k0 + tl.arange(0, BLOCK_K)');
  k.line(`am = (rm < ${k.dim(M)})[:, None] & (rk < ${k.dim(K)})[None, :]`);
  k.line(`bm = (rk < ${k.dim(K)})[:, None] & (rn < ${k.dim(N)})[None, :]`);
  const rows: Idx = { code: 'rm[:, None]', tile: true };
  const colsK: Idx = { code: 'rk[None, :]', tile: true };
  const rowsK: Idx = { code: 'rk[:, None]', tile: true };
  const cols: Idx = { code: 'rn[None, :]', tile: true };
  const av = k.valueAt(a, [...broadcastIdx(bIdx, batch, aShape.slice(0, -2)), rows, colsK], 'am');
  const bv = k.valueAt(b, [...broadcastIdx(bIdx, batch, bShape.slice(0, -2)), rowsK, cols], 'bm');
  const cast = dot === 'float32' ? '' : `.to(${dot === 'float16' ? 'tl.float16' : 'tl.bfloat16'})`;
  const precision = dot === 'float32' ? ', input_precision="ieee"' : '';
  k.line(`acc = tl.dot(tl.where(am, ${av.code}, 0.0)${cast}, tl.where(bm, ${bv.code}, 0.0)${cast}, acc${precision})`);
  const loop = k.take();
  k.indent = '    ';
  k.line(`om = (rm < ${k.dim(M)})[:, None] & (rn < ${k.dim(N)})[None, :]`);
  const base = batch.length === 0 ? '' : `bid * ${k.dim(dimProduct([M, N]))} + `;
  k.line(`tl.store(${t} + ${base}rm[:, None] * ${k.dim(N)} + rn[None, :], acc.to(${t}.dtype.element_ty), mask=om)`);
  const tail = k.take();
  const grid: Formula[] = [mulDims(ceilDiv(M, BM), ceilDiv(N, BN)), dimProduct(batch)];
  return finish(k, name, [...head, ...loop, ...tail], { BLOCK_M: BM, BLOCK_N: BN, BLOCK_K: BK }, grid);
}

function mulDims(a: Formula, b: Formula): Formula {
  return typeof a === 'number' && typeof b === 'number' ? a * b : { op: 'mul', a, b };
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

