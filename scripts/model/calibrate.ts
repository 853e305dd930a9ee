/**
 * npm run model:calibrate — sets the abstention threshold of the shipped model on held-out text.
 *
 * Cross-validation on the training examples says little about how sure the classifier should be
 * on what portals and newspapers publish, so the threshold is chosen on held-out text: the
 * realistic set (data/examples/heldout-real, the published genres) and the own set
 * (data/examples/heldout, messages typed to the bot), each text as written and stripped of
 * diacritics. For each set, the lowest threshold from which at least `--target` (default 0.95)
 * of the answered texts are right; the model gets the highest of these, so that "answered" means
 * that often right on every kind of text it will see. Because the sets that pick the threshold
 * also score it, those figures are optimistic; an honest estimate by 2-fold cross-fitting (pick
 * on one half, measure on the other, halves stratified by topic) is recorded next to them in
 * model/manifest.json. `--dry-run` prints without writing; `--dir a,b` names other sets.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ModelManifest } from "../../src/classify/manifest.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { stripDiacritics } from "../../src/classify/normalize.ts";
import { chooseThreshold, crossFit, type Scored } from "./lib/calibration.ts";
import { readExampleFiles } from "./lib/pipeline.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({
  options: {
    target: { type: "string", default: "0.95" },
    dir: { type: "string", default: "data/examples/heldout-real,data/examples/heldout" },
    "dry-run": { type: "boolean", default: false },
  },
});
const target = Number(values.target);
if (!(target > 0 && target < 1)) throw new Error("--target must be in (0, 1)");
const dirs = values
  .dir!.split(",")
  .map((d) => d.trim())
  .filter(Boolean);
const modelDir = path.resolve(root, process.env.VI_MODEL_DIR ?? DEFAULT_MODEL_DIR);

const classifier = await loadClassifier(modelDir);
const threshold0 = classifier.manifest.classifier.threshold;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const perSet: Record<string, unknown>[] = [];
const scoredBySet: Scored[][] = [];
for (const dir of dirs) {
  const examples = (await readExampleFiles(path.resolve(root, dir))).flatMap((f) => f.examples);
  if (!examples.length) throw new Error(`no examples in ${dir}`);
  const scored: Scored[] = [];
  examples.forEach((e, i) => {
    for (const text of [e.text, stripDiacritics(e.text)]) {
      const r = classifier.classifySync(text);
      scored.push({
        group: i,
        topic: e.topic,
        confidence: r.confidence,
        correct: r.topic === e.topic,
        // Abstained although confident: too few known words (independent of the threshold).
        unknown: r.abstained && r.confidence >= threshold0,
      });
    }
  });
  const chosen = chooseThreshold(scored, target);
  const honest = crossFit(scored, target);
  console.log(`${dir}: ${examples.length} examples × (as written, stripped) = ${scored.length} texts`);
  console.log(
    `  its own threshold ${chosen.threshold}: answers ${pct(chosen.coverage)}, right on ${pct(chosen.precision)}`,
  );
  console.log(
    `  2-fold cross-fitted: answers ${pct(honest.coverage)}, right on ${pct(honest.precision)} (thresholds ${honest.thresholds.join(", ")})`,
  );
  perSet.push({ set: dir, examples: examples.length, texts: scored.length, ...chosen, crossFitted: honest });
  scoredBySet.push(scored);
}

const threshold = Math.max(...perSet.map((p) => p.threshold as number));
const atChosen = dirs.map((dir, i) => {
  const items = scoredBySet[i]!;
  const answered = items.filter((s) => !s.unknown && s.confidence >= threshold);
  return {
    set: dir,
    coverage: answered.length / items.length,
    precision: answered.length ? answered.filter((s) => s.correct).length / answered.length : 1,
  };
});
console.log(`threshold ${threshold} (the highest of the sets' own):`);
for (const a of atChosen) console.log(`  ${a.set}: answers ${pct(a.coverage)}, right on ${pct(a.precision)}`);

if (!values["dry-run"]) {
  const file = path.join(modelDir, "manifest.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as ModelManifest;
  manifest.classifier.threshold = threshold;
  manifest.classifier.thresholdSource = `npm run model:calibrate: the lowest threshold from which ≥ ${pct(target)} of the answered texts are right on each of ${dirs.join(", ")} (as written and stripped)`;
  manifest.calibration = {
    sets: dirs,
    target,
    threshold,
    perSet,
    atThreshold: atChosen,
    previousThreshold: threshold0,
  };
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${path.relative(root, file)}`);
}
