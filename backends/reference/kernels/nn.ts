// Reference kernels: nn family (filled in by its op family's author).
export {};
