import { E5_WEIGHTS_FILE } from "./e5/constants.js";
// Type-only: @huggingface/transformers (~160 MB resident with onnxruntime) is imported only when
// MODEL_DIR is set, so a server on the own model does not carry it.
import type { E5Config, E5Embedder } from "./e5/e5-embedder.js";
import { E5Error, modelFolder } from "./e5/weights.js";
import type { Embedder } from "./embedder.js";

export interface EmbedderSelectConfig extends Omit<E5Config, "modelDir"> {
  /** MODEL_DIR; when unset, e5 is not tried. */
  modelDir?: string | undefined;
}

export type EmbedderChoice =
  | { kind: "e5"; embedder: E5Embedder }
  | { kind: "fallback"; embedder: Embedder; reason: string };

/** Loads the project's own model; injected so this module does not depend on it. */
export type FallbackLoader = () => Embedder | Promise<Embedder>;

/**
 * e5 when its weights are in MODEL_DIR (or may be downloaded) and pass the sha256 check,
 * otherwise `null` ("absent"). Weights that are present but fail the check, or a verified model
 * that cannot be loaded, throw an {@link E5Error}: those are deployment faults to fix, not a
 * reason to quietly run on another model.
 */
export async function loadE5IfPresent(
  config: EmbedderSelectConfig,
): Promise<{ embedder: E5Embedder } | { embedder: null; reason: string }> {
  if (!config.modelDir) return { embedder: null, reason: "MODEL_DIR is not set" };
  try {
    const { E5Embedder } = await import("./e5/e5-embedder.js");
    return { embedder: await E5Embedder.load({ ...config, modelDir: config.modelDir }) };
  } catch (err) {
    if (err instanceof E5Error && (err.code === "absent" || err.code === "download-failed")) {
      return { embedder: null, reason: err.message };
    }
    throw err;
  }
}

/**
 * Picks the embedding model: e5 if available and verified, else the fallback (the project's own
 * Vietnamese model). The fallback is only loaded when e5 is not used.
 */
export async function loadEmbedder(
  config: EmbedderSelectConfig,
  loadFallback: FallbackLoader,
): Promise<EmbedderChoice> {
  const e5 = await loadE5IfPresent(config);
  if (e5.embedder) return { kind: "e5", embedder: e5.embedder };
  return { kind: "fallback", embedder: await loadFallback(), reason: e5.reason };
}

/** Where the e5 weights are expected under a MODEL_DIR. */
export function e5WeightsPath(modelDir: string): string {
  return `${modelFolder(modelDir)}/${E5_WEIGHTS_FILE}`;
}

/**
 * Reads the e5 settings from the environment: MODEL_DIR, E5_ALLOW_DOWNLOAD ("1"/"true"),
 * E5_BATCH_SIZE, E5_THREADS.
 */
export function embedderConfigFromEnv(vars: NodeJS.ProcessEnv = process.env): EmbedderSelectConfig {
  const int = (name: string): number | undefined => {
    const raw = vars[name];
    if (raw === undefined || raw === "") return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  const batchSize = int("E5_BATCH_SIZE");
  const numThreads = int("E5_THREADS");
  return {
    modelDir: vars.MODEL_DIR || undefined,
    allowDownload: /^(1|true|yes)$/i.test(vars.E5_ALLOW_DOWNLOAD ?? ""),
    ...(batchSize !== undefined && { batchSize }),
    ...(numThreads !== undefined && { numThreads }),
  };
}
