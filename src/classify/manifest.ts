/**
 * The model manifest (model/manifest.json): which files make up the model, their sha256, and the
 * classifier's calibration (temperatures chosen by cross-validation on the training examples, and
 * the abstention threshold that follows from the cost of asking vs. misrouting). Training
 * parameters and data hashes are recorded for reproducibility.
 */
export interface ModelFileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ClassifierSettings {
  topics: string[];
  kinds: string[];
  /** Softmax temperature of the topic head (fitted on out-of-fold logits). */
  temperature: number;
  /** Softmax temperature of the kind head. */
  kindTemperature: number;
  /** Abstain when the top topic's calibrated confidence is below this. */
  threshold: number;
  /** Abstain when fewer than this fraction of the syllables are known words. */
  minKnownFraction: number;
  /** Logit added to a kind when the text names it ("khiếu nại", "tố cáo"). */
  explicitKindPrior: number;
  /**
   * Weight of a long letter's focus part (the sentences raising the matter or making the request)
   * against the whole text; 0 or absent reads the whole text only. See focus.ts.
   */
  focusWeight?: number;
  /**
   * Weight of the naive Bayes evidence of the words (lexical-bayes.ts) added to the linear topic
   * head's logits; 0 or absent uses the linear head alone.
   */
  bayesWeight?: number;
  /** How the abstention threshold was chosen (set by scripts/model/calibrate.ts). */
  thresholdSource?: string;
}

export interface ModelManifest {
  name: string;
  version: string;
  files: { embedder: ModelFileEntry; head: ModelFileEntry };
  classifier: ClassifierSettings;
  training: Record<string, unknown>;
  data: Record<string, unknown>;
  crossValidation: Record<string, unknown>;
  /** The threshold's choice on realistic held-out text (scripts/model/calibrate.ts). */
  calibration?: Record<string, unknown>;
}

/** Hex sha256 with Web Crypto (Node ≥ 20 and Workers). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest("SHA-256", view as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
