// Every lowering family, registered on import.
import './elementwise.js';
import './unary.js';
import './linear.js';
import './nn.js';
import './shape.js';
import './index.js';
import './advanced-index.js';
import './create.js';
import './reduce.js';
import './symbolic.js';

export { findLowering, loweredTargets } from './registry.js';
