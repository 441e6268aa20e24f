// solder's library API: everything the CLI does, as typed functions.
export { load, save, type SaveOptions } from './api/load.js';
export {
  run, readRecordedIO, compareOutputs, compareTensors, DEFAULT_TOLERANCE,
  type RecordedIO, type Tolerance, type OutputComparison,
} from './api/run.js';
export { inspect, type Inspection } from './api/inspect.js';
export { SolderError } from './ir/errors.js';
export type { Graph, Node, ValueInfo, Initializer } from './ir/graph.js';
export type { Tensor } from './ir/tensor.js';
export type { DType } from './ir/dtype.js';
export { printGraph } from './ir/print.js';
export { verify } from './ir/verify.js';
export { optimize, FUSED_OPS, type OptimizeOptions, type OptimizeReport, type OptimizeResult } from './passes/optimize.js';
export { canonicalize } from './passes/pipeline.js';
export { BUILTIN_RULES } from './patterns/library.js';
export * as patterns from './patterns/index.js';
export { checkGraphs } from './debugger/check.js';
export { diffGraphs } from './debugger/diff.js';
