/**
 * npm run eval — evaluates the shipped model (model/manifest.json) on two held-out sets, each as
 * written and stripped of diacritics: the project's own examples (data/examples/heldout, citizen
 * messages to the bot) and the realistic set (data/examples/heldout-real, petitions in the genres
 * portals and newspapers publish) and the published set (data/examples/heldout-published, petitions
 * as state bodies published them, verbatim; `published-blind` was gathered after the last training). Accuracy, macro-F1, per-topic precision/recall, precision and
 * coverage at the manifest's abstention threshold and at other thresholds; the kind hint.
 * `--json` prints the figures as JSON. HELDOUT_DIR evaluates one other folder instead.
 * Uses the production path (loadClassifier → classify). Exits 1 when a target is missed.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Classification } from "../../src/classify/classifier.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { stripDiacritics } from "../../src/classify/normalize.ts";
import type { Example } from "./lib/head-train.ts";
import { operatingPoint, type Scores, scores } from "./lib/metrics.ts";
import { readExampleFiles } from "./lib/pipeline.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sets: { name: string; dir: string }[] = process.env.HELDOUT_DIR
  ? [{ name: "custom", dir: path.resolve(root, process.env.HELDOUT_DIR) }]
  : [
      { name: "own", dir: path.resolve(root, "data/examples/heldout") },
      { name: "realistic", dir: path.resolve(root, "data/examples/heldout-real") },
      { name: "published", dir: path.resolve(root, "data/examples/heldout-published") },
      // Gathered after the last change to training data or threshold: the blind one; goals apply here.
      { name: "published-blind", dir: path.resolve(root, "data/examples/heldout-published-blind") },
    ];
const asJson = process.argv.includes("--json");

const classifier = await loadClassifier(process.env.VI_MODEL_DIR ?? DEFAULT_MODEL_DIR);
const settings = classifier.manifest.classifier;
const topics = settings.topics;
const kinds = settings.kinds;

interface Variant {
  name: string;
  scores: Scores;
  atThreshold: { threshold: number; coverage: number; precision: number; abstained: number };
  table: { threshold: number; coverage: number; precision: number }[];
  kind: Scores | null;
}

async function evaluate(
  examples: readonly Example[],
  name: string,
  transform: (t: string) => string,
): Promise<Variant> {
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

interface SetResult {
  name: string;
  dir: string;
  examples: number;
  normal: Variant;
  stripped: Variant;
}

const results: SetResult[] = [];
for (const set of sets) {
  const examples = (await readExampleFiles(set.dir)).flatMap((f) => f.examples);
  if (!examples.length) {
    console.error(`Không có ví dụ kiểm tra trong ${set.dir}`);
    process.exit(2);
  }
  results.push({
    ...set,
    examples: examples.length,
    normal: await evaluate(examples, "normal", (t) => t),
    stripped: await evaluate(examples, "stripped", stripDiacritics),
  });
}

// The issue's goals are set on realistic text (the last set); the own set keeps its earlier bar.
const goal = results[results.length - 1]!;
const targets = {
  macroF1AtLeast85: goal.normal.scores.macroF1 >= 0.85,
  precisionAmongAnsweredAtLeast95: goal.normal.atThreshold.precision >= 0.95,
  abstainAtMost25pc: 1 - goal.normal.atThreshold.coverage <= 0.25,
  strippedLossAtMost3pts: goal.normal.scores.macroF1 - goal.stripped.scores.macroF1 <= 0.03,
};

if (asJson) {
  console.log(
    JSON.stringify({ model: classifier.id, sets: results, targets, targetsOn: goal.name }, null, 2),
  );
} else {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`Model ${classifier.id}`);
  for (const r of results) {
    console.log(`\n######## ${r.name} held-out set — ${r.examples} examples (${path.relative(root, r.dir)})`);
    for (const v of [r.normal, r.stripped]) {
      console.log(`\n== ${r.name}: ${v.name === "normal" ? "as written" : "stripped of diacritics"} ==`);
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
      for (const t of v.table) {
        console.log(
          `${t.threshold.toFixed(2).padStart(9)}  ${pct(t.coverage).padStart(8)}  ${pct(t.precision).padStart(9)}`,
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
  }
  console.log("\n######## summary (macro-F1 / answered / correct among answered)");
  for (const r of results) {
    for (const v of [r.normal, r.stripped]) {
      console.log(
        `${r.name.padEnd(10)} ${(v.name === "normal" ? "as written" : "stripped").padEnd(11)} ${v.scores.macroF1.toFixed(4)}  ${pct(v.atThreshold.coverage).padStart(6)}  ${pct(v.atThreshold.precision).padStart(6)}`,
      );
    }
    console.log(
      `${r.name.padEnd(10)} stripped loses ${(100 * (r.normal.scores.macroF1 - r.stripped.scores.macroF1)).toFixed(2)} macro-F1 points`,
    );
  }
  console.log(
    `targets (on the ${goal.name} set): ${Object.entries(targets)
      .map(([k, ok]) => `${k} ${ok ? "OK" : "MISSED"}`)
      .join(", ")}`,
  );
}
process.exit(Object.values(targets).every(Boolean) ? 0 : 1);
