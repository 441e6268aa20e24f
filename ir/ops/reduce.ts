// Op specs: reduce family.
export {};
