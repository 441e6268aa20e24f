// Op specs: elementwise family.
export {};
