// GELU clusters as the exporters write them, built small for the activation rule tests:
// erf and tanh forms in every association of x · ½ · φ, any operand order, any constant.
import type { DType } from '../ir/dtype.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';
import { size, values } from './float64-onnx.js';

/** The constants of the two GELU forms, by the names the tests override them with. */
export const GELU_CONSTANTS = {
  sqrt2: Math.SQRT2,
  invSqrt2: Math.SQRT1_2,
  half: 0.5,
  one: 1,
  sqrtTwoOverPi: Math.sqrt(2 / Math.PI),
  cubic: 0.044715,
  three: 3,
};

export interface GeluForm {
  readonly approximate: 'none' | 'tanh';
  /** The ONNX Gelu op instead of a cluster. */
  readonly op?: boolean;
  /** How x · ½ · φ associates: 0 (x·φ)·½, 1 (x·½)·φ, 2 x·(½·φ). */
  readonly association?: 0 | 1 | 2;
  /** Bit k swaps the operands of the k-th commutative op built. */
  readonly swaps?: number;
  /** erf's argument as x / √2 or x · (1/√2). */
  readonly erfArgument?: 'div' | 'mul';
  /** x³ as Pow(x, 3) or x · (x · x). */
  readonly cube?: 'pow' | 'mul';
  readonly constants?: Partial<typeof GELU_CONSTANTS>;
  /** The shape of the ½ constant (default scalar). */
  readonly halfShape?: readonly number[];
}

/** x, on random values rounded to `dtype` (stored as float64 for the reference). */
export function geluFeeds(shape: readonly number[], dtype: DType, seed: number, float64 = false): Map<string, Tensor> {
  const rounded = makeTensor(dtype, shape, values(seed, size(shape), 3)).data;
  return new Map([['x', makeTensor(float64 ? 'float64' : dtype, shape, rounded)]]);
}

/**
 * GELU of input x in the given form. With `float64`, the graph is the float64 reference:
 * every dtype float64 and the constants unrounded, the function the cluster stands for.
 */
export function geluGraph(shape: readonly (number | string)[], dtype: DType, form: GeluForm, float64 = false): Graph {
  const b = new GraphBuilder('gelu');
  const t = float64 ? 'float64' : dtype;
  const x = b.input('x', t, shape);
  if (form.op) {
    b.output(b.node('Gelu', [x], { approximate: form.approximate }, { name: 'gelu' })[0]!);
    return b.build();
  }
  const k = { ...GELU_CONSTANTS, ...form.constants };
  const c = (name: keyof typeof GELU_CONSTANTS, cshape: readonly number[] = []) =>
    b.initializer(name, makeTensor(t, cshape, new Array(size(cshape)).fill(k[name])));
  let opIndex = 0;
  const commutative = (op: 'Mul' | 'Add', a: string, bb: string, name: string) => {
    const swap = ((form.swaps ?? 0) >> opIndex++) & 1;
    return b.node(op, swap ? [bb, a] : [a, bb], {}, { name })[0]!;
  };
  const phi = form.approximate === 'none' ? erfFactor(b, x, form, c, commutative) : tanhFactor(b, x, form, c, commutative);
  const half = c('half', form.halfShape);
  let y: string;
  switch (form.association ?? 0) {
    case 0: y = commutative('Mul', commutative('Mul', x, phi, 'x_phi'), half, 'gelu'); break;
    case 1: y = commutative('Mul', commutative('Mul', x, half, 'x_half'), phi, 'gelu'); break;
    case 2: y = commutative('Mul', x, commutative('Mul', half, phi, 'half_phi'), 'gelu'); break;
  }
  b.output(y);
  return b.build();
}

type Const = (name: keyof typeof GELU_CONSTANTS) => string;
type Commutative = (op: 'Mul' | 'Add', a: string, b: string, name: string) => string;

/** 1 + Erf(x / √2). */
function erfFactor(b: GraphBuilder, x: string, form: GeluForm, c: Const, commutative: Commutative): string {
  const arg = form.erfArgument === 'mul'
    ? commutative('Mul', x, c('invSqrt2'), 'erf_arg')
    : b.node('Div', [x, c('sqrt2')], {}, { name: 'erf_arg' })[0]!;
  const [erf] = b.node('Erf', [arg], {}, { name: 'erf' });
  return commutative('Add', erf!, c('one'), 'one_plus');
}

/** 1 + Tanh(√(2/π) · (x + 0.044715 · x³)). */
function tanhFactor(b: GraphBuilder, x: string, form: GeluForm, c: Const, commutative: Commutative): string {
  const cube = form.cube === 'mul'
    ? commutative('Mul', x, commutative('Mul', x, x, 'square'), 'cube')
    : b.node('Pow', [x, c('three')], {}, { name: 'cube' })[0]!;
  const inner = commutative('Add', x, commutative('Mul', cube, c('cubic'), 'cubic_term'), 'polynomial');
  const [tanh] = b.node('Tanh', [commutative('Mul', inner, c('sqrtTwoOverPi'), 'tanh_arg')], {}, { name: 'tanh' });
  return commutative('Add', tanh!, c('one'), 'one_plus');
}
