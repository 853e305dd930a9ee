/**
 * npm run model:train — trains the vi-static embedder and the classifier heads, writes
 * model/<files> and model/manifest.json.
 *
 * Environment:
 *   CORPUS_DIR       corpus shards (default ../shared/corpus/vi, relative to the repository)
 *   CORPUS_FRACTION  keep this fraction of the corpus documents, 0 < f ≤ 1 (default 1)
 *   CORPUS_GROUPS    comma-separated shard name prefixes to use (default: all)
 *   VI_MODEL_DIR     output folder (default model/; MODEL_DIR names the e5 weights folder)
 * Flags:
 *   --reuse-embedder keep the embedder named in the current manifest; retrain the heads only
 *   --with-corrections [file]  also train on the corrections exported by `npm run corrections:export`
 *                    (default data/examples/corrections.jsonl)
 * Afterwards run `npm run model:calibrate` to set the abstention threshold on realistic held-out text.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelManifest } from "../../src/classify/manifest.ts";
import { trainModel } from "./lib/pipeline.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpusDir = path.resolve(root, process.env.CORPUS_DIR ?? "../shared/corpus/vi");
const modelDir = path.resolve(root, process.env.VI_MODEL_DIR ?? "model");
const fraction = Number(process.env.CORPUS_FRACTION ?? "1");
if (!(fraction > 0 && fraction <= 1)) throw new Error("CORPUS_FRACTION must be in (0, 1]");
const groups = process.env.CORPUS_GROUPS?.split(",")
  .map((g) => g.trim())
  .filter(Boolean);

const argv = process.argv.slice(2);
const withCorrections = argv.indexOf("--with-corrections");
const correctionsFile =
  withCorrections < 0
    ? undefined
    : path.resolve(
        root,
        argv[withCorrections + 1] && !argv[withCorrections + 1]!.startsWith("--")
          ? argv[withCorrections + 1]!
          : "data/examples/corrections.jsonl",
      );

const started = performance.now();
const log = (m: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${m}`);

let embedderBytes: Uint8Array | undefined;
if (process.argv.includes("--reuse-embedder")) {
  const current = JSON.parse(await readFile(path.join(modelDir, "manifest.json"), "utf8")) as ModelManifest;
  embedderBytes = new Uint8Array(await readFile(path.join(modelDir, current.files.embedder.path)));
  log(`reusing ${current.files.embedder.path}`);
}

const model = await trainModel({
  corpus: { dir: corpusDir, fraction, ...(groups?.length ? { groups } : {}) },
  examplesDir: path.join(root, "data/examples/train"),
  topicsFile: path.join(root, "data/topics.json"),
  ...(embedderBytes ? { embedderBytes } : {}),
  ...(correctionsFile ? { correctionsFile } : {}),
  log,
});
if (embedderBytes) {
  // Keep the corpus description of the reused embedder.
  const current = JSON.parse(await readFile(path.join(modelDir, "manifest.json"), "utf8")) as ModelManifest;
  model.manifest.data.corpus = current.data.corpus;
  model.manifest.training.embeddingStats = current.training.embeddingStats;
}
await mkdir(modelDir, { recursive: true });
await writeFile(path.join(modelDir, model.files.embedder), model.embedder);
await writeFile(path.join(modelDir, model.files.head), model.head);
await writeFile(path.join(modelDir, "manifest.json"), `${JSON.stringify(model.manifest, null, 2)}\n`);
const cv = model.manifest.crossValidation as { topic: Record<string, unknown> };
log(
  `wrote ${model.files.embedder} (${model.embedder.byteLength} bytes), ${model.files.head} (${model.head.byteLength} bytes), manifest.json`,
);
log(`cross-validation (train only): ${JSON.stringify(cv.topic)}`);
log("next: npm run model:calibrate (abstention threshold on the realistic held-out set)");
log(`training time ${((performance.now() - started) / 1000).toFixed(1)} s`);
