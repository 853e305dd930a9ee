import {
  AutoModel,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  Tensor,
} from "@huggingface/transformers";
import type { Embedder } from "../embedder.js";
import {
  E5_DEFAULT_BATCH_SIZE,
  E5_DEFAULT_MAX_LENGTH,
  E5_MODEL_ID,
  E5_QUERY_PREFIX,
  E5_WEIGHTS_FILE,
  E5_WEIGHTS_SHA256,
} from "./constants.js";
import { meanPoolNormalize } from "./pooling.js";
import { checkWeights, downloadMissingFiles, E5Error, mismatchError, modelFolder } from "./weights.js";

export interface E5Config {
  /** MODEL_DIR: holds `<modelId>/{config.json,tokenizer*.json,special_tokens_map.json,onnx/model_quantized.onnx}`. */
  modelDir: string;
  /** Default `Xenova/multilingual-e5-small`. */
  modelId?: string;
  /** sha256 the weights file must have; default the published e5 q8 weights. */
  expectedSha256?: string;
  /**
   * Deployer opt-in: when files of the model folder are missing, download them once from the
   * hub (pinned revision, each file hash-checked before it is moved into MODEL_DIR). Default false:
   * nothing is ever fetched.
   */
  allowDownload?: boolean;
  /** Hub revision for downloads; default the revision the expected hashes come from. */
  revision?: string;
  /** Hub host for downloads; default https://huggingface.co. */
  hubHost?: string;
  /** fetch used for downloads (tests inject one). */
  fetch?: typeof fetch;
  /** sha256 of the non-weights files, checked on download; default the published e5 files. */
  supportFiles?: Readonly<Record<string, string>>;
  /** Texts per forward pass; default 16. */
  batchSize?: number;
  /** Max tokens per text, longer texts are truncated; default 512 (e5's limit). */
  maxLength?: number;
  /** Prefix added to every text; default "query: " (e5's symmetric-task prefix). */
  prefix?: string;
  /** onnxruntime intra-op threads; default: onnxruntime's choice. */
  numThreads?: number;
}

/**
 * transformers.js keeps its settings in one global `env`; loads that change it are run one at a
 * time so two embedders with different MODEL_DIRs cannot see each other's settings.
 */
let envQueue: Promise<unknown> = Promise.resolve();
function withLocalOnlyEnv<T>(modelDir: string, fn: () => Promise<T>): Promise<T> {
  const run = envQueue.then(() => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false; // transformers.js itself never downloads; see allowDownload
    env.localModelPath = modelDir;
    // The file cache is looked up BEFORE the local folder: a stale file in transformers' default
    // cache (inside node_modules) would be loaded instead of the verified one. Turn it off.
    env.useFSCache = false;
    env.useBrowserCache = false;
    return fn();
  });
  envQueue = run.catch(() => {});
  return run;
}

/**
 * Tokenises with special tokens and pads to the longest text. Texts over `maxLength` tokens keep
 * their first `maxLength - 1` tokens plus the closing `</s>`, as the Python tokenizer used to train
 * e5 does (transformers.js' own truncation cuts `</s>` off).
 */
export function encodeBatch(
  tokenizer: PreTrainedTokenizer,
  texts: readonly string[],
  maxLength: number,
): { input_ids: Tensor; attention_mask: Tensor } {
  const rows = texts.map((t) => {
    const ids = tokenizer.encode(t);
    return ids.length > maxLength ? [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!] : ids;
  });
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * seq).fill(BigInt(tokenizer.pad_token_id ?? 0));
  const mask = new BigInt64Array(rows.length * seq);
  rows.forEach((r, b) => {
    r.forEach((id, s) => {
      ids[b * seq + s] = BigInt(id);
      mask[b * seq + s] = 1n;
    });
  });
  return {
    input_ids: new Tensor("int64", ids, [rows.length, seq]),
    attention_mask: new Tensor("int64", mask, [rows.length, seq]),
  };
}

/** `Embedder` over multilingual-e5-small (or any model with its interface) through transformers.js. */
export class E5Embedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  /** sha256 of the weights that were verified and loaded. */
  readonly weightsSha256: string;
  readonly batchSize: number;
  readonly maxLength: number;
  readonly prefix: string;
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly model: PreTrainedModel;

  private constructor(args: {
    tokenizer: PreTrainedTokenizer;
    model: PreTrainedModel;
    dim: number;
    weightsSha256: string;
    batchSize: number;
    maxLength: number;
    prefix: string;
  }) {
    this.tokenizer = args.tokenizer;
    this.model = args.model;
    this.dim = args.dim;
    this.weightsSha256 = args.weightsSha256;
    this.batchSize = args.batchSize;
    this.maxLength = args.maxLength;
    this.prefix = args.prefix;
    this.id = `e5-small@${args.weightsSha256.slice(0, 8)}`;
  }

  /**
   * Verifies the weights' sha256 and loads tokenizer and model from MODEL_DIR, offline.
   * Throws {@link E5Error}: "absent" (no weights and no download allowed), "mismatch" (wrong
   * sha256: the file is never loaded), "download-failed", "load-failed".
   */
  static async load(config: E5Config): Promise<E5Embedder> {
    const modelId = config.modelId ?? E5_MODEL_ID;
    const expected = (config.expectedSha256 ?? E5_WEIGHTS_SHA256).toLowerCase();
    const batchSize = config.batchSize ?? E5_DEFAULT_BATCH_SIZE;
    const maxLength = config.maxLength ?? E5_DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be >= 1, got ${batchSize}`);
    if (!Number.isInteger(maxLength) || maxLength < 3)
      throw new Error(`maxLength must be >= 3, got ${maxLength}`);
    if (!/^[0-9a-f]{64}$/.test(expected)) throw new Error(`expectedSha256 is not a sha256 hex digest`);

    const weightsPath = `${modelFolder(config.modelDir, modelId)}/${E5_WEIGHTS_FILE}`;
    if (config.allowDownload) {
      await downloadMissingFiles({
        modelDir: config.modelDir,
        modelId,
        expectedSha256: expected,
        ...(config.revision !== undefined && { revision: config.revision }),
        ...(config.supportFiles !== undefined && { supportFiles: config.supportFiles }),
        ...(config.hubHost !== undefined && { hubHost: config.hubHost }),
        ...(config.fetch !== undefined && { fetch: config.fetch }),
      });
    }
    const status = await checkWeights(weightsPath, expected);
    if (status.state === "absent") {
      throw new E5Error(
        "absent",
        `e5 weights not found at ${weightsPath} (downloads ${config.allowDownload ? "allowed but nothing fetched" : "not allowed"})`,
      );
    }
    if (status.state === "mismatch") throw mismatchError(status);

    const { tokenizer, model } = await withLocalOnlyEnv(config.modelDir, async () => {
      // cache_dir only scopes transformers' internal memoisation to this MODEL_DIR (the FS cache is off).
      const common = { local_files_only: true, cache_dir: config.modelDir } as const;
      try {
        const tokenizer = await AutoTokenizer.from_pretrained(modelId, common);
        const model = await AutoModel.from_pretrained(modelId, {
          ...common,
          dtype: "q8", // -> onnx/model_quantized.onnx, the file verified above
          device: "cpu",
          use_external_data_format: false,
          ...(config.numThreads !== undefined && {
            session_options: { intraOpNumThreads: config.numThreads, interOpNumThreads: 1 },
          }),
        });
        return { tokenizer, model };
      } catch (err) {
        throw new E5Error(
          "load-failed",
          `e5 model in ${config.modelDir} could not be loaded: ${String(err)}`,
          {
            cause: err,
          },
        );
      }
    });

    // One forward pass fixes the vector size and fails early if the graph is not e5-shaped.
    const probe = await E5Embedder.forward(
      tokenizer,
      model,
      ["probe"],
      config.prefix ?? E5_QUERY_PREFIX,
      maxLength,
    );
    const dim = probe.dim;
    return new E5Embedder({
      tokenizer,
      model,
      dim,
      weightsSha256: status.sha256,
      batchSize,
      maxLength,
      prefix: config.prefix ?? E5_QUERY_PREFIX,
    });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array(texts.length);
    const pending: number[] = [];
    texts.forEach((t, i) => {
      if (t.trim() === "") out[i] = new Float32Array(this.dim);
      else pending.push(i);
    });
    // Similar lengths share a batch (less padding); results go back to their input positions.
    pending.sort((a, b) => texts[a]!.length - texts[b]!.length || a - b);
    for (let start = 0; start < pending.length; start += this.batchSize) {
      const idx = pending.slice(start, start + this.batchSize);
      const { vectors, dim } = await E5Embedder.forward(
        this.tokenizer,
        this.model,
        idx.map((i) => texts[i]!),
        this.prefix,
        this.maxLength,
      );
      if (dim !== this.dim) throw new Error(`e5 returned ${dim}-d vectors, expected ${this.dim}`);
      idx.forEach((i, k) => {
        out[i] = vectors[k]!;
      });
    }
    return out;
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }

  private static async forward(
    tokenizer: PreTrainedTokenizer,
    model: PreTrainedModel,
    texts: string[],
    prefix: string,
    maxLength: number,
  ): Promise<{ vectors: Float32Array[]; dim: number }> {
    const enc = encodeBatch(
      tokenizer,
      texts.map((t) => prefix + t),
      maxLength,
    );
    const output = (await model({ input_ids: enc.input_ids, attention_mask: enc.attention_mask })) as {
      last_hidden_state?: Tensor;
    };
    const hidden = output.last_hidden_state;
    if (hidden?.dims.length !== 3) {
      throw new E5Error("load-failed", "e5 model did not return a [batch, seq, dim] last_hidden_state");
    }
    const [batch, seq, dim] = hidden.dims as [number, number, number];
    if (batch !== texts.length || seq !== enc.attention_mask.dims[1]) {
      throw new Error(
        `e5 output shape [${hidden.dims}] does not match the input [${enc.attention_mask.dims}]`,
      );
    }
    const vectors = meanPoolNormalize(
      hidden.data as Float32Array,
      enc.attention_mask.data as BigInt64Array,
      batch,
      seq,
      dim,
    );
    return { vectors, dim };
  }
}
