/**
 * An embedding model: turns texts into fixed-size, L2-normalised vectors.
 * Two implementations exist: the project's own Vietnamese static model (default, plain
 * TypeScript, runs on Workers too) and e5 through transformers.js (when its weights are present).
 */
export interface Embedder {
  /** Stable identifier of the model and its version, e.g. "vi-static@1" or "e5-small". */
  readonly id: string;
  /** Vector dimension. */
  readonly dim: number;
  /** Embeds a batch of texts; each result has length `dim` and unit L2 norm (or all zeros for empty text). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
