// Reference kernels: reduce family (filled in by its op family's author).
export {};
