// Reference kernels: indexing family (filled in by its op family's author).
export {};
