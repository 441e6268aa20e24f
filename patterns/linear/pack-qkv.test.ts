// QKV packing after attention fusion: the three projections feeding a solder::Attention
// (through head reshapes, rotary and repeat_kv) become one Linear and a Split, computing the
// same; projections of different inputs, or reached through other ops, are left alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatAttr } from '../../ir/attrs.js';
import { GraphBuilder } from '../../ir/builder.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { LINEAR_RULES } from './index.js';
import { packQkv } from './pack-qkv.js';
import { expectSameFunction, opsOf, randomTensor } from './test-support.js';

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  seq: fc.integer({ min: 1, max: 4 }),
  hidden: fc.integer({ min: 1, max: 6 }),
  kvHeads: fc.integer({ min: 1, max: 2 }),
  groups: fc.integer({ min: 1, max: 2 }),
  headDim: fc.constantFrom(2, 4),
  biases: fc.constantFrom('none' as const, 'all' as const, 'q-only' as const),
  rotary: fc.boolean(),
  repeatKv: fc.boolean(),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

interface Variant {
  /** k and v project another input (cross-attention). */
  readonly kvFrom?: 'x' | 'memory';
  /** q is scaled between its projection and the attention. */
  readonly scaleQ?: boolean;
}

/** Attention over head-split projections of x, as the attention rules leave it. */
function attentionGraph(c: Case, o: Variant = {}) {
  const b = new GraphBuilder('qkv');
  const heads = c.kvHeads * c.groups;
  const x = b.input('x', 'float32', [c.batch, c.seq, c.hidden]);
  const kvX = o.kvFrom === 'memory' ? b.input('memory', 'float32', [c.batch, c.seq, c.hidden]) : x;
  const cos = b.input('cos', 'float32', [c.seq, c.headDim]);
  const sin = b.input('sin', 'float32', [c.seq, c.headDim]);
  const int64 = (name: string, v: number[]) => b.initializer(name, makeTensor('int64', [v.length], v));
  const project = (role: string, from: string, h: number, seed: number) => {
    let [y] = b.node('MatMul', [from, b.initializer(`w${role}`, randomTensor('float32', [c.hidden, h * c.headDim], seed))], {}, { name: `${role}_proj` });
    if (c.biases === 'all' || (c.biases === 'q-only' && role === 'q')) {
      [y] = b.node('Add', [y!, b.initializer(`b${role}`, randomTensor('float32', [h * c.headDim], seed + 10))], {}, { name: `${role}_bias` });
    }
    const [split] = b.node('Reshape', [y!, int64(`${role}_heads`, [c.batch, c.seq, h, c.headDim])], {}, { name: `${role}_view` });
    let [t] = b.node('Transpose', [split!], { perm: [0, 2, 1, 3] }, { name: `${role}_t` });
    if (c.rotary && role !== 'v') [t] = b.node('RotaryEmbedding', [t!, cos, sin], {}, { name: `${role}_rope`, domain: SOLDER_DOMAIN });
    if (c.repeatKv && role !== 'q') {
      const [u] = b.node('Unsqueeze', [t!, int64(`${role}_axis`, [2])], {}, { name: `${role}_unsq` });
      const [e] = b.node('Expand', [u!, int64(`${role}_rep`, [c.batch, h, c.groups, c.seq, c.headDim])], {}, { name: `${role}_expand` });
      [t] = b.node('Reshape', [e!, int64(`${role}_merge`, [c.batch, heads, c.seq, c.headDim])], {}, { name: `${role}_repeat` });
    }
    return t!;
  };
  let q = project('q', x, heads, c.seed + 1);
  if (o.scaleQ) [q] = b.node('Mul', [q, b.initializer('q_scale', makeTensor('float32', [], [0.5]))], {}, { name: 'q_scale_mul' });
  const k = project('k', kvX, c.kvHeads, c.seed + 2);
  const v = project('v', kvX, c.kvHeads, c.seed + 3);
  const [attn] = b.node('Attention', [q, k, v], { scale: floatAttr(1 / Math.sqrt(c.headDim)), causal: 1 }, { name: 'attn', domain: SOLDER_DOMAIN });
  b.output(attn!);
  return b.build();
}

function feeds(c: Case) {
  return new Map([
    ['x', randomTensor('float32', [c.batch, c.seq, c.hidden], c.seed)],
    ['memory', randomTensor('float32', [c.batch, c.seq, c.hidden], c.seed + 4)],
    ['cos', randomTensor('float32', [c.seq, c.headDim], c.seed + 5)],
    ['sin', randomTensor('float32', [c.seq, c.headDim], c.seed + 6)],
  ]);
}

describe('linear/pack-qkv', () => {
  it('packs the q, k and v projections of an Attention into one Linear and a Split computing the same', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const source = attentionGraph(c);
      const { graph, trace } = applyRules(source, LINEAR_RULES);
      expect(trace.applications.filter((a) => a.rule === 'linear/pack-qkv')).toHaveLength(1);
      const ops = opsOf(graph);
      expect(ops.filter((op) => op === 'solder::Linear')).toHaveLength(1);
      expect(ops.indexOf('Split')).toBe(ops.indexOf('solder::Linear') + 1);
      const packed = graph.nodes.find((n) => n.op === 'Linear')!;
      const width = (c.kvHeads * c.groups + 2 * c.kvHeads) * c.headDim;
      expect(graph.initializers.get(packed.inputs[1]!)?.shape).toEqual([c.hidden, width]);
      expect(packed.inputs.length).toBe(c.biases === 'none' ? 2 : 3);
      const f = feeds(c);
      f.delete('memory');
      expectSameFunction(source, graph, f);
    }), { numRuns: 60 });
  });

  const fixed: Case = { batch: 2, seq: 3, hidden: 5, kvHeads: 2, groups: 2, headDim: 4, biases: 'all', rotary: true, repeatKv: true, seed: 3 };

  it('does not pack projections of different inputs (cross-attention)', () => {
    const { graph } = applyRules(attentionGraph(fixed, { kvFrom: 'memory' }), LINEAR_RULES);
    expect(opsOf(graph).filter((op) => op === 'solder::Linear')).toHaveLength(3);
    const [e] = explainRule(graph, packQkv);
    expect(e).toMatchObject({ outcome: 'no-match', anchor: 'attn' });
    expect(e!.reason).toBe("capture 'x' is 'x' elsewhere, 'memory' here");
  });

  it('does not pack a projection reached through an op that is not a layout op', () => {
    const { graph } = applyRules(attentionGraph(fixed, { scaleQ: true }), LINEAR_RULES);
    expect(opsOf(graph).filter((op) => op === 'solder::Linear')).toHaveLength(3);
    const [e] = explainRule(graph, packQkv);
    expect(e).toMatchObject({ outcome: 'no-match', node: 'q_scale_mul' });
    expect(e!.reason).toBe("expected Linear (solder), found Mul 'q_scale_mul'");
  });
});
