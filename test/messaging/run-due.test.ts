/**
 * runDue: the background work in one round, for hosts without long-running loops (the Worker runs
 * it after a request and from its Cron Trigger). Without `start()`, an acknowledged update is
 * processed and answered by runDue alone; a failed delivery waits for a later round.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/db.ts";
import { type Bots, postTelegram, startBots, uniqueNumber } from "../support/messengers.ts";
import { tg } from "../support/standins.ts";

const kinds = await dbKinds();

describe.each(kinds)("runDue without the loops, on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind, { start: false, webhook: true });
  });
  afterAll(async () => {
    await bots?.close();
  });

  it("processes the stored updates and delivers their replies in one round", async () => {
    const chatId = uniqueNumber();
    const update = tg.text(uniqueNumber(), chatId, "/start");
    expect((await postTelegram(bots, update)).status).toBe(200);
    expect(await bots.rt.db.inboundUpdate.count({ where: { status: "pending" } })).toBe(1);
    const r = await bots.rt.runDue();
    expect(r.updates).toMatchObject({ claimed: 1, processed: 1 });
    expect(r.messages.sent).toBe(1);
    expect(bots.telegram.deliveredTo(chatId)[0]).toContain("Xin chào");
    // Nothing left: a second round does nothing.
    expect(await bots.rt.runDue()).toEqual({
      updates: { claimed: 0, processed: 0, retried: 0, failed: 0 },
      messages: { sent: 0, retried: 0, failed: 0 },
    });
  });

  it("leaves a message whose delivery failed for a later round, which delivers it once due", async () => {
    const chatId = uniqueNumber();
    bots.telegram.failNext("sendMessage", { status: 502 });
    await postTelegram(bots, tg.text(uniqueNumber(), chatId, "/start"));
    const first = await bots.rt.runDue();
    expect(first.messages).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(bots.telegram.deliveredTo(chatId)).toHaveLength(0);
    const row = await bots.rt.db.outboxMessage.findFirstOrThrow({ where: { chatId: String(chatId) } });
    await new Promise((r) => setTimeout(r, Math.max(0, row.nextAttemptAt.getTime() - Date.now()) + 20));
    const second = await bots.rt.runDue();
    expect(second.messages.sent).toBe(1);
    expect(bots.telegram.deliveredTo(chatId)).toHaveLength(1);
  });
});
