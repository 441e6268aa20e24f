// Ops that map onto the runtime's library kernels (kernels/__init__.py): GEMMs with fused
// epilogues, norms, attention. Each checks the layout its kernel needs and prepares weights
// at plan time ([K, N] linear weights, [Wg | Wu] gate projections, RMSNorm's 1 + w).
// Conv is im2col + GEMM (conv.ts).
import { type Dim, isKnown } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { normalizeAxis, opError } from '../../ir/ops/shape-util.js';
import { rowsKeepingAKey, zeroRowsWithoutKeys } from './attention-zero-rows.js';
import { lowerConv } from './conv.js';
import { broadcastIdx } from './emit.js';
import { literal } from './elementwise.js';
import type { Attr, LaunchArg } from './launch.js';
import type { Lowering } from './lower.js';
import { provenance } from './sanitize.js';
import { type View, contiguousStrides, moveView } from './views.js';
import { composed, flat, offsetBy, scaled, sideBySide, transposed } from './weights.js';

const GEMM_ACTIVATIONS = new Set(['none', 'relu', 'gelu', 'gelu_tanh', 'silu']);
const HEAD_DIMS = new Set([16, 32, 64, 128, 256]);

type Args = Record<string, LaunchArg>;

function attrOf(node: Node, name: string): number | string | undefined {
  const a = node.attrs[name];
  return a?.kind === 'int' || a?.kind === 'float' || a?.kind === 'string' ? a.value : undefined;
}

function launch(L: Lowering, node: Node, kernel: string, args: Record<string, View | undefined>, attrs: Record<string, Attr> = {}, extra: Args = {}): void {
  const bound: Args = { ...extra };
  for (const [k, v] of Object.entries(args)) if (v !== undefined) bound[k] = { view: v };
  L.push({ kernel, name: provenance(node.name), args: bound, attrs });
}

/** Lowers one library-category node, recording its outputs' stored views. */
export function lowerLibrary(L: Lowering, node: Node): void {
  switch (node.op) {
    case 'MatMul': return gemm(L, node, node.inputs[0]!, L.weightView(node.inputs[1]!), undefined, undefined, 'none');
    case 'Gemm': return onnxGemm(L, node);
    case 'Linear': {
      const bias = node.inputs[2] ? L.weightView(node.inputs[2], flat) : undefined;
      return gemm(L, node, node.inputs[0]!, L.weightView(node.inputs[1]!), bias, node.inputs[3] || undefined, String(attrOf(node, 'activation') ?? 'none'));
    }
    case 'GatedMLP': {
      const out = L.dest(node.outputs[0]!);
      launch(L, node, 'gated_mlp', { x: L.stored(node.inputs[0]!, 'matrix'), weight: L.weightView([node.inputs[1]!, node.inputs[2]!], sideBySide), out },
        { activation: String(attrOf(node, 'activation') ?? 'silu') });
      return L.setStored(node.outputs[0]!, out);
    }
    case 'LayerNormalization': case 'LayerNorm': case 'RMSNorm': case 'SkipLayerNorm': case 'SkipRMSNorm':
      return norm(L, node);
    case 'Attention': return attention(L, node);
    case 'Conv': return lowerConv(L, node);
    default: throw opError(node, 'no library kernel for this op');
  }
}

function gemm(L: Lowering, node: Node, x: string, weight: View, bias: View | undefined, residual: string | undefined, activation: string): void {
  const outValue = node.outputs[0]!;
  const outShape = L.shape(outValue);
  const fused = GEMM_ACTIVATIONS.has(activation);
  const res = residual !== undefined && fused ? sameShapeStored(L, residual, outValue) : undefined;
  const out = fused ? L.dest(outValue) : L.newBuffer(`${outValue}.linear`, outShape, L.planDtype);
  launch(L, node, 'gemm', { x: L.stored(x, 'matrix'), weight, bias, residual: res, out }, activation === 'none' || !fused ? {} : { activation });
  if (fused) return L.setStored(outValue, out);
  // tanh / sigmoid epilogues and their residual run as a generated pointwise kernel.
  L.setStored(`${outValue}.linear`, out);
  const final = L.dest(outValue);
  L.pointwise(node.name, final, (k, idx, mask) => {
    const pre = k.valueAt(`${outValue}.linear`, idx, mask);
    const act = k.bind(activation === 'tanh' ? `(2.0 * tl.sigmoid(2.0 * ${pre.code}) - 1.0)` : `tl.sigmoid(${pre.code})`, 'float32', true);
    if (residual === undefined) return act;
    const r = k.valueAt(residual, broadcastIdx(idx, outShape, L.shape(residual)), mask);
    return k.bind(`${act.code} + ${r.code}`, 'float32', true);
  });
  L.setStored(outValue, final);
}

// Kernels that read a second operand row by row need it at exactly the output's shape.
function sameShapeStored(L: Lowering, value: string, like: string): View {
  const [shape, want] = [L.shape(value), L.shape(like)];
  const same = shape.length === want.length && shape.every((d, i) => (isKnown(d) || isKnown(want[i]!) ? d === want[i] : d.expr === (want[i] as { expr: string }).expr));
  if (same) return L.stored(value, 'rows');
  const view = L.newBuffer(`${value}.expanded`, want, L.weights.storageDtype(L.dtype(value)));
  L.pointwise(`broadcast of ${value}`, view, (k, idx, mask) => k.valueAt(value, broadcastIdx(idx, want, shape), mask));
  return view;
}

function onnxGemm(L: Lowering, node: Node): void {
  if (attrOf(node, 'transA') === 1) throw opError(node, 'Gemm with transA=1 is not supported by the Triton backend');
  const alpha = Number(attrOf(node, 'alpha') ?? 1);
  const beta = Number(attrOf(node, 'beta') ?? 1);
  const transforms = [...(attrOf(node, 'transB') === 1 ? [transposed] : []), ...(alpha !== 1 ? [scaled(alpha)] : [])];
  const weight = L.weightView(node.inputs[1]!, transforms.length > 0 ? composed(...transforms) : undefined);
  const c = node.inputs[2] || undefined;
  if (c !== undefined && L.isConstant(c) && L.shape(c).length <= 2 && L.shape(c).slice(0, -1).every((d) => d === 1)) {
    return gemm(L, node, node.inputs[0]!, weight, L.weightView(c, beta !== 1 ? composed(flat, scaled(beta)) : flat), undefined, 'none');
  }
  if (c !== undefined && beta !== 1) throw opError(node, 'Gemm with a non-bias C and beta != 1 is not supported by the Triton backend');
  gemm(L, node, node.inputs[0]!, weight, undefined, c, 'none');
}

function norm(L: Lowering, node: Node): void {
  const x = node.inputs[0]!;
  const rank = L.shape(x).length;
  const axis = normalizeAxis(node, Number(attrOf(node, 'axis') ?? -1), rank);
  if (axis !== rank - 1) throw opError(node, 'normalization over more than the last axis is not supported by the Triton backend');
  const skip = node.op.startsWith('Skip');
  const rms = node.op.includes('RMS');
  const [wi, bi] = skip ? [2, 3] : [1, 2];
  const offset = rms && attrOf(node, 'offset') === 1 ? offsetBy(1) : undefined;
  const weight = L.weightView(node.inputs[wi]!, offset ? composed(flat, offset) : flat);
  const bias = !rms && node.inputs[bi] ? L.weightView(node.inputs[bi], flat) : undefined;
  const eps = Number(attrOf(node, 'epsilon') ?? (rms ? 1e-6 : 1e-5));
  if (node.op === 'LayerNormalization') {
    for (const extra of node.outputs.slice(1)) if (extra && L.isUsed(extra)) throw opError(node, 'the Mean/InvStdDev outputs are not supported by the Triton backend');
  }
  const xs = L.stored(x, 'rows');
  const skipView = skip ? sameShapeStored(L, node.inputs[1]!, x) : undefined;
  const out = L.dest(node.outputs[0]!);
  const sumValue = skip ? node.outputs[1] : undefined;
  const sum = sumValue && L.isUsed(sumValue) ? L.dest(sumValue) : undefined;
  const kernel = (skip ? 'skip_' : '') + (rms ? 'rms_norm' : 'layer_norm');
  launch(L, node, kernel, { x: xs, skip: skipView, weight, bias, out, sum }, { eps });
  L.setStored(node.outputs[0]!, out);
  if (sum !== undefined) L.setStored(sumValue!, sum);
}

function attention(L: Lowering, node: Node): void {
  const [q, k, v] = [0, 1, 2].map((i) => L.stored(node.inputs[i]!, 'any'));
  const headDim = q!.shape[3]!;
  if (!isKnown(headDim) || !HEAD_DIMS.has(headDim)) throw opError(node, `head_dim ${String(isKnown(headDim) ? headDim : headDim.expr)} is not one the attention kernel supports (16, 32, 64, 128, 256)`);
  if (!isKnown(v!.shape[3]!) || v!.shape[3] !== headDim) throw opError(node, 'the attention kernel needs v to have q\'s head_dim');
  const maskValue = node.inputs[3] || undefined;
  const causal = attrOf(node, 'causal') === 1;
  // The kernel gives 0 where no key is in range or in the band ('zero' rows masked by the mask
  // are zeroed after it, attention-zero-rows.ts); 'average' rows come from a finfo.min mask.
  const averageRows = attrOf(node, 'fully_masked_rows') === 'average' && (maskValue !== undefined || causal);
  const mask = averageRows ? averagingMask(L, node, maskValue, q!.shape[2]!, k!.shape[2]!)
    : maskValue === undefined ? undefined : additiveMask(L, node, maskValue);
  // 'zero' rows: without a mask the kernel's causal band alone gives 0; a mask needs the fix-up,
  // a pointwise pass that writes contiguously, so the output is not written heads-last then.
  const zeroRows = attrOf(node, 'fully_masked_rows') === 'zero' && maskValue !== undefined;
  const out = (zeroRows ? undefined : headsLastLayout(L, node.outputs[0]!)) ?? L.dest(node.outputs[0]!);
  // The runtime pads seq up to its bucket with masked keys; an average over every key must
  // not count them, so the kernel gets the real kv length when kv_seq is a symbol.
  const kvSeq = k!.shape[2]!;
  const realKv: Args = averageRows && !isKnown(kvSeq) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(kvSeq.expr) ? { key_lengths: { real: kvSeq } } : {};
  const marker = zeroRows ? rowsKeepingAKey(L, node, maskValue, q!.shape[2]!, kvSeq) : undefined;
  launch(L, node, 'attention', { q, k, v, mask, out }, { scale: Number(attrOf(node, 'scale')), causal: causal && !averageRows }, realKv);
  L.setStored(node.outputs[0]!, out);
  if (marker !== undefined) zeroRowsWithoutKeys(L, node, marker, out);
}

/** float32 finfo.min: what HF fills masked keys with, and what the kernel keeps finite. */
const FLOAT32_MIN = -3.4028234663852886e38;

/** Averaging masks already built, by keep-mask, band and sizes: layers share one. */
const averagingMasks = new WeakMap<Lowering, Map<string, View>>();

// fully_masked_rows='average' as HF computes it: keep-mask AND causal band as a float32
// [batch|1, heads|1, q, kv] mask of 0 / finfo.min, launched without the kernel's own causal
// band (which would make the masked keys -inf). A row that keeps a key weighs the others 0;
// a row that keeps none holds one value, so the kernel averages v over every key: the
// bucket's padded keys too when the runtime pads seq (as with the generic mask before), since
// the plan does not pass the kernel the real kv length yet.
function averagingMask(L: Lowering, node: Node, value: string | undefined, qSeq: Dim, kvSeq: Dim): View {
  const causal = attrOf(node, 'causal') === 1;
  const key = [value ?? '', causal, isKnown(qSeq) ? qSeq : qSeq.expr, isKnown(kvSeq) ? kvSeq : kvSeq.expr].join('|');
  const built = averagingMasks.get(L) ?? new Map<string, View>();
  averagingMasks.set(L, built);
  const known = built.get(key);
  if (known !== undefined) return known;
  const given = value === undefined ? [] : L.shape(value);
  if (given.length > 4) throw opError(node, `mask of rank ${given.length} cannot be an attention mask`);
  const lead = [...new Array<Dim>(4 - given.length).fill(1), ...given].slice(0, 2);
  const shape = [...lead, qSeq, kvSeq];
  const view = L.newBuffer(`${value ?? node.outputs[0]!}.average_rows_mask`, shape, 'float32');
  L.pointwise(`fully masked rows of ${node.name} averaged`, view, (k, idx, mask) => {
    const conditions: string[] = [];
    if (value !== undefined) conditions.push(`(${k.valueAt(value, broadcastIdx(idx, shape, given), mask).code} != 0)`);
    if (causal) conditions.push(`(${idx[3]!.code} <= ${idx[2]!.code} + ${k.dim(kvSeq)} - ${k.dim(qSeq)})`);
    return k.bind(`tl.where(${conditions.join(' & ')}, 0.0, ${literal(FLOAT32_MIN, 'float32')})`, 'float32', true);
  });
  built.set(key, view);
  return view;
}

// When the heads are only transposed back to [batch, seq, heads, head_dim] (to be merged
// for the output projection), the kernel writes that layout directly, through strides.
function headsLastLayout(L: Lowering, value: string): View | undefined {
  const users = L.consumersOf(value);
  const t = users[0];
  const perm = t?.attrs.perm;
  if (users.length !== 1 || L.isGraphOutput(value) || t!.op !== 'Transpose' || perm?.kind !== 'ints' || perm.value.join() !== '0,2,1,3') return undefined;
  const transposed = t!.outputs[0]!;
  if (L.isGraphOutput(transposed)) return undefined;
  const buffer = L.newBuffer(transposed);
  return moveView(buffer, { kind: 'transpose', perm: [0, 2, 1, 3], out: L.shape(value) });
}

// The kernel adds the mask to the scores: boolean masks become 0 / -inf, and every mask a rank-4 view.
function additiveMask(L: Lowering, node: Node, value: string): View {
  const shape = L.shape(value);
  let view: View;
  if (L.dtype(value) === 'bool') {
    view = L.newBuffer(`${value}.additive`, shape, L.planDtype);
    L.pointwise(`additive mask for ${node.name}`, view, (k, idx, mask) => {
      const m = k.valueAt(value, idx, mask);
      return k.bind(`tl.where(${m.code}, 0.0, ${literal(-Infinity, 'float32')})`, 'float32', true);
    });
  } else {
    view = L.stored(value, 'any');
  }
  if (shape.length === 4) return view;
  if (shape.length > 4) throw opError(node, `mask of rank ${shape.length} cannot be an attention mask`);
  const four = [...new Array(4 - shape.length).fill(1), ...shape];
  const moved = moveView(view, { kind: 'reshape', from: shape, out: four });
  return moved ?? { ...view, shape: four, strides: contiguousStrides(four) };
}
