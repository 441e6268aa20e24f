// Op specs: indexing family.
export {};
