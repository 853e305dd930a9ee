/**
 * Abuse and poison on the messenger webhooks, through the production runtime on each database:
 * one chat flooding Telegram, updates PostgreSQL cannot store as received, Zalo batches, and Zalo
 * de-duplication keyed on the chat as well as the message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardStrings } from "../../src/i18n/guard.ts";
import { TRUNCATED_MARKER } from "../../src/inbound/repair.ts";
import { storeUpdates } from "../../src/inbound/store.ts";
import { memoryLogger } from "../outbox/helpers.ts";
import { dbKinds } from "../support/db.ts";
import {
  type Bots,
  outboxOf,
  postTelegram,
  postZalo,
  processed,
  startBots,
  uniqueNumber,
  until,
} from "../support/messengers.ts";
import { tg, zalo } from "../support/standins.ts";

const kinds = await dbKinds();

describe.each(kinds)("abuse and poison on the webhooks, on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind);
  }, 180_000);
  afterAll(async () => {
    await bots?.close();
  });

  it("one Telegram chat sending 80 updates at once: the first 30 are answered, then one polite notice, no backlog", async () => {
    const chatId = uniqueNumber();
    const first = uniqueNumber() * 1000;
    const statuses = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        postTelegram(bots, tg.text(first + i, chatId, `tin ${i}`)).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    await processed(bots, "telegram", first + 79, 60_000);
    await until(
      async () =>
        (await bots.rt.db.inboundUpdate.count({ where: { chatId: String(chatId), status: "pending" } })) === 0
          ? true
          : undefined,
      "all processed",
      60_000,
    );
    const queued = (await outboxOf(bots, "telegram", chatId)).map((r) => r.text);
    const notices = queued.filter((t) => t.includes("quá nhanh"));
    expect(notices).toHaveLength(1);
    // At most 30 answered turns (plus the few the refill allows) + 1 notice — not 80 turns.
    expect(queued.length).toBeLessThanOrEqual(2 * 35 + 1);
    expect(await bots.rt.db.inboundUpdate.count({ where: { chatId: String(chatId) } })).toBe(80);
  }, 120_000);

  it("a Telegram text with a lone surrogate is stored repaired, acknowledged 200 and answered", async () => {
    const chatId = uniqueNumber();
    const updateId = uniqueNumber();
    const body = JSON.stringify(tg.text(updateId, chatId, "/start")).replace("/start", "/start \\ud800");
    const res = await postTelegram(bots, body);
    expect(res.status).toBe(200);
    const row = await processed(bots, "telegram", updateId);
    expect(row.status).toBe("processed");
    expect(JSON.stringify(row.payload)).toContain("\uFFFD");
    expect((await outboxOf(bots, "telegram", chatId)).length).toBeGreaterThan(0);
  });

  it("JSON nested 3,000 levels deep is stored with its depth capped and acknowledged 200", async () => {
    const chatId = uniqueNumber();
    const updateId = uniqueNumber();
    const u = tg.text(updateId, chatId, "/start") as Record<string, unknown>;
    const body = JSON.stringify(u).replace(/}$/, `,"junk":${"[".repeat(3000)}1${"]".repeat(3000)}}`);
    const res = await postTelegram(bots, body);
    expect(res.status).toBe(200);
    const row = await processed(bots, "telegram", updateId);
    expect(JSON.stringify(row.payload)).toContain(TRUNCATED_MARKER);
    expect(row.status).toBe("processed");
  });

  it("an update the database still refuses is quarantined visibly, acknowledged 200 and answered politely", async () => {
    // A stand-in for whatever else PostgreSQL may refuse: a trigger rejecting a marker.
    await bots.rt.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION reject_poison() RETURNS trigger AS $$
      BEGIN
        IF NEW."status" <> 'quarantined' AND NEW."payload"::text LIKE '%poison-marker%' THEN
          RAISE EXCEPTION 'refused by test' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await bots.rt.db.$executeRawUnsafe(
      `CREATE TRIGGER reject_poison BEFORE INSERT ON "InboundUpdate" FOR EACH ROW EXECUTE FUNCTION reject_poison()`,
    );
    try {
      const chatId = uniqueNumber();
      const updateId = uniqueNumber();
      const res = await postTelegram(bots, tg.text(updateId, chatId, "poison-marker"));
      expect(res.status).toBe(200);
      const row = await bots.rt.db.inboundUpdate.findFirstOrThrow({
        where: { externalId: String(updateId) },
      });
      expect(row.status).toBe("quarantined");
      expect(row.lastError).toContain("refused by test");
      await until(
        async () => ((await outboxOf(bots, "telegram", chatId)).length ? true : undefined),
        "the polite reply",
      );
      expect((await outboxOf(bots, "telegram", chatId)).map((r) => r.text)).toEqual([
        guardStrings.unreadable,
      ]);
      // Redelivery: a duplicate, still 200, no second reply.
      expect((await postTelegram(bots, tg.text(updateId, chatId, "poison-marker"))).status).toBe(200);
      // Zalo: the same.
      const zc = `zq${uniqueNumber()}`;
      expect((await postZalo(bots, zalo.text(`zqm${uniqueNumber()}`, zc, "poison-marker"))).status).toBe(200);
      expect(await bots.rt.db.inboundUpdate.count({ where: { chatId: zc, status: "quarantined" } })).toBe(1);
    } finally {
      await bots.rt.db.$executeRawUnsafe(`DROP TRIGGER reject_poison ON "InboundUpdate"`);
    }
  });

  it("Zalo: a batch of 400 updates is stored together and acknowledged while /healthz answers; an oversized batch gets 413", async () => {
    const chat = (i: number) => `zbatch${i % 50}-${uniqueNumber()}`;
    const updates = Array.from(
      { length: 400 },
      (_, i) => zalo.text(`zbm-${uniqueNumber()}-${i}`, chat(i), "xin chào").result,
    );
    const [res, health] = await Promise.all([
      postZalo(bots, { ok: true, result: updates }),
      Promise.resolve(bots.rt.app.request("/healthz")),
    ]);
    expect(res.status).toBe(200);
    expect(health.status).toBe(200);
    const ids = updates.map((u) => `${u.message.chat.id}:${u.message.message_id}`);
    expect(
      await bots.rt.db.inboundUpdate.count({ where: { channel: "zalo", externalId: { in: ids } } }),
    ).toBe(400);
    const tooMany = Array.from({ length: 501 }, (_, i) => zalo.text(`zbx-${i}`, "zbx", "x").result);
    expect((await postZalo(bots, { ok: true, result: tooMany })).status).toBe(413);
  });

  it("Zalo: the same message_id in two chats is two updates, each answered in its own chat", async () => {
    const messageId = `zdup-${uniqueNumber()}`;
    const a = `zda${uniqueNumber()}`;
    const b = `zdb${uniqueNumber()}`;
    expect((await postZalo(bots, zalo.text(messageId, a, "/start"))).status).toBe(200);
    expect((await postZalo(bots, zalo.text(messageId, b, "/start"))).status).toBe(200);
    // A real redelivery in one chat is still a duplicate.
    expect((await postZalo(bots, zalo.text(messageId, a, "/start"))).status).toBe(200);
    const rows = await bots.rt.db.inboundUpdate.findMany({
      where: { channel: "zalo", chatId: { in: [a, b] } },
    });
    expect(rows).toHaveLength(2);
    await until(
      async () =>
        (await outboxOf(bots, "zalo", a)).length && (await outboxOf(bots, "zalo", b)).length
          ? true
          : undefined,
      "a reply in each chat",
      120_000, // behind the batch above on a busy machine
    );
  });
});

describe.each(kinds)("storage failures are logged, on %s", (kind) => {
  it("logs a repair, a quarantine and an outage; an outage is an error for the caller (503), not a quarantine", async () => {
    const { openTestDb } = await import("../support/db.ts");
    const t = await openTestDb(kind);
    try {
      const logger = memoryLogger();
      let deep: unknown = "x";
      for (let i = 0; i < 3000; i++) deep = [deep];
      const r = await storeUpdates(
        t.db,
        [
          { channel: "telegram", externalId: 1, chatId: 1, payload: { t: "a\ud800" } },
          { channel: "telegram", externalId: 2, chatId: 1, payload: { deep } },
        ],
        { logger },
      );
      expect(r.map((x) => x.stored)).toEqual([true, true]);
      expect(logger.entries.filter((e) => e.msg?.includes("repaired"))).toHaveLength(2);
      await t.close();
      await expect(
        storeUpdates(t.db, [{ channel: "telegram", externalId: 3, chatId: 1, payload: {} }], { logger }),
      ).rejects.toThrow();
      expect(logger.entries.some((e) => e.level === "error" && e.msg?.includes("could not be stored"))).toBe(
        true,
      );
    } finally {
      await t.close().catch(() => {});
    }
  });
});
