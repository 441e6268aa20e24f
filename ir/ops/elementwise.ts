// Op specs: elementwise family. Each group lives in its own file; importing this one registers them all.
export * from './unary.js';
export * from './activation.js';
export * from './binary.js';
export * from './logic.js';
export * from './cast.js';
