/**
 * The turn's bookkeeping around the dialogue: one citizen per channel identity, one conversation
 * per chat, a redelivered message handled once, history and queued replies saved with the turn.
 * On PGlite and on PostgreSQL (when reachable).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/db.ts";
import { type Harness, harness } from "../support/harness.ts";

const kinds = await dbKinds();

describe.each(kinds)("intake turns on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });
  const db = () => h.opened.db;

  it("creates the citizen and the conversation once, and answers a redelivered message once", async () => {
    const msg = {
      channel: "telegram" as const,
      chatId: "svc-1",
      userId: "u-1",
      displayName: "An",
      text: "/start",
    };
    const first = await h.intake.handle({ ...msg, externalId: "m1" });
    expect(first.replies.length).toBeGreaterThan(0);
    const again = await h.intake.handle({ ...msg, externalId: "m1" });
    expect(again).toMatchObject({
      duplicate: true,
      replies: [],
      conversationId: first.conversationId,
      citizenId: first.citizenId,
    });
    const next = await h.intake.handle({ ...msg, externalId: "m2", text: "help" });
    expect(next.conversationId).toBe(first.conversationId);
    expect(next.citizenId).toBe(first.citizenId);
    const conversation = await db().conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    expect(conversation.version).toBe(2);
    const messages = await db().message.findMany({
      where: { conversationId: first.conversationId },
      orderBy: [{ createdAt: "asc" }, { direction: "asc" }],
    });
    expect(messages.filter((m) => m.direction === "in").map((m) => m.externalId)).toEqual(["m1", "m2"]);
    expect(messages.filter((m) => m.direction === "out").length).toBe(
      first.replies.length + next.replies.length,
    );
    expect(await db().citizen.count({ where: { channel: "telegram", externalId: "u-1" } })).toBe(1);
  });

  it("keeps the citizen's latest display name, and keeps a chat's conversation when another user writes in it", async () => {
    const base = { channel: "zalo" as const, chatId: "svc-2", text: "/start" };
    const a = await h.intake.handle({ ...base, userId: "u-2", displayName: "Bình" });
    await h.intake.handle({ ...base, userId: "u-2" });
    expect((await db().citizen.findUniqueOrThrow({ where: { id: a.citizenId } })).displayName).toBe("Bình");
    await h.intake.handle({ ...base, userId: "u-2", displayName: "Bình Nguyễn" });
    expect((await db().citizen.findUniqueOrThrow({ where: { id: a.citizenId } })).displayName).toBe(
      "Bình Nguyễn",
    );
    const other = await h.intake.handle({ ...base, userId: "u-3", displayName: "Chi" });
    expect(other.conversationId).toBe(a.conversationId);
    expect(other.citizenId).not.toBe(a.citizenId);
    expect(await db().citizen.findFirst({ where: { channel: "zalo", externalId: "u-3" } })).toMatchObject({
      displayName: "Chi",
    });
  });

  it("answers every one of several first messages of new chats arriving at once", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.intake.handle({
          channel: "telegram",
          chatId: `svc-burst-${i}`,
          userId: `b-${i}`,
          text: "/start",
          externalId: "1",
        }),
      ),
    );
    expect(new Set(outcomes.map((o) => o.conversationId)).size).toBe(12);
    expect(outcomes.every((o) => o.replies.length > 0 && !o.duplicate)).toBe(true);
  });
});
