// The rewrite-rule language and its driver. A rule is data:
//
//   // Softmax(MatMul(q, kT) * s + mask) @ v -> Attention(q, k, v, mask, scale=s)
//   export const sdpaEager = rule({
//     name: 'attention/eager-matmul-softmax',
//     root: 'MatMul',
//     pattern: op('MatMul', op('Softmax', op('Add', op('Mul', ..., constant('scale')), capture('mask')), { axis: P.union(-1, 3) }), capture('v')),
//     checks: [rankIs('q', 4), scalarNear('scale-is-1/sqrt(head_dim)', 'scale', (m, g) => ...)],
//     rewrite: (m, ctx) => ({ nodes: [{ op: 'Attention', domain: SOLDER_DOMAIN, ... }], replaces: 'root' }) | decline('why'),
//   });
//
//   const { graph, trace } = applyRules(graph, [sdpaEager, ...]);   // to a fixed point, with provenance
//   explainRule(graph, sdpaEager, { node: 'MatMul_9' });            // why it did not fire there
//
// The matcher tries both operand orders of commutative ops; interior nodes read outside
// the match make it decline unless the rule says sharedIntermediates: 'keep'. Checks and
// rewrites must only look at the match and its neighbourhood (types, consumers), never
// mutate anything: explain runs them too. patterns/examples/ holds the rules that prove the
// engine; the rule library lives in attention/, norm/, activation/, linear/, canonical/.
export { absent, any, capture, constant, maybe, node, oneOf, op, opIn, opt, output } from './pattern.js';
export type { AttrPattern, OpPattern, Pattern } from './pattern.js';
export { check, decline, rule, Match } from './rule.js';
export type { Check, CheckOutcome, Decline, NewNode, Replacement, RewriteContext, Rule, RuleDefinition, SharedIntermediates } from './rule.js';
export { dimOf, dimsEqual, floatDType, isScalar, rankIs, sameDType, scalarNear, singleUse } from './checks.js';
export { applyRules, indexRules } from './driver.js';
export type { ApplyOptions, ApplyResult } from './driver.js';
export { explainRule } from './explain.js';
export type { ExplainOptions, Explanation } from './explain.js';
export { formatTrace, ruleCounts } from './trace.js';
export type { RewriteTrace, TraceEntry } from './trace.js';
export { COMMUTATIVE } from './match.js';
export type { GraphView } from './working-graph.js';
