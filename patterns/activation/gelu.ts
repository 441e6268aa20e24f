// GELU, from every form the exporters write, to solder::Gelu {approximate}:
//   the ONNX Gelu op (opset 20; torch.export's aten.gelu imports to it),
//   erf:  x · ½ · (1 + Erf(x / √2)), the argument also written x · (1/√2),
//   tanh: x · ½ · (1 + Tanh(√(2/π) · (x + 0.044715 · x³))), x³ as Pow(x, 3) or x · x · x,
// each in the three ways the product x · ½ · φ associates (the matcher covers operand
// orders). Every constant is captured and checked against its value: another value is
// another function, and the rule declines.
import { P } from 'ts-pattern';
import { stringAttr } from '../../ir/attrs.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { floatDType } from '../checks.js';
import { type OpPattern, type Pattern, capture, constant, oneOf, op } from '../pattern.js';
import { type Check, type Rule, rule } from '../rule.js';
import { constantIs, constantNear, keepsShapeOf } from './checks.js';

const x = capture('x');
const half = constant('half');

// 1 + Erf(x / √2)
const erfFactor = op('Add', op('Erf', oneOf(op('Div', x, constant('sqrt2')), op('Mul', x, constant('invSqrt2')))), constant('one'));

// 1 + Tanh(√(2/π) · (x + 0.044715 · x³))
const cube = oneOf(op('Pow', x, constant('three')), op('Mul', x, op('Mul', x, x)));
const tanhFactor = op('Add', op('Tanh', op('Mul', op('Add', x, op('Mul', cube, constant('cubic'))), constant('sqrt(2/pi)'))), constant('one'));

const SHARED_CHECKS: readonly Check[] = [
  constantNear('offset-is-1', 'one', 1),
  constantNear('factor-is-0.5', 'half', 0.5),
  floatDType('x'),
  keepsShapeOf('x'),
];

const ERF_CHECKS: readonly Check[] = [
  constantNear('divisor-is-sqrt(2)', 'sqrt2', Math.SQRT2),
  constantNear('multiplier-is-1/sqrt(2)', 'invSqrt2', Math.SQRT1_2),
  ...SHARED_CHECKS,
];

const TANH_CHECKS: readonly Check[] = [
  constantNear('scale-is-sqrt(2/pi)', 'sqrt(2/pi)', Math.sqrt(2 / Math.PI)),
  constantNear('cubic-coefficient-is-0.044715', 'cubic', 0.044715),
  constantIs('exponent-is-3', 'three', 3),
  ...SHARED_CHECKS,
];

function geluRule(name: string, pattern: OpPattern, checks: readonly Check[], approximate: 'none' | 'tanh'): Rule {
  return rule({
    name,
    root: pattern.ops[0]!,
    pattern,
    checks,
    rewrite: (m) => ({
      nodes: [{ op: 'Gelu', domain: SOLDER_DOMAIN, inputs: [m.value('x')], outputs: m.root.outputs, attrs: { approximate: stringAttr(approximate) } }],
      replaces: 'root',
    }),
  });
}

/** x · ½ · φ in its three associations: (x·φ)·½, (x·½)·φ, x·(½·φ). */
function associations(phi: Pattern): [OpPattern, OpPattern, OpPattern] {
  return [op('Mul', op('Mul', x, phi), half), op('Mul', op('Mul', x, half), phi), op('Mul', x, op('Mul', half, phi))];
}

const [erfPhiFirst, erfHalfFirst, erfHalfInside] = associations(erfFactor);
const [tanhPhiFirst, tanhHalfFirst, tanhHalfInside] = associations(tanhFactor);

// Gelu(x, approximate) -> Gelu(x, approximate)
export const geluOp = rule({
  name: 'activation/gelu-op',
  root: 'Gelu',
  pattern: op('Gelu', x, { approximate: P.union('none', 'tanh') }),
  rewrite: (m, g) => ({
    nodes: [{ op: 'Gelu', domain: SOLDER_DOMAIN, inputs: [m.value('x')], outputs: m.root.outputs, attrs: { approximate: stringAttr(g.attrValues(m.root)['approximate'] === 'tanh' ? 'tanh' : 'none') } }],
    replaces: 'root',
  }),
});

// (x · (Erf(x / √2) + 1)) · ½ -> Gelu(x)   (torch.onnx's TorchScript exporter)
export const geluErf = geluRule('activation/gelu-erf', erfPhiFirst, ERF_CHECKS, 'none');
// (x · ½) · (Erf(x / √2) + 1) -> Gelu(x)
export const geluErfHalfFirst = geluRule('activation/gelu-erf-half-first', erfHalfFirst, ERF_CHECKS, 'none');
// x · (½ · (Erf(x / √2) + 1)) -> Gelu(x)   (torch.onnx's dynamo exporter)
export const geluErfHalfInside = geluRule('activation/gelu-erf-half-inside', erfHalfInside, ERF_CHECKS, 'none');

// (x · (Tanh(√(2/π) · (x + 0.044715 · x³)) + 1)) · ½ -> Gelu(x, tanh)
export const geluTanh = geluRule('activation/gelu-tanh', tanhPhiFirst, TANH_CHECKS, 'tanh');
// (x · ½) · (Tanh(...) + 1) -> Gelu(x, tanh)   (GPT-2's NewGELU, every exporter)
export const geluTanhHalfFirst = geluRule('activation/gelu-tanh-half-first', tanhHalfFirst, TANH_CHECKS, 'tanh');
// x · (½ · (Tanh(...) + 1)) -> Gelu(x, tanh)
export const geluTanhHalfInside = geluRule('activation/gelu-tanh-half-inside', tanhHalfInside, TANH_CHECKS, 'tanh');

export const GELU_RULES: readonly Rule[] = [
  geluOp,
  geluErf, geluErfHalfFirst, geluErfHalfInside,
  geluTanh, geluTanhHalfFirst, geluTanhHalfInside,
];
