// Every op spec, registered on import.
import './elementwise.js';
import './reduce.js';
import './shape.js';
import './indexing.js';
import './nn.js';
import './fused.js';
import './collective.js';

export { allOps, findOp, opOf, readAttrs, defineOp } from './spec.js';
export type { OpSpec, InferContext } from './spec.js';
