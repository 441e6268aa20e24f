// Op specs: shape family.
export {};
