// Gemm with a constant weight becomes solder::Linear: transB=1 (nn.Linear's [N, K] layout)
// is transposed into Linear's [K, N] once, here, and alpha/beta fold into weight and bias.
import { P } from 'ts-pattern';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { floatDType, rankIs } from '../checks.js';
import { capture, constant, maybe, op } from '../pattern.js';
import { check, rule } from '../rule.js';
import { biasFits, trimmed } from './linear-pattern.js';
import { biasInput } from './matmul.js';

interface GemmAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly transB: number;
}

function gemmAttrs(values: Readonly<Record<string, unknown>>): GemmAttrs {
  return { alpha: Number(values['alpha']), beta: Number(values['beta']), transB: Number(values['transB']) };
}

/** alpha * B, or alpha * Bᵀ, laid out [K, N]. */
export function linearWeight(b: Tensor, transB: boolean, alpha: number): Tensor {
  const [rows, cols] = [b.shape[0]!, b.shape[1]!];
  if (!transB) return makeTensor(b.dtype, [rows, cols], b.data.map((v) => alpha * v));
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = alpha * b.data[r * cols + c]!;
  return makeTensor(b.dtype, [cols, rows], out);
}

// Gemm(A, B, C, alpha, beta, transB) -> Linear(A, alpha * op(B), beta * C)
export const gemmLinear = rule({
  name: 'linear/gemm',
  root: 'Gemm',
  pattern: op('Gemm', capture('x'), constant('w'), maybe(constant('c')), { transA: 0, transB: P.union(0, 1) }),
  checks: [
    rankIs('w', 2),
    floatDType('x'),
    check('c-is-a-bias', 'c', (m, g) => {
      if (!m.has('c')) return true;
      const { transB } = gemmAttrs(g.attrValues(m.root));
      const w = m.constant('w');
      return biasFits(m.constant('c'), transB === 1 ? w.shape[0] : w.shape[1]);
    }),
  ],
  rewrite: (m, ctx) => {
    const { alpha, beta, transB } = gemmAttrs(ctx.attrValues(m.root));
    const w = m.constant('w');
    const weight = transB === 0 && alpha === 1 ? m.value('w') : ctx.initializer('weight', linearWeight(w, transB === 1, alpha));
    const n = transB === 1 ? w.shape[0]! : w.shape[1]!;
    // beta = 0 drops C entirely (ONNX: C is then not even read).
    const bias = m.has('c') && beta !== 0 ? biasInput(m, ctx, 'c', n, beta) : '';
    return {
      nodes: [{ op: 'Linear', domain: SOLDER_DOMAIN, inputs: trimmed([m.value('x'), weight, bias]), outputs: m.root.outputs }],
      replaces: 'root',
    };
  },
});
