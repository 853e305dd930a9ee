export {
  E5_DEFAULT_BATCH_SIZE,
  E5_DEFAULT_MAX_LENGTH,
  E5_MODEL_ID,
  E5_QUERY_PREFIX,
  E5_REVISION,
  E5_SUPPORT_FILES,
  E5_WEIGHTS_FILE,
  E5_WEIGHTS_SHA256,
} from "./constants.js";
export { type E5Config, E5Embedder } from "./e5-embedder.js";
export { meanPoolNormalize } from "./pooling.js";
export {
  checkWeights,
  downloadMissingFiles,
  E5Error,
  type E5ErrorCode,
  modelFolder,
  sha256File,
  type WeightsStatus,
} from "./weights.js";
