// Reference kernels: the solder domain's fused ops. Each group lives in kernels/fused/; importing this registers them all.
import './fused/attention.js';
import './fused/norm.js';
import './fused/linear.js';
import './fused/rotary.js';
