// Reference kernels: elementwise family. Each group lives in its own file; importing this one registers them all.
import './unary.js';
import './cast.js';
import './binary.js';
import './logic.js';
