// Program-level behaviour: scalar promotion, symbolic sizes, inlined subgraphs, in-place ops,
// names, and the promotion table itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../../dtype.js';
import { sym } from '../../dim.js';
import { makeTensor, tensorFromBytes } from '../../tensor.js';
import { arg, fxNode } from '../../../test/pt2-archive.js';
import { importSpec, randomTensor, runGraph } from '../../../test/pt2-run.js';
import { parseSymExpr } from './meta.js';
import { promoteTypes, resultType } from './promote.js';

function scalarInitializers(g: ReturnType<typeof importSpec>): { dtype: DType; value: number }[] {
  return [...g.initializers.values()].filter((i) => i.shape.length === 0).map((i) => ({ dtype: i.dtype, value: tensorFromBytes(i.dtype, [], i.bytes.read()).data[0] as number }));
}

describe('Python scalars follow PyTorch promotion', () => {
  it('int64 tensor * 0.5 computes in float32', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'int64', shape: [3] }],
      nodes: [fxNode('aten.mul.Tensor', 'mul', { self: arg.t('x'), other: arg.f(0.5) })],
      values: { mul: { dtype: 'float32', shape: [3] } },
      outputs: ['mul'],
    });
    expect(g.nodes.map((n) => n.op)).toEqual(['Cast', 'Mul']);
    expect(scalarInitializers(g)).toEqual([{ dtype: 'float32', value: 0.5 }]);
    const [y] = runGraph(g, { x: makeTensor('int64', [3], [-3, 1, 7]) });
    expect(y!.dtype).toBe('float32');
    expect(Array.from(y!.data)).toEqual([-1.5, 0.5, 3.5]);
  });

  it('float16 tensor + 1.5 stays float16, with a float16 scalar', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float16', shape: [2] }],
      nodes: [fxNode('aten.add.Tensor', 'add', { self: arg.t('x'), other: arg.f(1.5), alpha: arg.i(2) })],
      values: { add: { dtype: 'float16', shape: [2] } },
      outputs: ['add'],
    });
    expect(scalarInitializers(g).map((s) => s.dtype)).toEqual(['float16', 'float16']);
    const [y] = runGraph(g, { x: makeTensor('float16', [2], [0.25, -4]) });
    expect(y!.dtype).toBe('float16');
    expect(Array.from(y!.data)).toEqual([3.25, -1]);
  });

  it('int tensor < 2.5 compares in float32', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'int32', shape: [4] }],
      nodes: [fxNode('aten.lt.Scalar', 'lt', { self: arg.t('x'), other: arg.f(2.5) })],
      values: { lt: { dtype: 'bool', shape: [4] } },
      outputs: ['lt'],
    });
    const [y] = runGraph(g, { x: makeTensor('int32', [4], [1, 2, 3, 4]) });
    expect(Array.from(y!.data)).toEqual([1, 1, 0, 0]);
  });

  it('promoteTypes is commutative and resultType ignores operand order', () => {
    const dtypes = DTYPES.filter((d) => d !== 'string' && d !== 'uint16' && d !== 'uint32' && d !== 'uint64');
    fc.assert(fc.property(fc.constantFrom(...dtypes), fc.constantFrom(...dtypes), (a, b) => promoteTypes(a, b) === promoteTypes(b, a)));
    expect(resultType([{ kind: 'tensor', dtype: 'int64', rank: 2 }, { kind: 'tensor', dtype: 'float64', rank: 0 }])).toBe('float64');
    expect(resultType([{ kind: 'tensor', dtype: 'float16', rank: 1 }, { kind: 'tensor', dtype: 'float32', rank: 0 }])).toBe('float16');
    expect(resultType([{ kind: 'tensor', dtype: 'bool', rank: 1 }, { kind: 'scalar', value: 'int' }])).toBe('int64');
    expect(resultType([{ kind: 'tensor', dtype: 'int32', rank: 1 }, { kind: 'scalar', value: 'int' }])).toBe('int32');
    expect(promoteTypes('uint8', 'int8')).toBe('int16');
    expect(promoteTypes('float16', 'bfloat16')).toBe('float32');
  });
});

describe('symbolic sizes', () => {
  it('keeps the export symbols on inputs and computes view sizes from sym_size', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['s0', 4] }],
      nodes: [
        fxNode('aten.sym_size.int', 'sym_size_int', { self: arg.t('x'), dim: arg.i(0) }, [arg.symInt('sym_size_int')]),
        fxNode('_operator.mul', 'mul', { a: arg.symInt('sym_size_int'), b: arg.i(2) }, [arg.symInt('mul')]),
        fxNode('aten.view.default', 'view', { self: arg.t('x'), size: arg.symInts('mul', 2) }),
      ],
      values: { view: { dtype: 'float32', shape: ['2*s0', 2] } },
      symInts: { sym_size_int: 's0', mul: '2*s0' },
      outputs: ['view'],
    });
    expect(g.inputs[0]?.type.shape).toEqual([sym('s0'), 4]);
    expect(g.outputs[0]?.type.shape?.[0]).toEqual(parseSymExpr('2*s0'));
    const x = randomTensor('float32', [3, 4], 31);
    const [y] = runGraph(g, { x });
    expect(y!.shape).toEqual([6, 2]);
    expect(Array.from(y!.data)).toEqual(Array.from(x.data));
  });

  it('parses sympy sizes into polynomials, and anything else into one opaque symbol', () => {
    expect(parseSymExpr('s0*s1 + 2*s0 - 1')).toEqual(parseSymExpr('2*s0 + s1*s0 - 1'));
    expect(parseSymExpr('s3')).toEqual(sym('s3'));
    expect(parseSymExpr('((s0 - 1)//2) + 1')).toEqual(sym('((s0 - 1)//2) + 1'));
  });
});

describe('graph structure', () => {
  it('inlines wrap_with_set_grad_enabled and rebinds in-place results', () => {
    const sub = {
      inputs: [arg.t('a')],
      outputs: [arg.t('neg')],
      nodes: [{ target: 'torch.ops.aten.neg.default', name: 'neg', inputs: [{ name: 'self', arg: arg.t('a'), kind: 1 }], outputs: [arg.t('neg')], metadata: {} }],
      tensor_values: { a: { dtype: 7, sizes: [{ as_int: 2 }], strides: [{ as_int: 1 }], storage_offset: { as_int: 0 } }, neg: { dtype: 7, sizes: [{ as_int: 2 }], strides: [{ as_int: 1 }], storage_offset: { as_int: 0 } } },
      sym_int_values: {},
    };
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
      nodes: [
        { target: 'torch.ops.higher_order.wrap_with_set_grad_enabled', name: 'wrap_with_set_grad_enabled', args: { '': arg.b(false), ' ': { as_graph: { name: 'submod_1', graph: sub } }, '  ': arg.t('x') }, outputs: ['neg'] },
        fxNode('aten.add_.Tensor', 'add_', { self: arg.t('neg'), other: arg.i(1) }),
        fxNode('aten.mul.Tensor', 'mul', { self: arg.t('neg'), other: arg.t('x') }),
      ],
      values: { neg: { dtype: 'float32', shape: [2] }, add_: { dtype: 'float32', shape: [2] }, mul: { dtype: 'float32', shape: [2] } },
      outputs: ['mul'],
    });
    expect(g.nodes.map((n) => `${n.name}:${n.op}`)).toEqual(['neg:Neg', 'add_:Add', 'mul:Mul']);
    const [y] = runGraph(g, { x: makeTensor('float32', [2], [3, -2]) });
    // (-x + 1) * x, since mul reads neg after add_ mutated it.
    expect(Array.from(y!.data)).toEqual([-6, -6]);
  });

  it('gives an output that is a graph input its own Identity node', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
      nodes: [fxNode('aten.dropout.default', 'dropout', { input: arg.t('x'), p: arg.f(0.1), train: arg.b(false) })],
      values: { dropout: { dtype: 'float32', shape: [2] } },
      outputs: ['dropout', 'dropout'],
    });
    expect(g.nodes.map((n) => n.op)).toEqual(['Identity', 'Identity']);
    expect(new Set(g.outputs.map((o) => o.name)).size).toBe(2);
    const x = makeTensor('float32', [2], [1, 2]);
    expect(runGraph(g, { x }).map((t) => Array.from(t.data))).toEqual([[1, 2], [1, 2]]);
  });
});
