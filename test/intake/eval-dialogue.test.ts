/**
 * The scripted citizen conversations of test/fixtures/dialogue replayed against the production
 * dialogue with the project's own classifier (what `npm run eval:dialogue` prints), held to the
 * issue's bar: at least 60 conversations, a simple PAKN in at most 6 turns with name and contact
 * (or anonymity) asked, no answer stored in the wrong field, no promised button missing.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadClassifier } from "../../src/classify/node-loader.ts";
import { dialogueClassifier } from "../../src/classify/port.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import {
  type Conversation,
  conversationSchema,
  median,
  type ReplayResult,
  replay,
} from "../../src/intake/replay.ts";

const dir = path.resolve(import.meta.dirname, "../fixtures/dialogue");
const conversations: Conversation[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .flatMap((f) =>
    (JSON.parse(readFileSync(path.join(dir, f), "utf8")) as unknown[]).map((c) =>
      conversationSchema.parse(c),
    ),
  );

let results: ReplayResult[] = [];
beforeAll(async () => {
  const data = loadReferenceData();
  const places = new PlaceIndex(data.communes);
  const classify = dialogueClassifier(await loadClassifier());
  results = [];
  for (const conv of conversations) results.push(await replay(conv, { data, places, classify }));
}, 120_000);

describe("npm run eval:dialogue — scripted conversations", () => {
  it("has at least 60 conversations with unique ids", () => {
    expect(conversations.length).toBeGreaterThanOrEqual(60);
    expect(new Set(conversations.map((c) => c.id)).size).toBe(conversations.length);
  });

  it("files them as expected with the right kind, place and agency (the topic is the model's: ≥ 85 %)", () => {
    // Bars, not exact counts: the topic model is retrained (issue 10) and a conversation whose
    // topic it abstains on waits for the citizen's choice, which a script does not give.
    const share = (ok: (r: ReplayResult) => boolean | undefined, of: (r: ReplayResult) => boolean) => {
      const all = results.filter(of);
      return all.filter((r) => ok(r)).length / all.length;
    };
    const expectOf = (r: ReplayResult) => conversations.find((c) => c.id === r.id)!.expect;
    expect(
      share(
        (r) => r.filed.length === (expectOf(r).filed ? (expectOf(r).cases ?? 1) : 0),
        () => true,
      ),
    ).toBeGreaterThanOrEqual(0.95);
    for (const r of results.filter((x) => !expectOf(x).filed)) expect(r.filed, r.id).toEqual([]);
    for (const k of ["kind", "place", "agency"] as const)
      expect(
        share(
          (r) => r.checks[k],
          (r) => r.checks[k] !== undefined,
        ),
        k,
      ).toBeGreaterThanOrEqual(0.95);
    expect(
      share(
        (r) => r.checks.topic,
        (r) => r.checks.topic !== undefined,
      ),
    ).toBeGreaterThanOrEqual(0.85);
  });

  it("stores no answer in the wrong field, never the sender's identity in the description", () => {
    expect(results.flatMap((r) => r.wrongFields.map((w) => `${r.id}: ${w}`))).toEqual([]);
  });

  it("never promises a button it does not show", () => {
    expect(results.flatMap((r) => r.brokenPromises.map((b) => `${r.id}: ${b}`))).toEqual([]);
  });

  it("files a simple PAKN in at most 6 turns (median), having asked the name and contact or anonymity", () => {
    const simple = results.filter((r) => conversations.find((c) => c.id === r.id)!.expect.simple);
    expect(median(simple.map((r) => r.turns))).toBeLessThanOrEqual(6);
    for (const r of simple) {
      const d = r.filed[0]!.draft;
      expect(d.anonymous || Boolean(d.senderName && (d.senderContact || d.senderAddress)), r.id).toBe(true);
    }
  });
});
