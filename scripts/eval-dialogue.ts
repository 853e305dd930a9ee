/**
 * `npm run eval:dialogue`: replays the scripted citizen conversations of test/fixtures/dialogue
 * against the production dialogue (with the project's own classifier and the production router)
 * and prints how many were filed right, the turns per case, and answers stored in wrong fields.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadClassifier } from "../src/classify/node-loader.ts";
import { dialogueClassifier } from "../src/classify/port.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { PlaceIndex } from "../src/intake/places.ts";
import { conversationSchema, median, replay } from "../src/intake/replay.ts";

const dir = path.resolve(import.meta.dirname, "../test/fixtures/dialogue");
const conversations = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .flatMap((f) =>
    (JSON.parse(readFileSync(path.join(dir, f), "utf8")) as unknown[]).map((c) =>
      conversationSchema.parse(c),
    ),
  );
const data = loadReferenceData();
const places = new PlaceIndex(data.communes);
const classify = dialogueClassifier(await loadClassifier());
const verbose = process.argv.includes("--verbose");

const results: Awaited<ReturnType<typeof replay>>[] = [];
for (const conv of conversations) results.push(await replay(conv, { data, places, classify }));

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : "—");
const toFile = results.filter((r) => conversations.find((c) => c.id === r.id)!.expect.filed);
const dim = (k: "kind" | "topic" | "place" | "agency") => {
  const checked = results.filter((r) => r.checks[k] !== undefined);
  return `${pct(checked.filter((r) => r.checks[k]).length, checked.length)} (${checked.filter((r) => r.checks[k]).length}/${checked.length})`;
};
const allRight = toFile.filter((r) => r.filed.length && Object.values(r.checks).every(Boolean));
const fieldChecks = results.reduce((s, r) => s + r.fieldChecks, 0);
const wrong = results.reduce((s, r) => s + r.wrongFields.length, 0);
const simple = results.filter(
  (r) => conversations.find((c) => c.id === r.id)!.expect.simple && r.filed.length,
);
const broken = results.reduce((s, r) => s + r.brokenPromises.length, 0);

console.log(`Dialogue evaluation — ${conversations.length} scripted conversations (test/fixtures/dialogue)`);
console.log(
  `filed with the right kind, topic, place and agency: ${pct(allRight.length, toFile.length)} (${allRight.length}/${toFile.length})`,
);
console.log(`  kind ${dim("kind")}  topic ${dim("topic")}  place ${dim("place")}  agency ${dim("agency")}`);
console.log(
  `not filed when they should not be (questions, cancellations): ${results.filter((r) => !conversations.find((c) => c.id === r.id)!.expect.filed && !r.filed.length).length}/${results.length - toFile.length}`,
);
console.log(`turns per case (median): ${median(toFile.filter((r) => r.filed.length).map((r) => r.turns))}`);
console.log(`turns per simple PAKN (median): ${median(simple.map((r) => r.turns))} over ${simple.length}`);
console.log(
  `answers stored in the wrong field: ${pct(wrong, fieldChecks)} (${wrong} of ${fieldChecks} field checks)`,
);
console.log(`texts promising a button not shown: ${broken}`);
for (const r of results) {
  if (r.ok && !verbose) continue;
  const why = [
    ...Object.entries(r.checks)
      .filter(([, v]) => !v)
      .map(([k]) => `wrong ${k}`),
    ...r.wrongFields,
    ...r.brokenPromises.map((b) => `promised «${b}»`),
    r.filed.length ? "" : "not filed",
  ].filter(Boolean);
  const f = r.filed[0];
  console.log(
    `  ✗ ${r.id} [${r.style}] ${why.join("; ")}${f ? ` — got ${f.draft.kind}/${f.draft.topicId}/${f.draft.placeId ?? "null"}/${f.agencyId}` : ""}`,
  );
  if (verbose)
    for (const rep of r.replies.slice(-2))
      console.log(`      « ${rep.text.replace(/\n/g, " ⏎ ").slice(0, 300)}`);
}
