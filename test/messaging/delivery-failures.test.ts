/**
 * Issue 3: "nothing is ever lost". The messengers' APIs fail in every way they do — 5xx, 429 with
 * retry_after, a call that never answers, a refusal (403) — and every reply still reaches the chat
 * exactly once and in order once the API recovers; a refused one ends as a failed outbox row the
 * officials can see (listFailed) and retry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vi } from "../../src/i18n/vi.ts";
import { listFailed, retry } from "../../src/outbox/index.ts";
import { dbKinds } from "../support/db.ts";
import {
  type Bots,
  deliveredAll,
  outboxOf,
  startBots,
  telegramCitizen,
  until,
  zaloCitizen,
} from "../support/messengers.ts";
import type { ApiCall, StandIn } from "../support/standins.ts";

const kinds = await dbKinds();

/** The sendMessage calls to one chat, in order, failed ones included. */
const sendsTo = (api: StandIn, chatId: string | number): ApiCall[] =>
  api.of("sendMessage").filter((c) => String(c.body.chat_id) === String(chatId));

describe.each(kinds)("delivery failures, on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind, {
      options: {
        outboxPolicy: { baseDelayMs: 50, maxDelayMs: 500, lockMs: 5_000, pollIntervalMs: 100 },
        // A call that hangs is given up after 1 s (and retried), well within the 5 s lease.
        telegramTimeoutSeconds: 1,
        zaloTimeoutMs: 1_000,
      },
    });
  });
  afterAll(async () => {
    await bots?.close();
  });

  for (const channel of ["telegram", "zalo"] as const) {
    const citizenOf = (b: Bots) => (channel === "telegram" ? telegramCitizen(b) : zaloCitizen(b));

    it(`${channel}: after a 500, a 429 (retry_after 1 s), a hang and a 502, every reply arrives once, in order`, async () => {
      const api = bots[channel];
      const c = citizenOf(bots);
      api.failNext(
        "sendMessage",
        { status: 500 },
        { status: 429, retryAfter: 1 },
        { hang: true },
        { status: 502 },
      );
      // Several turns queue several replies while the first one is still failing.
      await c.say("/start");
      await c.say("/trogiup");
      await c.say("/huy");
      await c.say("/gui");
      const { rows, expected, delivered } = await deliveredAll(bots, channel, c.chatId, 20_000);
      expect(rows.length).toBeGreaterThanOrEqual(5);
      expect(rows.every((r) => r.status === "sent")).toBe(true);
      expect(delivered).toEqual(expected); // each exactly once, in the order queued
      expect(new Set(delivered).size).toBe(delivered.length);

      // The first reply took the four failures (it held the chat's later ones back), then went.
      const calls = sendsTo(api, c.chatId);
      expect(
        calls.slice(0, 5).map((x) => x.failure && ("hang" in x.failure ? "hang" : x.failure.status)),
      ).toEqual([500, 429, "hang", 502, undefined]);
      expect(new Set(calls.slice(0, 5).map((x) => x.body.text))).toEqual(new Set([calls[0]!.body.text]));
      expect(calls).toHaveLength(rows.length + 4);
      // retry_after was honoured: the retry came at least a second after the 429.
      expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);
      // The hanging call was given up after the client timeout, then retried.
      expect(calls[3]!.at - calls[2]!.at).toBeGreaterThanOrEqual(900);
      expect(rows[0]!.attempts).toBe(5);
      expect(rows[0]!.lastError).toMatch(/502/);
    });

    it(`${channel}: a 403 (bot blocked) fails the message for good, visible through listFailed; the chat goes on; retry delivers it`, async () => {
      const api = bots[channel];
      const c = citizenOf(bots);
      api.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
      await c.say("/start");
      const [failed] = await until(async () => {
        const rows = await listFailed(bots.rt.db, { channel, chatId: String(c.chatId) });
        return rows.length ? rows : undefined;
      }, "the refused message to show in listFailed");
      expect(failed!.text).toContain("Xin chào");
      expect(failed!.attempts).toBe(1); // not retried
      expect(failed!.lastError).toMatch(/403/);
      expect(failed!.lastError).not.toContain(
        channel === "telegram" ? "TEST-telegram-token" : "zalo-test-secret",
      );
      // A failed message does not silence the chat: the next reply goes out.
      await c.say("/trogiup");
      await api.waitFor(() => api.deliveredTo(c.chatId).length === 1);
      expect(api.deliveredTo(c.chatId)[0]).toContain("Hướng dẫn sử dụng");
      // The citizen unblocked the bot: an official retries the failed message, and it is delivered once.
      expect(await retry(bots.rt.db, failed!.id)).toBe(true);
      bots.rt.outbox.notify();
      await api.waitFor(() => api.deliveredTo(c.chatId).length === 2);
      expect(api.deliveredTo(c.chatId)[1]).toContain("Xin chào");
      expect(await listFailed(bots.rt.db, { channel, chatId: String(c.chatId) })).toEqual([]);
      expect(sendsTo(api, c.chatId)).toHaveLength(3);
    });
  }

  it("an outage of both messengers with several chats and an official's notice queued: all delivered once, each chat in order", async () => {
    const { rt } = bots;
    const a = telegramCitizen(bots);
    const b = telegramCitizen(bots);
    const z = zaloCitizen(bots);
    // File a case on Telegram first (no failures), so an official can act on it during the outage.
    await a.say("/gui");
    await a.say("Cây xanh trước trường tiểu học phường Hải Châu bị nghiêng sắp đổ, rất nguy hiểm");
    await a.tap(vi.choice.yes);
    await a.tap("pakn");
    await a.tap("topic:environment");
    await a.tap("anonymous");
    const filed = await a.tap("send");
    const code = /Mã hồ sơ: (\S+)/.exec(filed.text)![1]!;
    await deliveredAll(bots, "telegram", a.chatId);
    const row = await rt.db.case.findUniqueOrThrow({ where: { code } });

    const failures = Array.from({ length: 6 }, (_, i) => ({ status: [500, 502, 503, 504][i % 4]! }));
    bots.telegram.failNext("sendMessage", ...failures, { hang: true });
    bots.zalo.failNext("sendMessage", ...failures, { status: 429, retryAfter: 1 });
    await Promise.all([
      (async () => {
        await b.say("/start");
        await b.say("/trogiup");
      })(),
      (async () => {
        await z.say("/start");
        await z.say("/gui");
      })(),
      rt.actions.answer(row.id, { id: "o1", agencyId: row.agencyId! }, "Đã cắt tỉa và chằng chống cây."),
    ]);
    await a.say("/tracuu");

    for (const [channel, chatId] of [
      ["telegram", a.chatId],
      ["telegram", b.chatId],
      ["zalo", z.chatId],
    ] as const) {
      const { rows, expected, delivered } = await deliveredAll(bots, channel, chatId, 25_000);
      expect(
        rows.every((r) => r.status === "sent"),
        `${channel}:${chatId}`,
      ).toBe(true);
      expect(delivered, `${channel}:${chatId}`).toEqual(expected);
    }
    const notices = bots.telegram
      .deliveredTo(a.chatId)
      .filter((t) => t.includes(`Kết quả giải quyết hồ sơ ${code}`));
    expect(notices).toHaveLength(1);
    // The failures were all used up: the outage really happened.
    expect(bots.telegram.of("sendMessage").filter((c) => c.failure).length).toBeGreaterThanOrEqual(7);
    expect(bots.zalo.of("sendMessage").filter((c) => c.failure).length).toBeGreaterThanOrEqual(7);
    expect(
      await outboxOf(bots, "telegram", a.chatId).then((r) => r.filter((x) => x.caseId === row.id).length),
    ).toBe(1);
  });
});
