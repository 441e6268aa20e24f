// What every fixture must fuse into, by architecture: facts about the models in
// ../shared/models (see its README), stated per layer count.

export interface FusionExpectation {
  readonly layers: number;
  /** LayerNorm + SkipLayerNorm nodes after fusion. */
  readonly layerNorms: number;
  /** RMSNorm + SkipRMSNorm nodes after fusion. */
  readonly rmsNorms: number;
  /** GELU/SiLU activations: fused Gelu nodes, Linear epilogues and GatedMLPs together. */
  readonly activations: number;
  /** RotaryEmbedding nodes (q and k of each layer). */
  readonly rotary: number;
  /**
   * What every Attention's mask is recognised as: none (vit's mask keeps every key), a
   * [batch, 1, 1, kv] keep-mask from attention_mask ('padding'), or that and causal=1.
   */
  readonly mask: MaskExpectation;
  /**
   * fully_masked_rows of every Attention of the torch.export sdpa archive (NAME.sdpa.pt2): its
   * sdpa becomes ONNX's Attention, which gives 0 where a bool keep-mask drops a whole row
   * ('zero'); t5enc's mask carries its float position bias, vit's keeps every key ('nan').
   */
  readonly sdpaArchiveRows: 'nan' | 'zero';
}

export type MaskExpectation = 'none' | 'padding' | 'causal+padding';
export type FullyMaskedRows = 'nan' | 'average' | 'zero';

function encoder(layers: number, activations: boolean, mask: MaskExpectation, sdpaArchiveRows: 'nan' | 'zero' = 'zero'): FusionExpectation {
  return { layers, layerNorms: 2 * layers + 1, rmsNorms: 0, activations: activations ? layers : 0, rotary: 0, mask, sdpaArchiveRows };
}

function rmsDecoder(layers: number, rotary: boolean, activations: boolean, mask: MaskExpectation, sdpaArchiveRows: 'nan' | 'zero' = 'zero'): FusionExpectation {
  return { layers, layerNorms: 0, rmsNorms: 2 * layers + 1, activations: activations ? layers : 0, rotary: rotary ? 2 * layers : 0, mask, sdpaArchiveRows };
}

const BY_ARCHITECTURE: Readonly<Record<string, FusionExpectation>> = {
  // post-LN: the embedding LayerNorm and two per layer.
  bert: encoder(2, true, 'padding'),
  bert_deep: encoder(24, true, 'padding'),
  // pre-LN: two per layer and the final one.
  gpt2: encoder(2, true, 'causal+padding'),
  vit: encoder(2, true, 'none', 'nan'),
  llama: rmsDecoder(2, true, true, 'causal+padding'),
  llama_deep: rmsDecoder(32, true, true, 'causal+padding'),
  // T5's MLP is ReLU, and it has no rotary embedding; its padding mask carries the position bias.
  t5enc: rmsDecoder(2, false, false, 'padding', 'nan'),
};

/** The expectation for a model file, by its architecture prefix (`llama_deep.eager.onnx` -> llama_deep). */
export function expectationFor(file: string): FusionExpectation | undefined {
  const base = file.split('/').pop()?.split('.')[0] ?? '';
  return BY_ARCHITECTURE[base];
}

/**
 * What every Attention of a model file gives a fully masked row: 'zero' in the sdpa archives
 * (see sdpaArchiveRows), 'average' for the other exports of the decoders (HF's finfo.min
 * masks), NaN (eager softmax) otherwise.
 */
export function fullyMaskedRowsFor(file: string): FullyMaskedRows | undefined {
  const want = expectationFor(file);
  if (want === undefined) return undefined;
  if (file.endsWith('.sdpa.pt2')) return want.sdpaArchiveRows;
  return want.mask === 'causal+padding' ? 'average' : 'nan';
}
