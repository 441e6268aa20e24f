// Op specs: the solder domain's fused ops (Attention, LayerNorm, RMSNorm, ...).
export {};
