// Reference kernels: elementwise family (filled in by its op family's author).
export {};
