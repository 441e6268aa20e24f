// Reference kernel: RotaryEmbedding (opset 23).
import { RotaryEmbedding } from '../../../ir/ops/attention.js';
import { opError } from '../../../ir/ops/shape-util.js';
import { defineKernel } from '../kernel.js';
import { required } from './args.js';
import { headView, rowOffset } from './heads.js';
import { tensorOf } from './nn-args.js';

defineKernel(RotaryEmbedding, (inputs, attrs, node) => {
  const xt = required(inputs, 0, node);
  const x = headView(node, 'X', xt, attrs.num_heads === 0 ? undefined : attrs.num_heads);
  const cos = required(inputs, 1, node);
  const sin = required(inputs, 2, node);
  const ids = inputs[3];
  const rotary = attrs.rotary_embedding_dim === 0 ? x.size : attrs.rotary_embedding_dim;
  if (rotary % 2 !== 0 || rotary > x.size) throw opError(node, `rotary_embedding_dim ${rotary} must be even and at most the head size ${x.size}`);
  const half = rotary / 2;
  if (cos.shape.at(-1) !== half || sin.shape.at(-1) !== half) throw opError(node, `cos_cache and sin_cache must end in rotary_embedding_dim / 2 = ${half}`);
  if (cos.data.length !== sin.data.length) throw opError(node, 'cos_cache and sin_cache differ in shape');
  // Row of the caches for (batch b, position s): looked up through position_ids, or the caches are [B, S, half].
  let cacheRow: (b: number, s: number) => number;
  if (ids !== undefined) {
    const positions = cos.shape[0]!;
    cacheRow = (b, s) => {
      const p = ids.data[b * x.seq + s]!;
      if (p < 0 || p >= positions) throw opError(node, `position id ${p} is outside the ${positions} cached positions`);
      return p;
    };
  } else {
    if (cos.shape.length !== 3 || cos.shape[1] !== x.seq || (cos.shape[0] !== x.batch && cos.shape[0] !== 1)) {
      throw opError(node, `without position_ids, cos_cache must be [batch, seq, ${half}], found [${cos.shape.join(', ')}]`);
    }
    const batchRows = cos.shape[0] === 1 ? 0 : x.seq;
    cacheRow = (b, s) => b * batchRows + s;
  }
  const y = Float64Array.from(xt.data);
  const step = attrs.interleaved !== 0 ? 2 : 1;
  const partner = attrs.interleaved !== 0 ? 1 : half;
  for (let b = 0; b < x.batch; b++) for (let s = 0; s < x.seq; s++) {
    const c = cacheRow(b, s) * half;
    for (let h = 0; h < x.heads; h++) {
      const o = rowOffset(x, b, h, s);
      for (let d = 0; d < half; d++) {
        const [i1, i2] = [o + d * step, o + d * step + partner];
        const [x1, x2, cv, sv] = [xt.data[i1]!, xt.data[i2]!, cos.data[c + d]!, sin.data[c + d]!];
        y[i1] = cv * x1 - sv * x2;
        y[i2] = sv * x1 + cv * x2;
      }
    }
  }
  return [tensorOf(xt.dtype, xt.shape, y)];
});
