// Op specs: the neural-network compute family, one file per group.
import './matmul.js';
import './conv.js';
import './pool.js';
import './softmax.js';
import './norm.js';
import './attention.js';
import './einsum.js';
