/**
 * npm run model:calibrate — sets the abstention threshold of the shipped model on realistic text.
 *
 * Cross-validation on the training examples says little about how sure the classifier should be
 * on what portals and newspapers publish, so the threshold is chosen on the realistic held-out
 * set (data/examples/heldout-real), each text as written and stripped of diacritics: the lowest
 * threshold at which the answered share is at least `--target` right (default 0.95). Because the
 * set that picks the threshold also scores it, the figure on it is optimistic; the honest
 * estimate is also computed by 2-fold cross-fitting (pick on one half, measure on the other,
 * halves stratified by topic) and recorded next to it in model/manifest.json.
 * `--dry-run` prints without writing.
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
    dir: { type: "string", default: "data/examples/heldout-real" },
    "dry-run": { type: "boolean", default: false },
  },
});
const target = Number(values.target);
if (!(target > 0 && target < 1)) throw new Error("--target must be in (0, 1)");
const dir = path.resolve(root, values.dir!);
const modelDir = path.resolve(root, process.env.VI_MODEL_DIR ?? DEFAULT_MODEL_DIR);

const classifier = await loadClassifier(modelDir);
const examples = (await readExampleFiles(dir)).flatMap((f) => f.examples);
if (!examples.length) throw new Error(`no examples in ${dir}`);

const scored: Scored[] = [];
const threshold0 = classifier.manifest.classifier.threshold;
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
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `${examples.length} realistic held-out examples × (as written, stripped) = ${scored.length} texts`,
);
console.log(
  `threshold ${chosen.threshold}: answers ${pct(chosen.coverage)}, right on ${pct(chosen.precision)} of those (on the set that chose it)`,
);
console.log(
  `2-fold cross-fitted estimate: answers ${pct(honest.coverage)}, right on ${pct(honest.precision)} (thresholds ${honest.thresholds.join(", ")})`,
);

if (!values["dry-run"]) {
  const file = path.join(modelDir, "manifest.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as ModelManifest;
  manifest.classifier.threshold = chosen.threshold;
  manifest.classifier.thresholdSource = `npm run model:calibrate: lowest threshold at which ≥ ${pct(target)} of the answered texts of ${values.dir} (as written and stripped) are right`;
  manifest.calibration = {
    set: values.dir,
    examples: examples.length,
    texts: scored.length,
    target,
    threshold: chosen.threshold,
    coverage: chosen.coverage,
    precision: chosen.precision,
    crossFitted: honest,
    previousThreshold: threshold0,
  };
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${path.relative(root, file)}`);
}
