// Op specs: the solder domain's fused ops. Each group lives in ir/ops/fused/; importing this registers them all.
export * from './fused/attention.js';
export * from './fused/norm.js';
export * from './fused/linear.js';
export * from './fused/rotary.js';
