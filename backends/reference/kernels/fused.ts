// Reference kernels: the solder domain's fused ops.
export {};
