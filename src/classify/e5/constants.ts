/** Hub id of the production e5 model; also its folder under MODEL_DIR (`<MODEL_DIR>/Xenova/multilingual-e5-small/`). */
export const E5_MODEL_ID = "Xenova/multilingual-e5-small";

/** Weights file, relative to the model folder (transformers.js dtype "q8" resolves to this name). */
export const E5_WEIGHTS_FILE = "onnx/model_quantized.onnx";

/** sha256 of `onnx/model_quantized.onnx` at {@link E5_REVISION} (118,308,185 bytes). */
export const E5_WEIGHTS_SHA256 = "f80102d3f2a1229f387d3c81909990d8945513e347b0eab049f7de3c6f98c193";

/** Hub revision the expected hashes belong to; downloads are pinned to it. */
export const E5_REVISION = "761b726dd34fb83930e26aab4e9ac3899aa1fa78";

/**
 * The rest of the model folder at {@link E5_REVISION} with their sha256
 * (see ../shared/models/README.md). Needed next to the weights; checked when downloaded.
 */
export const E5_SUPPORT_FILES: Readonly<Record<string, string>> = Object.freeze({
  "config.json": "cb99455288675345e1a4f411438d5d0adbba5fbd3a67ea4fb03c015433b996c1",
  "tokenizer.json": "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
  "tokenizer_config.json": "a1d6bc8734a6f635dc158508bef000f8e2e5a759c7d92f984b2c86e5ff53425b",
  "special_tokens_map.json": "d05497f1da52c5e09554c0cd874037a083e1dc1b9cfd48034d1c717f1afc07a7",
});

/** e5 expects this prefix on every input for symmetric tasks such as classification. */
export const E5_QUERY_PREFIX = "query: ";

export const E5_DEFAULT_BATCH_SIZE = 16;
export const E5_DEFAULT_MAX_LENGTH = 512;
export const HF_HUB_HOST = "https://huggingface.co";
