// Reference kernels: shape family (filled in by its op family's author).
export {};
