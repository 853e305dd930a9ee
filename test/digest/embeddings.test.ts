/**
 * Case texts are embedded once: filing stores the vector, the digest reads it; a digest over cases
 * filed without one (before this store existed, or by a path without the model) embeds them once
 * and finds the same hot spots. On the embedded database and on PostgreSQL, with the project's own
 * embedding model.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../../src/classify/embedder.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { digestConfig } from "../../src/digest/config.ts";
import { parsePeriodKey } from "../../src/digest/period.ts";
import { buildDigest, parseScope } from "../../src/digest/service.ts";
import { CaseStore } from "../../src/store/cases.ts";
import { CASE_TEXT_HASH, caseEmbeddings, EMBEDDED_CHARS } from "../../src/store/embeddings.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { dbKinds, openTestDb, type TestDb } from "../support/db.ts";
import { NOW, seedFixture } from "./fixture.ts";

const data = loadReferenceData();
const kinds = await dbKinds();
let model: Embedder;
beforeAll(async () => {
  model = (await loadClassifier(DEFAULT_MODEL_DIR)).embedder;
});

/** The project's model, counting the texts it is asked to embed. */
function counting(inner: Embedder) {
  const counter = {
    texts: 0,
    embedder: {
      id: inner.id,
      dim: inner.dim,
      embed(texts: readonly string[]) {
        counter.texts += texts.length;
        return inner.embed(texts);
      },
    } satisfies Embedder,
  };
  return counter;
}

describe.each(kinds)("stored case embeddings on %s", (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await syncReferenceData(db.db, data);
  }, 60_000);
  afterAll(() => db?.close());

  const fileWith = async (embedder: Embedder | undefined, text: string, external: string) => {
    const citizen = await db.db.citizen.create({ data: { channel: "web", externalId: external } });
    return new CaseStore(db.db, data, undefined, embedder).fileCase({
      citizenId: citizen.id,
      channel: "web",
      receivedAt: NOW,
      draft: { description: [text], photos: [], kind: "pakn", topicId: "environment", placeId: "son-tra" },
    });
  };
  /** What the digest gets for these cases: their vectors, and how many it had to embed. */
  const lookUp = async (embedder: Embedder, caseIds: string[]) => {
    const rows = await db.db.$queryRaw<Array<{ id: string; textHash: string }>>`
      SELECT c."id", ${CASE_TEXT_HASH} AS "textHash" FROM "Case" c WHERE c."id" = ANY(${caseIds}::uuid[])`;
    const found = await caseEmbeddings(db.db, embedder, rows);
    return { ...found, hashOf: new Map(rows.map((r) => [r.id, r.textHash])) };
  };

  it("a filed case's text is embedded at filing, and the digest reads that vector without embedding", async () => {
    // Longer than the embedded opening, with characters outside the BMP around the cut.
    const text = `${"Rác thải ùn ứ ở chợ, bốc mùi hôi thối 🚮 ".repeat(15)}🚮🚮 kéo dài`;
    expect(Array.from(text).length).toBeGreaterThan(EMBEDDED_CHARS);
    const filed = await fileWith(model, text, `emb-a-${kind}`);
    const c = counting(model);
    const { vectors, embedded, hashOf } = await lookUp(c.embedder, [filed.caseId]);
    expect(embedded).toBe(0);
    expect(c.texts).toBe(0);
    const [expected] = await model.embed([Array.from(text).slice(0, EMBEDDED_CHARS).join("")]);
    expect(Array.from(vectors.get(hashOf.get(filed.caseId)!)!)).toEqual(Array.from(expected!));
  });

  it("a case filed without the model gets its vector the first time it is needed, and only then", async () => {
    const filed = await fileWith(
      undefined,
      "Cống thoát nước trước chợ bị tắc, nước bẩn tràn ra đường",
      `emb-b-${kind}`,
    );
    const first = counting(model);
    const a = await lookUp(first.embedder, [filed.caseId]);
    expect(a.embedded).toBe(1);
    expect(a.vectors.size).toBe(1);
    const again = counting(model);
    const b = await lookUp(again.embedder, [filed.caseId]);
    expect(again.texts).toBe(0);
    expect(b.vectors.get(b.hashOf.get(filed.caseId)!)).toEqual(a.vectors.get(a.hashOf.get(filed.caseId)!));
  });

  it("identical texts (a petition sent by many) share one stored vector", async () => {
    const text = "Đề nghị di dời trạm trung chuyển rác ra khỏi khu dân cư tổ 12";
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await fileWith(model, text, `emb-c-${kind}-${i}`)).caseId);
    const { vectors, embedded } = await lookUp(model, ids);
    expect(embedded).toBe(0);
    expect(vectors.size).toBe(1);
    const stored = await db.db.textEmbedding.count({ where: { model: model.id } });
    const distinctTexts = await db.db.$queryRaw<Array<{ n: number }>>`
      SELECT count(DISTINCT ${CASE_TEXT_HASH})::int AS "n" FROM "Case" c`;
    expect(stored).toBe(distinctTexts[0]!.n);
  });

  it("a vector of another model is not used", async () => {
    const filed = await fileWith(model, "Karaoke hát đến nửa đêm làm cả xóm mất ngủ", `emb-d-${kind}`);
    const other = counting({ ...model, id: `${model.id}-other`, embed: (t) => model.embed(t) });
    const { embedded } = await lookUp(other.embedder, [filed.caseId]);
    expect(embedded).toBe(1);
  });
});

describe.each(kinds)("hot spots over cases filed without vectors on %s", (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await syncReferenceData(db.db, data);
    await seedFixture(db.db);
  }, 60_000);
  afterAll(() => db?.close());

  it("the first digest embeds the candidates once; the next embeds nothing and finds the same hot spot", async () => {
    const build = async (embedder: Embedder) =>
      (
        await buildDigest(
          { db: db.db, data, embedder, config: digestConfig(), now: () => NOW },
          { period: parsePeriodKey("2026-W48"), scope: parseScope("city", data) },
        )
      ).digest;
    expect(await db.db.textEmbedding.count()).toBe(0);
    const first = counting(model);
    const a = await build(first.embedder);
    expect(first.texts).toBeGreaterThanOrEqual(4);
    expect(a.hotSpots.map((h) => h.cases.map((c) => c.code))).toEqual([["H1", "H2", "H3", "H4"]]);
    const second = counting(model);
    const b = await build(second.embedder);
    expect(second.texts).toBe(0);
    expect(b.hotSpots).toEqual(a.hotSpots);
  });
});
