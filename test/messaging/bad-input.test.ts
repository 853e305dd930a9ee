/**
 * Issue 3: whatever reaches the webhooks — forged, malformed, oversized, odd or redelivered — the
 * product answers with the right status (never a 500), stores nothing it should not, answers the
 * citizen politely where an answer is due, and handles a redelivered update exactly once.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vi } from "../../src/i18n/vi.ts";
import { dbKinds } from "../support/db.ts";
import {
  type Bots,
  outboxOf,
  postTelegram,
  postZalo,
  processed,
  startBots,
  TELEGRAM_SECRET,
  uniqueNumber,
  ZALO_SECRET,
} from "../support/messengers.ts";
import { tg, zalo } from "../support/standins.ts";

const kinds = await dbKinds();

/** A bare Zalo message update of any event, in any chat type. */
function zaloUpdate(
  messageId: string,
  chatId: string,
  event: string,
  fields: Record<string, unknown>,
  chatType = "PRIVATE",
) {
  return {
    event_name: event,
    message: {
      message_id: messageId,
      date: Date.now(),
      chat: { id: chatId, chat_type: chatType },
      from: { id: chatType === "PRIVATE" ? chatId : `u-${messageId}`, display_name: "Trần Thị B" },
      ...fields,
    },
  };
}

const zaloId = () => `zb${uniqueNumber().toString(16)}`;
const zaloChat = () => `zbc${uniqueNumber().toString(36)}`;

describe.each(kinds)("bad and odd input on the webhooks, on %s", (kind) => {
  let bots: Bots;
  let url = "";
  let server: ReturnType<typeof serve>;
  beforeAll(async () => {
    bots = await startBots(kind);
    server = serve({ fetch: bots.rt.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await bots?.close();
  });

  const stored = () => bots.rt.db.inboundUpdate.count();
  /** Waits until the update was processed; then the replies it queued are all there is. */
  const queuedAfter = async (
    channel: "telegram" | "zalo",
    externalId: string | number,
    chatId: string | number,
  ) => {
    const row = await processed(bots, channel, externalId);
    expect(row.status).toBe("processed");
    return (await outboxOf(bots, channel, chatId)).map((r) => r.text);
  };

  describe("authentication", () => {
    it("Telegram: a missing, wrong or differently sized secret gets 401 and nothing is stored", async () => {
      const before = await stored();
      const update = tg.text(uniqueNumber(), uniqueNumber(), "/start");
      for (const secret of [
        null,
        "",
        "wrong",
        `${TELEGRAM_SECRET}x`,
        TELEGRAM_SECRET.slice(0, -1),
        TELEGRAM_SECRET.toUpperCase(),
      ]) {
        expect((await postTelegram(bots, update, secret)).status, String(secret)).toBe(401);
      }
      // The Zalo secret does not open the Telegram webhook.
      expect((await postTelegram(bots, update, ZALO_SECRET)).status).toBe(401);
      expect(await stored()).toBe(before);
      expect(bots.telegram.textsTo(update.message.chat.id)).toEqual([]);
    });

    it("Zalo: a missing or wrong secret gets 401 and nothing is stored", async () => {
      const before = await stored();
      const chat = zaloChat();
      const body = zalo.text(zaloId(), chat, "Xin chào");
      for (const secret of [
        null,
        "",
        "wrong-secret",
        `${ZALO_SECRET}x`,
        ZALO_SECRET.slice(1),
        TELEGRAM_SECRET,
      ]) {
        expect((await postZalo(bots, body, secret)).status, String(secret)).toBe(401);
      }
      expect(await stored()).toBe(before);
      expect(bots.zalo.textsTo(chat)).toEqual([]);
    });
  });

  describe("malformed bodies", () => {
    it("Telegram: malformed JSON → 400, JSON that is not an update → 400, nothing stored", async () => {
      const before = await stored();
      for (const body of ["", "{", "{update_id: 1}", '{"update_id": 1', "not json at all"]) {
        expect((await postTelegram(bots, body)).status, body).toBe(400);
      }
      for (const body of [
        "null",
        "42",
        '"text"',
        "[]",
        "{}",
        '{"message":{}}',
        '{"update_id":"12"}',
        '{"update_id":-1}',
        '{"update_id":1.5}',
        `[${JSON.stringify(tg.text(1, 1, "hi"))}]`,
      ]) {
        expect((await postTelegram(bots, body)).status, body).toBe(400);
      }
      expect(await stored()).toBe(before);
    });

    it("Zalo: malformed JSON → 400, JSON that is not an update → 400, nothing stored", async () => {
      const before = await stored();
      for (const body of ["", "{", "not json", '{"ok":true,"result":']) {
        expect((await postZalo(bots, body)).status, body).toBe(400);
      }
      const noMessageId = zalo.text("x", "y", "hi");
      delete (noMessageId.result.message as { message_id?: string }).message_id;
      for (const body of [
        "null",
        "42",
        "[]",
        "{}",
        '{"ok":true}',
        '{"ok":false,"error_code":500}',
        '{"event_name":"message.text.received"}',
        JSON.stringify(noMessageId),
      ]) {
        expect((await postZalo(bots, body)).status, body).toBe(400);
      }
      expect(await stored()).toBe(before);
    });

    it("a body over 1 MB gets 413 on both webhooks (declared length or streamed), nothing stored", async () => {
      const before = await stored();
      const big = JSON.stringify(tg.text(uniqueNumber(), uniqueNumber(), "x".repeat(1024 * 1024 + 10)));
      expect((await postTelegram(bots, big)).status).toBe(413);
      expect(
        (await postZalo(bots, JSON.stringify(zalo.text(zaloId(), zaloChat(), "x".repeat(1024 * 1024 + 10)))))
          .status,
      ).toBe(413);
      // Over real HTTP, streamed without a Content-Length.
      for (const [path, header, secret] of [
        ["/webhooks/telegram", "X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET],
        ["/webhooks/zalo", "X-Bot-Api-Secret-Token", ZALO_SECRET],
      ] as const) {
        const bytes = new TextEncoder().encode(big);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 64 * 1024)
              controller.enqueue(bytes.slice(i, i + 64 * 1024));
            controller.close();
          },
        });
        const res = await fetch(`${url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", [header]: secret },
          body: stream,
          duplex: "half",
        } as RequestInit);
        expect(res.status, path).toBe(413);
      }
      expect(await stored()).toBe(before);
    });

    it("invalid UTF-8 bytes inside a JSON string over real HTTP → 200 or 400, never a 500, and the server goes on", async () => {
      const chatId = uniqueNumber();
      const updateId = uniqueNumber();
      const zaloMessageId = zaloId();
      const zaloChatId = zaloChat();
      const encoder = new TextEncoder();
      const withBadBytes = (json: string, marker: string) => {
        const [head, tail] = json.split(marker) as [string, string];
        return Buffer.concat([
          encoder.encode(head),
          Buffer.from([0x41, 0xff, 0xfe, 0x42, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
          encoder.encode(tail),
        ]);
      };
      const tgBody = withBadBytes(
        JSON.stringify(tg.text(updateId, chatId, "Tôi muốn gửi MARKER phản ánh")),
        "MARKER",
      );
      const zaloBody = withBadBytes(
        JSON.stringify(zalo.text(zaloMessageId, zaloChatId, "Tôi muốn gửi MARKER phản ánh")),
        "MARKER",
      );
      const tgRes = await fetch(`${url}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
        body: tgBody,
      });
      const zaloRes = await fetch(`${url}/webhooks/zalo`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Bot-Api-Secret-Token": ZALO_SECRET },
        body: zaloBody,
      });
      expect([200, 400]).toContain(tgRes.status);
      expect([200, 400]).toContain(zaloRes.status);
      // Accepted means handled: processed (not failing for ever) and answered.
      if (tgRes.status === 200) {
        await queuedAfter("telegram", updateId, chatId);
        // The bad bytes were read as U+FFFD, as a UTF-8 decoder does.
        const row = await bots.rt.db.message.findFirstOrThrow({
          where: { direction: "in", conversation: { channel: "telegram", chatId: String(chatId) } },
        });
        expect(row.text).toContain("A\uFFFD\uFFFDB");
        await bots.telegram.waitFor(() => bots.telegram.deliveredTo(chatId).length >= 1);
      }
      if (zaloRes.status === 200) {
        await queuedAfter("zalo", zaloMessageId, zaloChatId);
        await bots.zalo.waitFor(() => bots.zalo.deliveredTo(zaloChatId).length >= 1);
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    });

    it("a NUL character in a text (valid JSON, but PostgreSQL text cannot hold it) is accepted and answered", async () => {
      const chatId = uniqueNumber();
      const updateId = uniqueNumber();
      const res = await postTelegram(
        bots,
        tg.text(updateId, chatId, "Đèn đường\u0000 hỏng ở phường Hải Châu đã lâu rồi"),
      );
      expect(res.status).toBe(200);
      await queuedAfter("telegram", updateId, chatId);
      // A full description: noted, and the place it names is proposed (two replies).
      await bots.telegram.waitFor(() => bots.telegram.deliveredTo(chatId).length === 2);
      const stored = await bots.rt.db.inboundUpdate.findUniqueOrThrow({
        where: { channel_externalId: { channel: "telegram", externalId: String(updateId) } },
      });
      expect((stored.payload as { message: { text: string } }).message.text).toBe(
        "Đèn đường\uFFFD hỏng ở phường Hải Châu đã lâu rồi",
      );
      const zaloChatId = zaloChat();
      const messageId = zaloId();
      expect((await postZalo(bots, zalo.text(messageId, zaloChatId, "xin\u0000 chào"))).status).toBe(200);
      await queuedAfter("zalo", messageId, zaloChatId);
      await bots.zalo.waitFor(() => bots.zalo.deliveredTo(zaloChatId).length >= 1);
    });
  });

  describe("updates the dialogue cannot use", () => {
    it("Telegram: unknown update types and service updates → 200, stored, processed, and no answer", async () => {
      const chatId = uniqueNumber();
      const updates = [
        {
          update_id: uniqueNumber(),
          message_reaction: {
            chat: { id: chatId, type: "private" },
            message_id: 5,
            user: { id: chatId, is_bot: false, first_name: "A" },
            date: 1_700_000_000,
            old_reaction: [],
            new_reaction: [{ type: "emoji", emoji: "👍" }],
          },
        },
        {
          update_id: uniqueNumber(),
          my_chat_member: {
            chat: { id: chatId, type: "private" },
            from: { id: chatId, is_bot: false, first_name: "A" },
            date: 1_700_000_000,
            old_chat_member: { status: "member", user: { id: 42, is_bot: true, first_name: "Bot" } },
            new_chat_member: {
              status: "kicked",
              user: { id: 42, is_bot: true, first_name: "Bot" },
              until_date: 0,
            },
          },
        },
        { update_id: uniqueNumber(), some_future_update: { anything: [1, 2, 3] } },
        {
          update_id: uniqueNumber(),
          inline_query: {
            id: "iq",
            from: { id: chatId, is_bot: false, first_name: "A" },
            query: "x",
            offset: "",
          },
        },
        tg.text(uniqueNumber(), chatId, "", { text: undefined, new_chat_title: "x" }),
        { update_id: uniqueNumber(), message: "not an object" },
      ];
      for (const u of updates) expect((await postTelegram(bots, u)).status, Object.keys(u)[1]).toBe(200);
      for (const u of updates) expect(await queuedAfter("telegram", u.update_id, chatId)).toEqual([]);
    });

    it("Telegram: a sticker, a voice note or a video in private → 200 and the polite 'only text and photos' answer", async () => {
      for (const extra of [
        {
          sticker: {
            file_id: "st",
            file_unique_id: "st",
            type: "regular",
            width: 512,
            height: 512,
            is_animated: false,
            is_video: false,
          },
        },
        { voice: { file_id: "vo", file_unique_id: "vo", duration: 3 } },
        { video: { file_id: "vi", file_unique_id: "vi", width: 1, height: 1, duration: 1 } },
      ]) {
        const chatId = uniqueNumber();
        const u = tg.text(uniqueNumber(), chatId, "", { text: undefined, ...extra });
        expect((await postTelegram(bots, u)).status).toBe(200);
        expect(await queuedAfter("telegram", u.update_id, chatId)).toEqual([vi.unsupported]);
        await bots.telegram.waitFor(() => bots.telegram.deliveredTo(chatId).length >= 1);
        expect(bots.telegram.deliveredTo(chatId)).toEqual([vi.unsupported]);
      }
    });

    it("Telegram: an edited message → 200 and the 'edited messages are not taken' answer; the draft is unchanged", async () => {
      const chatId = uniqueNumber();
      const first = tg.text(uniqueNumber(), chatId, "/gui");
      await postTelegram(bots, first);
      await processed(bots, "telegram", first.update_id);
      const edited = {
        update_id: uniqueNumber(),
        edited_message: { ...tg.text(0, chatId, "sửa lại").message, edit_date: 1_700_000_100 },
      };
      expect((await postTelegram(bots, edited)).status).toBe(200);
      const texts = await queuedAfter("telegram", edited.update_id, chatId);
      expect(texts.at(-1)).toBe(vi.editedIgnored);
      await bots.telegram.waitFor(() => bots.telegram.deliveredTo(chatId).at(-1) === vi.editedIgnored);
      const conversation = await bots.rt.db.conversation.findFirstOrThrow({
        where: { channel: "telegram", chatId: String(chatId) },
      });
      expect(conversation.state).toMatchObject({ step: "describe", draft: { description: [] } });
    });

    it("Telegram: an edit right after its message is stored under the chat and answered after the message's reply", async () => {
      for (let round = 0; round < 5; round++) {
        const chatId = uniqueNumber();
        const message = tg.text(uniqueNumber(), chatId, "/start");
        const edited = {
          update_id: uniqueNumber(),
          edited_message: { ...message.message, text: "/trogiup", edit_date: message.message.date + 1 },
        };
        // Delivered back to back, as Telegram does when the citizen edits at once.
        expect((await postTelegram(bots, message)).status).toBe(200);
        expect((await postTelegram(bots, edited)).status).toBe(200);
        const row = await processed(bots, "telegram", edited.update_id);
        expect(row.chatId).toBe(String(chatId));
        await processed(bots, "telegram", message.update_id);
        const texts = (await outboxOf(bots, "telegram", chatId)).map((r) => r.text);
        expect(texts).toHaveLength(2);
        expect(texts[0]).toContain("Xin chào");
        expect(texts[1]).toBe(vi.editedIgnored);
      }
    });

    it("Telegram: in a group the bot is silent, except that a command gets 'write privately'", async () => {
      const userId = uniqueNumber();
      const groupId = -1_000_000_000_000 - uniqueNumber();
      const group = { chat: { id: groupId, type: "supergroup", title: "Tổ dân phố 5" } };
      const plain = tg.text(uniqueNumber(), userId, "Đèn đường hỏng rồi mọi người ơi", group);
      const sticker = tg.text(uniqueNumber(), userId, "", {
        ...group,
        text: undefined,
        sticker: { file_id: "s" },
      });
      const otherBot = tg.text(uniqueNumber(), userId, "/start@OtherBot", group);
      for (const u of [plain, sticker, otherBot]) {
        expect((await postTelegram(bots, u)).status).toBe(200);
        expect(await queuedAfter("telegram", u.update_id, groupId)).toEqual([]);
      }
      const command = tg.text(uniqueNumber(), userId, "/tracuu@hopthudan_bot", group);
      expect((await postTelegram(bots, command)).status).toBe(200);
      expect(await queuedAfter("telegram", command.update_id, groupId)).toEqual([vi.groupChat]);
      await bots.telegram.waitFor(() => bots.telegram.deliveredTo(groupId).length === 1);
      expect(bots.telegram.deliveredTo(groupId)).toEqual([vi.groupChat]);
      expect(bots.telegram.textsTo(userId)).toEqual([]);
      // No conversation (hence no personal data) was opened for the group.
      expect(await bots.rt.db.conversation.count({ where: { chatId: String(groupId) } })).toBe(0);
    });

    it("Zalo: a sticker or an unsupported message in private → 200 and the polite answer", async () => {
      for (const [event, fields] of [
        ["message.sticker.received", { sticker: "abc", url: "https://sticker.example/a.png" }],
        ["message.unsupported.received", {}],
        ["message.voice.received", { url: "https://voice.example/a.aac" }],
      ] as const) {
        const chatId = zaloChat();
        const id = zaloId();
        expect((await postZalo(bots, zaloUpdate(id, chatId, event, fields))).status).toBe(200);
        expect(await queuedAfter("zalo", id, chatId)).toEqual([vi.unsupported]);
        await bots.zalo.waitFor(() => bots.zalo.deliveredTo(chatId).length === 1);
      }
    });

    it("Zalo: in a group the bot is silent, except that a command gets 'write privately'", async () => {
      const groupId = `zg${uniqueNumber().toString(36)}`;
      const plain = zaloId();
      const sticker = zaloId();
      const image = zaloId();
      for (const [id, event, fields] of [
        [plain, "message.text.received", { text: "Mọi người ơi đèn đường hỏng rồi" }],
        [sticker, "message.sticker.received", { sticker: "abc" }],
        [image, "message.image.received", { photo: "https://photo.example/x.jpg" }],
      ] as const) {
        expect((await postZalo(bots, zaloUpdate(id, groupId, event, fields, "GROUP"))).status).toBe(200);
        expect(await queuedAfter("zalo", id, groupId)).toEqual([]);
      }
      const command = zaloId();
      expect(
        (
          await postZalo(
            bots,
            zaloUpdate(command, groupId, "message.text.received", { text: "/tracuu" }, "GROUP"),
          )
        ).status,
      ).toBe(200);
      expect(await queuedAfter("zalo", command, groupId)).toEqual([vi.groupChat]);
      await bots.zalo.waitFor(() => bots.zalo.deliveredTo(groupId).length === 1);
      expect(await bots.rt.db.conversation.count({ where: { chatId: groupId } })).toBe(0);
    });

    it("a 50 KB text → 200 and the polite 'Tin nhắn quá dài' answer, on both channels", async () => {
      const long = "Đường ngập nước. ".repeat(3000).slice(0, 50_000);
      const chatId = uniqueNumber();
      const u = tg.text(uniqueNumber(), chatId, long);
      expect((await postTelegram(bots, u)).status).toBe(200);
      const [answer] = await queuedAfter("telegram", u.update_id, chatId);
      expect(answer).toBe(vi.tooLong(50_000, 5000));
      expect(answer).toContain("Tin nhắn quá dài");
      await bots.telegram.waitFor(() => bots.telegram.deliveredTo(chatId).length >= 1);

      const zc = zaloChat();
      const id = zaloId();
      expect((await postZalo(bots, zalo.text(id, zc, long))).status).toBe(200);
      expect(await queuedAfter("zalo", id, zc)).toEqual([vi.tooLong(50_000, 5000)]);
      await bots.zalo.waitFor(() => bots.zalo.deliveredTo(zc).length === 1);
      expect(bots.zalo.deliveredTo(zc)[0]).toContain("Tin nhắn quá dài");
    });
  });

  describe("redelivery", () => {
    const inboundRows = (channel: "telegram" | "zalo", chatId: string | number) =>
      bots.rt.db.message.count({
        where: { direction: "in", conversation: { channel, chatId: String(chatId) } },
      });

    it("Telegram: the same update_id posted twice, then five times at once → one turn, one reply each", async () => {
      const chatId = uniqueNumber();
      const first = tg.text(uniqueNumber(), chatId, "/start");
      expect((await postTelegram(bots, first)).status).toBe(200);
      expect((await postTelegram(bots, first)).status).toBe(200);
      await processed(bots, "telegram", first.update_id);
      expect((await postTelegram(bots, first)).status).toBe(200); // after processing, too
      const second = tg.callback(uniqueNumber(), chatId, "file");
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () => postTelegram(bots, second).then((r) => r.status)),
      );
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      await processed(bots, "telegram", second.update_id);
      await bots.telegram.waitFor(() => bots.telegram.deliveredTo(chatId).length >= 2);
      // Give a duplicate the time it would need to show up.
      await bots.rt.outbox.runOnce();
      expect(bots.telegram.deliveredTo(chatId)).toHaveLength(2);
      expect(bots.telegram.deliveredTo(chatId)[1]).toContain("mô tả sự việc");
      expect(await inboundRows("telegram", chatId)).toBe(2);
      expect(
        await bots.rt.db.inboundUpdate.count({ where: { channel: "telegram", chatId: String(chatId) } }),
      ).toBe(2);
    });

    it("Zalo: the same message_id posted twice, then five times at once (with and without the envelope) → one turn, one reply each", async () => {
      const chatId = zaloChat();
      const firstId = zaloId();
      const first = zalo.text(firstId, chatId, "/start");
      expect((await postZalo(bots, first)).status).toBe(200);
      expect((await postZalo(bots, first.result)).status).toBe(200);
      await processed(bots, "zalo", firstId);
      const secondId = zaloId();
      const second = zalo.text(secondId, chatId, "1");
      const statuses = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          postZalo(bots, i % 2 ? second.result : second).then((r) => r.status),
        ),
      );
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      await processed(bots, "zalo", secondId);
      await bots.zalo.waitFor(() => bots.zalo.deliveredTo(chatId).length >= 2);
      await bots.rt.outbox.runOnce();
      expect(bots.zalo.deliveredTo(chatId)).toHaveLength(2);
      expect(bots.zalo.deliveredTo(chatId)[1]).toContain("mô tả sự việc");
      expect(await inboundRows("zalo", chatId)).toBe(2);
    });
  });
});
