// Op specs: nn family.
export {};
