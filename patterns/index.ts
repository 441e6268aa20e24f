// The rewrite-rule language and its driver. Rules are data: see rule.ts and pattern.ts.
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
