/**
 * npm run eval — evaluates the shipped model (model/manifest.json) on the held-out examples
 * (data/examples/heldout/*.jsonl), as written and stripped of diacritics: accuracy, macro-F1,
 * per-topic precision/recall, and precision/coverage at the manifest's abstention threshold and
 * at other thresholds. Also the kind hint's accuracy. `--json` prints the figures as JSON.
 * Uses the production path (loadClassifier → classify). Exits 1 when a target is missed.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Classification } from "../../src/classify/classifier.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { stripDiacritics } from "../../src/classify/normalize.ts";
import { operatingPoint, type Scores, scores } from "./lib/metrics.ts";
import { readExampleFiles } from "./lib/pipeline.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const heldoutDir = path.resolve(root, process.env.HELDOUT_DIR ?? "data/examples/heldout");
const asJson = process.argv.includes("--json");

const classifier = await loadClassifier(process.env.VI_MODEL_DIR ?? DEFAULT_MODEL_DIR);
const settings = classifier.manifest.classifier;
const topics = settings.topics;
const kinds = settings.kinds;
const examples = (await readExampleFiles(heldoutDir)).flatMap((f) => f.examples);
if (!examples.length) {
  console.error(`Không có ví dụ kiểm tra trong ${heldoutDir}`);
  process.exit(2);
}

interface Variant {
  name: string;
  scores: Scores;
  atThreshold: { threshold: number; coverage: number; precision: number; abstained: number };
  table: { threshold: number; coverage: number; precision: number }[];
  kind: Scores | null;
}

async function evaluate(name: string, transform: (t: string) => string): Promise<Variant> {
  const results: Classification[] = [];
  for (const e of examples) results.push(await classifier.classify(transform(e.text)));
  const gold = examples.map((e) => topics.indexOf(e.topic));
  const pred = results.map((r) => topics.indexOf(r.topic));
  const conf = results.map((r) => r.confidence);
  const correct = pred.map((p, i) => p === gold[i]);
  // The classifier's own abstention (threshold or unknown words) decides coverage.
  const kept = results.map((r) => !r.abstained);
  const nKept = kept.filter(Boolean).length;
  const okKept = kept.filter((k, i) => k && correct[i]).length;
  const table = [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((t) => operatingPoint(conf, correct, t));
  const withKind = examples.map((e, i) => ({
    g: kinds.indexOf(e.kind ?? ""),
    p: kinds.indexOf(results[i]!.kind.kind),
  }));
  const kindRows = withKind.filter((k) => k.g >= 0);
  return {
    name,
    scores: scores(topics, gold, pred),
    atThreshold: {
      threshold: settings.threshold,
      coverage: nKept / results.length,
      precision: nKept ? okKept / nKept : 1,
      abstained: results.length - nKept,
    },
    table,
    kind: kindRows.length
      ? scores(
          kinds,
          kindRows.map((k) => k.g),
          kindRows.map((k) => k.p),
        )
      : null,
  };
}

const normal = await evaluate("normal", (t) => t);
const stripped = await evaluate("stripped", stripDiacritics);

const targets = {
  macroF1: normal.scores.macroF1 >= 0.9,
  precisionAmongAnswered: normal.atThreshold.precision >= 0.95,
  abstainAtMost15pc: 1 - normal.atThreshold.coverage <= 0.15,
  strippedLossAtMost5pts: normal.scores.macroF1 - stripped.scores.macroF1 <= 0.05,
};

if (asJson) {
  console.log(
    JSON.stringify({ model: classifier.id, examples: examples.length, normal, stripped, targets }, null, 2),
  );
} else {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`Model ${classifier.id} — ${examples.length} held-out examples (${heldoutDir})`);
  for (const v of [normal, stripped]) {
    console.log(`\n== ${v.name === "normal" ? "As written" : "Stripped of diacritics"} ==`);
    console.log(`accuracy ${pct(v.scores.accuracy)}   macro-F1 ${v.scores.macroF1.toFixed(4)}`);
    console.log(
      `at threshold ${v.atThreshold.threshold}: answered ${pct(v.atThreshold.coverage)} (abstained on ${v.atThreshold.abstained}), correct among answered ${pct(v.atThreshold.precision)}`,
    );
    console.log("topic                      support  precision  recall   F1");
    for (const c of v.scores.perClass) {
      console.log(
        `${c.label.padEnd(26)} ${String(c.support).padStart(7)}  ${pct(c.precision).padStart(9)}  ${pct(c.recall).padStart(6)}  ${c.f1.toFixed(3)}`,
      );
    }
    console.log("threshold  coverage  precision");
    for (const r of v.table) {
      console.log(
        `${r.threshold.toFixed(2).padStart(9)}  ${pct(r.coverage).padStart(8)}  ${pct(r.precision).padStart(9)}`,
      );
    }
    if (v.kind) {
      console.log(`kind hint: accuracy ${pct(v.kind.accuracy)}, macro-F1 ${v.kind.macroF1.toFixed(4)}`);
      for (const c of v.kind.perClass) {
        console.log(
          `  ${c.label.padEnd(10)} support ${c.support}  precision ${pct(c.precision)}  recall ${pct(c.recall)}`,
        );
      }
    }
  }
  console.log(
    `\nstripped loses ${(100 * (normal.scores.macroF1 - stripped.scores.macroF1)).toFixed(2)} macro-F1 points`,
  );
  console.log(
    `targets: ${Object.entries(targets)
      .map(([k, ok]) => `${k} ${ok ? "OK" : "MISSED"}`)
      .join(", ")}`,
  );
}
process.exit(Object.values(targets).every(Boolean) ? 0 : 1);
