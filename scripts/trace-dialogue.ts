/** Prints a scripted conversation turn by turn (`npx tsx scripts/trace-dialogue.ts <id>`): for debugging fixtures. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadClassifier } from "../src/classify/node-loader.ts";
import { dialogueClassifier } from "../src/classify/port.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { PlaceIndex } from "../src/intake/places.ts";
import { type Conversation, conversationSchema, replay } from "../src/intake/replay.ts";

const dir = path.resolve(import.meta.dirname, "../test/fixtures/dialogue");
const all: Conversation[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .flatMap((f) =>
    (JSON.parse(readFileSync(path.join(dir, f), "utf8")) as unknown[]).map((c) =>
      conversationSchema.parse(c),
    ),
  );
const data = loadReferenceData();
const places = new PlaceIndex(data.communes);
const classify = dialogueClassifier(await loadClassifier());
for (const id of process.argv.slice(2)) {
  const conv = all.find((c) => c.id === id);
  if (!conv) continue;
  for (let i = 1; i <= conv.turns.length; i++) {
    const r = await replay({ ...conv, turns: conv.turns.slice(0, i) }, { data, places, classify });
    const last = r.replies.slice(
      -(
        r.replies.length -
        (i > 1
          ? (await replay({ ...conv, turns: conv.turns.slice(0, i - 1) }, { data, places, classify })).replies
              .length
          : 0)
      ),
    );
    console.log(`> ${conv.turns[i - 1]}`);
    for (const rep of last)
      console.log(
        `  < ${rep.text.replace(/\n/g, " ⏎ ").slice(0, 220)}${rep.choices ? ` [${rep.choices.map((c) => c.id).join(", ")}]` : ""}`,
      );
  }
  console.log("---");
}
