/**
 * Fills the database with realistic, varied demo cases over the last 12 weeks, for trying the
 * queue and the digest and for benchmarks (batched: 100,000 cases take minutes, not hours).
 *   npm run demo:seed -- --cases 500 [--seed 7] [--weeks 12]
 * Uses DATABASE_URL or DATA_DIR like the product. Case texts come from the project's own
 * labelled training examples (data/examples/train), never from the licensed corpus.
 */
import { parseArgs } from "node:util";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../src/classify/node-loader.ts";
import { loadConfig } from "../src/config.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { openDb } from "../src/store/db.ts";
import { syncReferenceData } from "../src/store/reference.ts";
import { seedDemoCases } from "./lib/demo-cases.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "200" },
    seed: { type: "string", default: "7" },
    weeks: { type: "string", default: "12" },
  },
});
const count = Number(values.cases);
const weeks = Number(values.weeks);
if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
  console.error("Usage: npm run demo:seed -- --cases N   (1 ≤ N ≤ 1,000,000)");
  process.exit(2);
}

const config = loadConfig();
const data = loadReferenceData();
const opened = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
await syncReferenceData(opened.db, data);

// The similar-case search's model, as the product files cases with it (src/runtime.ts).
const embedder = await loadClassifier(DEFAULT_MODEL_DIR).then(
  (c) => c.embedder,
  () => undefined,
);
const started = performance.now();
const filed = await seedDemoCases(opened.db, data, {
  count,
  ...(embedder ? { embedder } : {}),
  seed: Number(values.seed),
  weeks,
  onProgress: (n) => process.stdout.write(`\r${n}/${count}`),
});
const seconds = (performance.now() - started) / 1000;
console.log(`\rĐã tạo ${filed} hồ sơ mẫu trong ${seconds.toFixed(1)} s (${opened.kind}).`);
await opened.close();
