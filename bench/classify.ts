/**
 * npm run bench:classify — model load time, per-message classification latency (p50/p99),
 * throughput on one core, and resident memory with the model loaded.
 * Messages: both held-out sets when present, else the training examples, else built-in ones.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readExampleFiles } from "../scripts/model/lib/pipeline.ts";
import { createClassifier } from "../src/classify/classifier.ts";
import { DEFAULT_MODEL_DIR, loadArtifact } from "../src/classify/node-loader.ts";
import { stripDiacritics } from "../src/classify/normalize.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modelDir = process.env.VI_MODEL_DIR ?? DEFAULT_MODEL_DIR;
const iterations = Number(process.env.BENCH_ITERATIONS ?? "5000");

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const rssBefore = process.memoryUsage().rss;

let t = performance.now();
const artifact = await loadArtifact(modelDir);
const readMs = performance.now() - t;
t = performance.now();
const classifier = createClassifier(artifact);
const buildMs = performance.now() - t;

let texts: string[] = [];
// Both held-out sets (citizen messages and the longer published petitions), else the training set.
for (const dirs of [["data/examples/heldout", "data/examples/heldout-real"], ["data/examples/train"]]) {
  for (const dir of dirs) {
    texts.push(
      ...(await readExampleFiles(path.join(root, dir))).flatMap((f) => f.examples.map((e) => e.text)),
    );
  }
  if (texts.length) break;
}
if (!texts.length) {
  texts = [
    "Nhà tôi bị thu hồi đất nhưng chưa được bồi thường thỏa đáng, đề nghị ủy ban xem xét.",
    "duong vao thon bi hu hong nang, troi mua ko di dc, mong xa sua som",
    "Tôi tố cáo cán bộ địa chính xã nhận tiền của dân mới làm hồ sơ cấp sổ đỏ.",
  ];
}
texts = [...texts, ...texts.map(stripDiacritics)];
const meanChars = texts.reduce((s, x) => s + x.length, 0) / texts.length;

// Warm-up (JIT), then timed runs.
for (let i = 0; i < Math.min(500, iterations); i++) classifier.classifySync(texts[i % texts.length]!);
const lat = new Float64Array(iterations);
const start = performance.now();
for (let i = 0; i < iterations; i++) {
  const t0 = performance.now();
  classifier.classifySync(texts[i % texts.length]!);
  lat[i] = performance.now() - t0;
}
const total = performance.now() - start;
lat.sort();
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
if (globalThis.gc) globalThis.gc();
const rss = process.memoryUsage().rss;

const sizes = classifier.manifest.files;
console.log(
  `model ${classifier.id}: ${sizes.embedder.path} ${mb(sizes.embedder.bytes)} + ${sizes.head.path} ${mb(sizes.head.bytes)}`,
);
console.log(
  `load: read + sha256 ${readMs.toFixed(1)} ms, build ${buildMs.toFixed(1)} ms, total ${(readMs + buildMs).toFixed(1)} ms`,
);
console.log(
  `messages: ${texts.length} distinct (half stripped of diacritics), mean ${meanChars.toFixed(0)} characters`,
);
console.log(
  `latency per message: p50 ${(q(0.5) * 1000).toFixed(0)} µs, p99 ${(q(0.99) * 1000).toFixed(0)} µs, max ${(lat[lat.length - 1]! * 1000).toFixed(0)} µs`,
);
console.log(
  `throughput (one core): ${Math.round((iterations / total) * 1000)} messages/s over ${iterations} messages`,
);
console.log(`memory: RSS ${mb(rss)} with the model loaded (${mb(rssBefore)} before loading)`);
