/**
 * The turn's bookkeeping around the dialogue: one citizen per channel identity, one conversation
 * per chat, a redelivered message handled once, history and queued replies saved with the turn.
 * On PGlite and on PostgreSQL (when reachable).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { enqueueStatement } from "../../src/outbox/index.ts";
import { dbKinds } from "../support/db.ts";
import { codeIn, type Harness, harness } from "../support/harness.ts";

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

  it("files a case, saves the turn and records its writes together, or none of them", async () => {
    const chatId = "svc-file";
    const say = (text: string, externalId: string, record?: Parameters<Harness["intake"]["handle"]>[1]) =>
      h.intake.handle({ channel: "telegram", chatId, userId: chatId, text, externalId }, record);
    const steps = [
      "/start",
      "file",
      "Đèn đường trên đường Trần Phú, phường Hải Châu bị hỏng cả tháng nay, tối đi rất nguy hiểm",
      "yes",
      "pakn",
      "topic:transport_infrastructure",
      "Nguyễn Văn An, 0905 111 222",
    ];
    for (const [i, text] of steps.entries()) await say(text, `f${i}`);
    const before = await db().conversation.findFirstOrThrow({ where: { channel: "telegram", chatId } });
    const cases = () => db().case.count({ where: { conversationId: before.id } });
    // The filing turn's own writes fail after the case was filed: the case, the new state and the
    // exchange are all rolled back.
    const failing = {
      record: (_replies: unknown[], _c: unknown, saved: Prisma.Sql) => [
        Prisma.sql`UPDATE "Conversation" SET "version" = "version" / 0 WHERE ${saved}`,
      ],
    };
    await expect(say("send", "f-send", failing)).rejects.toThrow();
    expect(await cases()).toBe(0);
    const after = await db().conversation.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.version).toBe(before.version);
    expect(await db().message.count({ where: { conversationId: before.id, externalId: "f-send" } })).toBe(0);
    // Delivered again (as a webhook retry would): filed once, and the record's write is kept with it.
    const marks: string[] = [];
    const recording = {
      record: (replies: { text: string }[], _c: unknown, saved: Prisma.Sql) => {
        marks.push(replies.map((r) => r.text).join("\n"));
        return [
          enqueueStatement(
            [{ dedupeKey: `svc-file:${marks.length}`, channel: "telegram", chatId, text: "ghi kèm" }],
            saved,
          ),
        ];
      },
    };
    const filed = await say("send", "f-send", recording);
    const code = codeIn(filed.replies.map((r) => r.text).join("\n"));
    expect(await cases()).toBe(1);
    expect((await db().case.findFirstOrThrow({ where: { conversationId: before.id } })).code).toBe(code);
    expect(await db().outboxMessage.count({ where: { dedupeKey: "svc-file:1" } })).toBe(1);
    // A redelivery of the same message: nothing filed again; the record runs alone, with no replies.
    const again = await say("send", "f-send", recording);
    expect(again).toMatchObject({ duplicate: true, replies: [] });
    expect(await cases()).toBe(1);
    expect(marks.at(-1)).toBe("");
  });
});
