// HF's mask-building subgraphs, whatever the exporter wrote, reduced to what they compute:
//   Attention(q, k, v, mask(am)) -> Attention(q, k, v, keep, causal=1)
// with keep = Unsqueeze(Cast(am, bool), [1, 2]) ([batch, 1, 1, kv], broadcast over heads and
// queries), or Where(keep, 0, finfo.min) when the mask was additive, so that every element
// the attention reads is the one it read before. A causal finfo.min mask with padding gives
// fully masked rows (left padding, all-zero rows) the average of v over every key; the keep
// mask + causal=1 says so with fully_masked_rows='average' (masks-fill.ts proves when).
// masks-form.ts proves the mask's form.
import { dimEq } from '../../ir/dim.js';
import { isFloat, onnxCode } from '../../ir/dtype.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { capture, opIn } from '../pattern.js';
import { type NewNode, type Replacement, decline, rule } from '../rule.js';
import { NotAMask } from './masks-eval.js';
import { swampsScores } from './masks-fill.js';
import { type MaskForm, recogniseMask } from './masks-form.js';

/** finfo(dtype).min: HF's fill for masked keys. */
const FINFO_MIN: Readonly<Record<string, number>> = { float32: -3.4028234663852886e38, float16: -65504, bfloat16: -3.3895313892515355e38, float64: -1.7976931348623157e308 };

// Attention(q, k, v, HF mask(am)) -> Attention(q, k, v, [Where](Unsqueeze(Cast(am, bool))), causal[, fully_masked_rows='average'])
export const paddingCausalMask = rule({
  name: 'attention/padding-causal-mask',
  root: 'Attention',
  domain: SOLDER_DOMAIN,
  pattern: opIn(SOLDER_DOMAIN, 'Attention', capture('q'), capture('k'), capture('v'), capture('mask')),
  rewrite: (m, ctx) => {
    const attn = m.root;
    const [q, k, v, mask] = ['q', 'k', 'v', 'mask'].map((c) => m.value(c)) as [string, string, string, string];
    const [qShape, kShape, vShape] = [ctx.typeOf(q)?.shape, ctx.typeOf(k)?.shape, ctx.typeOf(v)?.shape];
    const dtype = ctx.typeOf(mask)?.dtype;
    if (qShape?.length !== 4 || kShape?.length !== 4 || vShape?.length !== 4 || dtype === undefined) return decline('q, k or the mask have no known shape');
    let form: MaskForm;
    try {
      form = recogniseMask(ctx, mask, [qShape[0]!, qShape[1]!, qShape[2]!, kShape[2]!]);
    } catch (e) {
      if (e instanceof NotAMask) return decline(e.message);
      throw e;
    }
    const wasCausal = ctx.attrValues(attn).causal === 1;
    const additive = form.additive;
    // Bottom-right causal (j <= i + kv - q) is HF's j <= i only when q_seq == kv_seq.
    if (form.causal && !dimEq(qShape[2]!, kShape[2]!)) return decline('the mask is causal, but q_seq and kv_seq are not proven equal');
    // A finite fill with padding under the causal band: rows it masks whole average ALL keys.
    let averageMaskedRows = false;
    if (form.causal && !wasCausal) {
      if (additive !== undefined) {
        if (typeof additive.kept !== 'number' || additive.addend !== undefined) return decline('a causal band under a bias is left as written');
        if (additive.fill !== -Infinity && additive.fill !== FINFO_MIN[dtype]) return decline(`masked keys add ${additive.fill}, neither -inf nor finfo.min`);
        // Without padding every row keeps key 0, and finfo.min weighs 0 like -inf; with it, a
        // row may mask every key (-inf rows are NaN either way), which finfo.min averages.
        if (form.padding !== undefined && Number.isFinite(additive.fill)) {
          if (!swampsScores(additive.fill)) return decline(`masked keys add ${additive.fill}, too small to make fully padded rows a plain average`);
          if (additive.kept !== 0) return decline(`kept keys add ${additive.kept}, not 0`);
          averageMaskedRows = true;
        }
      }
    }

    const nodes: NewNode[] = [];
    const add = (op: string, inputs: string[], hint: string, attrs?: NewNode['attrs']) => {
      const out = ctx.fresh(hint);
      nodes.push({ op, inputs, outputs: [out], ...(attrs === undefined ? {} : { attrs }) });
      return out;
    };
    const scalar = (hint: string, x: number) => ctx.initializer(hint, makeTensor(dtype, [], [x]));
    let keep2d: string | undefined;
    let keep: string | undefined;
    if (form.padding !== undefined) {
      keep2d = ctx.typeOf(form.padding)?.dtype === 'bool' ? form.padding : add('Cast', [form.padding], 'padding_keep', { to: { kind: 'int', value: onnxCode('bool') } });
      keep = add('Unsqueeze', [keep2d, ctx.initializer('keep_axes', makeTensor('int64', [2], [1, 2]))], 'keep');
    }
    let newMask = keep;
    if (additive !== undefined && isFloat(dtype) && !averageMaskedRows) {
      const kept = typeof additive.kept === 'number' ? (additive.kept === 0 && keep === undefined ? undefined : scalar('kept', additive.kept)) : additive.kept;
      const base = keep === undefined ? kept : add('Where', [keep, kept ?? scalar('kept', 0), scalar('fill', additive.fill)], 'mask');
      newMask = additive.addend === undefined ? base : base === undefined ? additive.addend : add('Add', [additive.addend, base], 'biased_mask');
    }
    const causal = wasCausal || form.causal;
    if (causal === wasCausal && newMask !== undefined && nodes.length >= form.clusterSize) return decline('the mask is already in its simple form');

    nodes.push({
      op: 'Attention', domain: SOLDER_DOMAIN,
      inputs: [q, k, v, ...(newMask === undefined ? [] : [newMask])],
      outputs: [attn.outputs[0]!],
      attrs: {
        ...attn.attrs,
        causal: { kind: 'int', value: causal ? 1 : 0 },
        ...(averageMaskedRows ? { fully_masked_rows: { kind: 'string', value: 'average' } } : {}),
      },
    });
    return { nodes, replaces: 'root' } satisfies Replacement;
  },
});
