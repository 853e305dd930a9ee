/**
 * The Telegram channel: update mapping, sender, webhook route and long polling.
 * Bot API calls go to a real HTTP server on 127.0.0.1 standing in for api.telegram.org (grammY's
 * `client.apiRoot`); the tests assert the JSON that went over the wire. Never the network.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { serve } from "@hono/node-server";
import type { Update, UserFromGetMe } from "grammy/types";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DeliveryError } from "../../src/channels/sender.ts";
import {
  callbackDataFor,
  createTelegramBot,
  decodeCallbackData,
  inlineKeyboard,
  registerCommands,
  startPolling,
  TELEGRAM_SECRET_HEADER,
  TelegramSender,
  type TelegramUnsupported,
  telegramStrings,
  telegramWebhookRoute,
  toIncoming,
  unsupportedReplyText,
} from "../../src/channels/telegram/index.ts";
import type { Choice } from "../../src/intake/types.ts";

const TOKEN = "7788990011:AAE-s3cr3tT0kenValue_xyz123456789";
const SECRET = "webhook-secret_0123456789";
const BOT_INFO: UserFromGetMe = {
  id: 7788990011,
  is_bot: true,
  first_name: "Hộp thư dân",
  username: "HopThuDanBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

// ---------------------------------------------------------------------------------------------
// A loopback stand-in for the Telegram Bot API
// ---------------------------------------------------------------------------------------------

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, unknown>;
}
/** A JSON answer, a raw (non-JSON) one, or no answer at all. */
type Scripted = { status: number; body: unknown } | { status: number; raw: string } | "hang";

const received: Received[] = [];
const scripts = new Map<string, Scripted[]>();
const hanging = new Set<ServerResponse>();
let queued: Update[] = [];
let waiters: (() => void)[] = [];
let nextMessageId = 100;
let server: Server;
let apiRoot: string;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The next calls of `method` get these answers, in order; then the defaults again. */
function script(method: string, ...answers: Scripted[]): void {
  scripts.set(method, [...(scripts.get(method) ?? []), ...answers]);
}

function apiError(status: number, description: string, parameters?: Record<string, unknown>): Scripted {
  return { status, body: { ok: false, error_code: status, description, ...(parameters && { parameters }) } };
}

/** Makes an update available to getUpdates (and wakes a waiting long poll). */
function pushUpdates(...updates: Update[]): void {
  queued.push(...updates);
  const w = waiters;
  waiters = [];
  for (const wake of w) wake();
}

function calls(method: string): Received[] {
  return received.filter((r) => r.method === method);
}

function defaultAnswer(r: Received, res: ServerResponse) {
  switch (r.method) {
    case "getMe":
      return reply(res, 200, { ok: true, result: BOT_INFO });
    case "sendMessage":
      return reply(res, 200, {
        ok: true,
        result: {
          message_id: nextMessageId++,
          date: 1_760_000_000,
          chat: { id: r.body.chat_id, type: "private", first_name: "An" },
          text: r.body.text,
        },
      });
    case "setMyCommands":
    case "answerCallbackQuery":
      return reply(res, 200, { ok: true, result: true });
    case "getFile":
      return reply(res, 200, {
        ok: true,
        result: {
          file_id: r.body.file_id,
          file_unique_id: "uniq",
          file_size: 4,
          file_path: "photos/file_7.jpg",
        },
      });
    case "getUpdates": {
      const offset = typeof r.body.offset === "number" ? r.body.offset : undefined;
      const limit = typeof r.body.limit === "number" ? r.body.limit : 100;
      const timeout = typeof r.body.timeout === "number" ? r.body.timeout : 0;
      if (offset !== undefined) queued = queued.filter((u) => u.update_id >= offset); // confirmed
      const answer = () => reply(res, 200, { ok: true, result: queued.slice(0, limit) });
      if (queued.length > 0 || timeout === 0) return answer();
      // Long poll: answer when an update arrives or the timeout ends.
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (!res.destroyed) answer();
      };
      const timer = setTimeout(finish, timeout * 1000);
      waiters.push(finish);
      res.on("close", () => {
        done = true;
        clearTimeout(timer);
      });
      return;
    }
    default:
      return reply(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "";
      if (req.method === "GET" && url.startsWith(`/file/bot${TOKEN}/`)) {
        res.writeHead(200, { "content-type": "image/jpeg" });
        res.end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
        return;
      }
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url);
      if (!match || match[1] !== TOKEN) {
        reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
        return;
      }
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown> = {};
      try {
        body = rawBody ? JSON.parse(rawBody) : {};
      } catch {
        body = {};
      }
      const r: Received = { method: match[2]!, path: url, headers: req.headers, rawBody, body };
      received.push(r);
      const scripted = scripts.get(r.method)?.shift();
      if (scripted === "hang") {
        hanging.add(res);
        return;
      }
      if (scripted && "raw" in scripted) {
        res.writeHead(scripted.status, { "content-type": "text/html" });
        res.end(scripted.raw);
        return;
      }
      if (scripted) return reply(res, scripted.status, scripted.body);
      defaultAnswer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received.length = 0;
  scripts.clear();
  for (const res of hanging) res.destroy();
  hanging.clear();
  queued = [];
  nextMessageId = 100;
  for (const wake of waiters) wake();
  waiters = [];
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function makeBot(options: { botInfo?: UserFromGetMe | null; timeoutSeconds?: number; root?: string } = {}) {
  return createTelegramBot({
    token: TOKEN,
    apiRoot: options.root ?? apiRoot,
    ...(options.botInfo !== null && { botInfo: options.botInfo ?? BOT_INFO }),
    client: { timeoutSeconds: options.timeoutSeconds ?? 5 },
  });
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

// ---------------------------------------------------------------------------------------------
// Update fixtures
// ---------------------------------------------------------------------------------------------

const USER = { id: 5550001, is_bot: false, first_name: "Nguyễn", last_name: "Văn An", language_code: "vi" };
const PRIVATE_CHAT = { id: 5550001, type: "private" as const, first_name: "Nguyễn" };
const DATE = 1_760_000_000;

function messageUpdate(
  updateId: number,
  fields: Record<string, unknown>,
  chat: object = PRIVATE_CHAT,
): Update {
  return {
    update_id: updateId,
    message: { message_id: 42, date: DATE, chat, from: USER, ...fields },
  } as unknown as Update;
}

function callbackUpdate(updateId: number, data: string | undefined, chat: object = PRIVATE_CHAT): Update {
  return {
    update_id: updateId,
    callback_query: {
      id: `cbq-${updateId}`,
      from: USER,
      chat_instance: "ci-1",
      ...(data !== undefined && { data }),
      message: { message_id: 41, date: DATE, chat, from: { ...BOT_INFO }, text: "Ông/bà cần gì ạ?" },
    },
  } as unknown as Update;
}

function expectUnsupported(result: ReturnType<typeof toIncoming>): TelegramUnsupported {
  expect(result.kind).toBe("unsupported");
  return result as TelegramUnsupported;
}

// ---------------------------------------------------------------------------------------------
// toIncoming
// ---------------------------------------------------------------------------------------------

describe("toIncoming", () => {
  it("maps a private text message", () => {
    const result = toIncoming(messageUpdate(9001, { text: "Đường Lê Duẩn có ổ gà lớn" }));
    expect(result).toEqual({
      kind: "message",
      externalId: "9001",
      updateType: "message",
      message: {
        channel: "telegram",
        chatId: "5550001",
        userId: "5550001",
        displayName: "Nguyễn Văn An",
        text: "Đường Lê Duẩn có ổ gà lớn",
        externalId: "9001",
        isGroup: false,
        receivedAt: new Date(DATE * 1000),
      },
    });
  });

  it.each([
    ["/start", "/start"],
    ["/gui", "/gui"],
    ["/tracuu", "/tracuu"],
    ["/huy", "/huy"],
    ["/trogiup", "/trogiup"],
    ["/GUI", "/gui"],
    ["/start@HopThuDanBot", "/start"],
    ["/tracuu@hopthudanbot DN-2025-000123", "/tracuu"],
    ["/start deep-link-payload", "/start"],
  ])("maps the command %j to the text %j", (text, expected) => {
    const result = toIncoming(messageUpdate(1, { text }), { botUsername: "HopThuDanBot" });
    expect(result.kind).toBe("message");
    if (result.kind !== "message") return;
    expect(result.message.text).toBe(expected);
    expect(result.command?.known).toBe(true);
  });

  it("keeps a command's arguments and target aside", () => {
    const result = toIncoming(messageUpdate(1, { text: "/tracuu@HopThuDanBot  DN-2025-000123 " }));
    expect(result.kind === "message" && result.command).toEqual({
      name: "tracuu",
      args: "DN-2025-000123",
      known: true,
      target: "HopThuDanBot",
    });
  });

  it("passes other commands through, without the @bot suffix", () => {
    const help = toIncoming(messageUpdate(1, { text: "/help@HopThuDanBot" }));
    expect(help.kind === "message" && help.message.text).toBe("/help");
    expect(help.kind === "message" && help.command?.known).toBe(false);
    // Not a command: "/" inside a word or a path.
    const path = toIncoming(messageUpdate(2, { text: "/đường/phố" }));
    expect(path.kind === "message" && path.message.text).toBe("/đường/phố");
    expect(path.kind === "message" && path.command).toBeUndefined();
  });

  it("treats a command for another bot as unsupported when the bot's username is known", () => {
    const group = { id: -100777, type: "supergroup", title: "Tổ dân phố 5" };
    const result = expectUnsupported(
      toIncoming(messageUpdate(3, { text: "/start@OtherBot" }, group), { botUsername: "HopThuDanBot" }),
    );
    expect(result).toMatchObject({ reason: "other_bot", chatId: "-100777", isGroup: true });
    // Without the username it cannot tell, and maps the command.
    const unknownBot = toIncoming(messageUpdate(3, { text: "/start@OtherBot" }, group));
    expect(unknownBot.kind === "message" && unknownBot.message.text).toBe("/start");
  });

  it("maps a button click to the choice id and keeps the callback query id", () => {
    const result = toIncoming(callbackUpdate(9002, "topic:road"));
    expect(result).toEqual({
      kind: "message",
      externalId: "9002",
      updateType: "callback_query",
      callbackQueryId: "cbq-9002",
      message: {
        channel: "telegram",
        chatId: "5550001",
        userId: "5550001",
        displayName: "Nguyễn Văn An",
        externalId: "9002",
        isGroup: false,
        text: "topic:road",
      },
    });
  });

  it("a callback query without data is unsupported but still carries its id", () => {
    const result = expectUnsupported(toIncoming(callbackUpdate(9003, undefined)));
    expect(result).toMatchObject({
      reason: "callback_without_data",
      callbackQueryId: "cbq-9003",
      chatId: "5550001",
    });
  });

  it("maps a photo to its largest size's file_id, with the caption as text", () => {
    const photo = [
      { file_id: "small", file_unique_id: "a", width: 90, height: 60, file_size: 1_000 },
      { file_id: "large", file_unique_id: "c", width: 1280, height: 853, file_size: 120_000 },
      { file_id: "medium", file_unique_id: "b", width: 320, height: 213, file_size: 12_000 },
    ];
    const result = toIncoming(messageUpdate(9004, { photo, caption: "Rác ở chân cầu" }));
    expect(result.kind).toBe("message");
    if (result.kind !== "message") return;
    expect(result.message.photo).toEqual({ ref: "large" });
    expect(result.message.text).toBe("Rác ở chân cầu");
    const bare = toIncoming(messageUpdate(9005, { photo }));
    expect(bare.kind === "message" && bare.message).not.toHaveProperty("text");
  });

  it("maps an image sent as a document like a photo; other documents are unsupported", () => {
    const image = toIncoming(
      messageUpdate(1, { document: { file_id: "doc-img", file_unique_id: "d", mime_type: "image/jpeg" } }),
    );
    expect(image.kind === "message" && image.message.photo).toEqual({ ref: "doc-img" });
    const pdf = expectUnsupported(
      toIncoming(
        messageUpdate(2, {
          document: { file_id: "doc-pdf", file_unique_id: "e", mime_type: "application/pdf" },
        }),
      ),
    );
    expect(pdf).toMatchObject({ reason: "document", chatId: "5550001", isGroup: false });
  });

  it("marks group, supergroup and channel messages as group messages", () => {
    const group = toIncoming(
      messageUpdate(1, { text: "alo" }, { id: -4001, type: "group", title: "Khu phố 3" }),
    );
    expect(group.kind === "message" && group.message).toMatchObject({
      chatId: "-4001",
      userId: "5550001",
      isGroup: true,
      displayName: "Nguyễn Văn An",
    });
    const supergroup = toIncoming(
      messageUpdate(2, { text: "alo" }, { id: -1002001, type: "supergroup", title: "P" }),
    );
    expect(supergroup.kind === "message" && supergroup.message.isGroup).toBe(true);
    const post = toIncoming({
      update_id: 3,
      channel_post: {
        message_id: 1,
        date: DATE,
        chat: { id: -1003003, type: "channel", title: "Tin phường" },
        text: "Thông báo",
      },
    } as Update);
    expect(post).toMatchObject({
      kind: "message",
      updateType: "channel_post",
      message: { chatId: "-1003003", userId: "-1003003", isGroup: true, displayName: "Tin phường" },
    });
  });

  it("an edited message is unsupported, with where an answer would go", () => {
    const result = expectUnsupported(
      toIncoming({
        update_id: 9006,
        edited_message: {
          message_id: 42,
          date: DATE,
          edit_date: DATE + 5,
          chat: PRIVATE_CHAT,
          from: USER,
          text: "sửa",
        },
      } as unknown as Update),
    );
    expect(result).toEqual({
      kind: "unsupported",
      reason: "edited",
      detail: "update.edited_message",
      externalId: "9006",
      updateType: "edited_message",
      chatId: "5550001",
      userId: "5550001",
      isGroup: false,
    });
  });

  it.each([
    ["sticker", { sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1 } }],
    ["voice", { voice: { file_id: "v", file_unique_id: "v", duration: 3 } }],
    ["location", { location: { latitude: 16.06, longitude: 108.22 } }],
    [
      "location",
      { venue: { location: { latitude: 16, longitude: 108 }, title: "Chợ Hàn", address: "Hải Châu" } },
    ],
    ["contact", { contact: { phone_number: "0905000000", first_name: "An" } }],
    ["poll", { poll: { id: "p", question: "?", options: [] } }],
    ["animation", { animation: { file_id: "a" }, document: { file_id: "a", mime_type: "image/gif" } }],
    ["service", { new_chat_members: [USER] }],
    ["other_content", { dice: { emoji: "🎲", value: 3 } }],
  ])("a %s message is unsupported", (reason, fields) => {
    const result = expectUnsupported(toIncoming(messageUpdate(7, fields)));
    expect(result.reason).toBe(reason);
    expect(result.chatId).toBe("5550001");
    expect(result.externalId).toBe("7");
  });

  it("other update types are unsupported: poll, my_chat_member, unknown", () => {
    const poll = expectUnsupported(
      toIncoming({ update_id: 1, poll: { id: "p", question: "?", options: [] } } as unknown as Update),
    );
    expect(poll.reason).toBe("poll");
    const blocked = expectUnsupported(
      toIncoming({
        update_id: 2,
        my_chat_member: {
          chat: PRIVATE_CHAT,
          from: USER,
          date: DATE,
          old_chat_member: { status: "member", user: BOT_INFO },
          new_chat_member: { status: "kicked", user: BOT_INFO, until_date: 0 },
        },
      } as unknown as Update),
    );
    expect(blocked).toMatchObject({ reason: "membership", updateType: "my_chat_member", chatId: "5550001" });
    const unknown = expectUnsupported(toIncoming({ update_id: 3, message_reaction_2030: { x: 1 } }));
    expect(unknown).toMatchObject({
      reason: "unknown_update",
      updateType: "message_reaction_2030",
      detail: "update.message_reaction_2030",
      externalId: "3",
    });
  });

  it("never throws on malformed input", () => {
    const inputs: unknown[] = [
      { update_id: 1 },
      { update_id: 1, message: null },
      { update_id: 1, message: [] },
      { update_id: 1, message: { message_id: 1, date: DATE, text: "no chat" } },
      { update_id: 1, callback_query: { id: "x", data: "y" } },
      { update_id: "1", message: { chat: PRIVATE_CHAT, text: "a" } },
      {},
    ];
    for (const input of inputs) {
      const result = expectUnsupported(toIncoming(input as Update));
      expect(["invalid", "unknown_update"]).toContain(result.reason);
    }
  });

  it("unsupportedReplyText answers politely in private chats and stays quiet elsewhere", () => {
    const sticker = expectUnsupported(
      toIncoming(messageUpdate(1, { sticker: { file_id: "s", file_unique_id: "s", type: "regular" } })),
    );
    expect(unsupportedReplyText(sticker)).toBe(telegramStrings.unsupported.sticker);
    const groupSticker = expectUnsupported(
      toIncoming(messageUpdate(2, { sticker: { file_id: "s" } }, { id: -1, type: "group", title: "G" })),
    );
    expect(unsupportedReplyText(groupSticker)).toBeUndefined();
    const membership = expectUnsupported(
      toIncoming({ update_id: 3, my_chat_member: { chat: PRIVATE_CHAT, from: USER } } as unknown as Update),
    );
    expect(unsupportedReplyText(membership)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Keyboard and callback data
// ---------------------------------------------------------------------------------------------

describe("inline keyboard", () => {
  it("puts short labels two to a row and long ones one to a row", () => {
    const short: Choice[] = [
      { id: "next", label: "Tiếp tục" },
      { id: "cancel", label: "Hủy" },
      { id: "skip", label: "Bỏ qua" },
    ];
    expect(inlineKeyboard(short)).toEqual({
      inline_keyboard: [
        [
          { text: "Tiếp tục", callback_data: "next" },
          { text: "Hủy", callback_data: "cancel" },
        ],
        [{ text: "Bỏ qua", callback_data: "skip" }],
      ],
    });
    const long: Choice[] = [
      { id: "file", label: "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo" },
      { id: "lookup", label: "Tra cứu hồ sơ" },
    ];
    expect(inlineKeyboard(long)?.inline_keyboard.map((row) => row.length)).toEqual([1, 1]);
    expect(inlineKeyboard([])).toBeUndefined();
  });

  it("maps ids over 64 bytes (UTF-8) to short data that a click resolves back", () => {
    // 36 characters but 66 bytes: the limit is in bytes.
    const longId = `place:${"đ".repeat(30)}`;
    const offered: Choice[] = [
      { id: "yes", label: "Đúng" },
      { id: longId, label: "Phường Hải Châu" },
      { id: "~tilde", label: "Reserved prefix" },
    ];
    const keyboard = inlineKeyboard(offered)!;
    const data = keyboard.inline_keyboard.flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
    expect(data[0]).toBe("yes");
    expect(data[1]).toMatch(/^~2~[0-9a-z]+$/);
    expect(data[2]).toMatch(/^~3~[0-9a-z]+$/);
    for (const d of data) expect(new TextEncoder().encode(d).length).toBeLessThanOrEqual(64);
    // With the offered choices: the exact id. Without: the position, which the dialogue reads.
    expect(toIncoming(callbackUpdate(1, data[1]), { offered }).kind === "message").toBe(true);
    const resolved = toIncoming(callbackUpdate(1, data[1]), { offered });
    expect(resolved.kind === "message" && resolved.message.text).toBe(longId);
    const positional = toIncoming(callbackUpdate(1, data[1]));
    expect(positional.kind === "message" && positional.message.text).toBe("2");
    expect(decodeCallbackData(data[2]!, offered)).toEqual({ kind: "id", text: "~tilde" });
    // A button of an older keyboard.
    const stale = expectUnsupported(
      toIncoming(callbackUpdate(1, data[1]), { offered: [{ id: "yes", label: "Đúng" }] }),
    );
    expect(stale).toMatchObject({ reason: "stale_button", callbackQueryId: "cbq-1" });
    expect(callbackDataFor("", 0)).toMatch(/^~1~/);
  });
});

// ---------------------------------------------------------------------------------------------
// TelegramSender
// ---------------------------------------------------------------------------------------------

describe("TelegramSender", () => {
  it("sends a reply with an inline keyboard: the exact JSON on the wire", async () => {
    const sender = new TelegramSender({ bot: makeBot() });
    expect(sender.channel).toBe("telegram");
    const sent = await sender.send({
      chatId: "5550001",
      text: "Ông/bà cần gì ạ?",
      choices: [
        { id: "file", label: "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo" },
        { id: "lookup", label: "Tra cứu hồ sơ" },
        { id: "help", label: "Hướng dẫn" },
      ],
    });
    expect(sent).toEqual({ externalMessageId: "100" });
    expect(received.map((r) => r.method)).toEqual(["sendMessage"]);
    const [call] = received;
    expect(call!.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(call!.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(call!.rawBody)).toEqual({
      chat_id: 5550001,
      text: "Ông/bà cần gì ạ?",
      reply_markup: {
        inline_keyboard: [
          [{ text: "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo", callback_data: "file" }],
          [{ text: "Tra cứu hồ sơ", callback_data: "lookup" }],
          [{ text: "Hướng dẫn", callback_data: "help" }],
        ],
      },
    });
  });

  it("sends a text without choices without reply_markup", async () => {
    const sender = new TelegramSender({ bot: makeBot() });
    await sender.send({ chatId: "-1001234567890", text: "Xin chào" });
    expect(JSON.parse(received[0]!.rawBody)).toEqual({ chat_id: -1001234567890, text: "Xin chào" });
  });

  it("splits a 10,000-character text; the keyboard goes on the last chunk", async () => {
    const sentence = "Người dân phản ánh tình trạng ngập úng kéo dài tại khu dân cư. ";
    let text = "";
    for (let p = 0; text.length < 10_000; p++)
      text += `${sentence.repeat(6).trim()}${p % 3 === 2 ? "\n\n" : " "}`;
    text = text.slice(0, 10_000).trim();
    const sender = new TelegramSender({ bot: makeBot() });
    const sent = await sender.send({ chatId: "5550001", text, choices: [{ id: "next", label: "Tiếp tục" }] });

    const sends = calls("sendMessage");
    expect(sends).toHaveLength(3);
    const texts = sends.map((r) => r.body.text as string);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(4096);
    expect(texts.join(" ").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
    expect(sends.slice(0, 2).every((r) => !("reply_markup" in r.body))).toBe(true);
    expect(sends[2]!.body.reply_markup).toEqual({
      inline_keyboard: [[{ text: "Tiếp tục", callback_data: "next" }]],
    });
    expect(sent.externalMessageId).toBe("102");
  });

  it("an empty text with choices goes out with a short prompt; without choices it is refused", async () => {
    const sender = new TelegramSender({ bot: makeBot() });
    await sender.send({ chatId: "5550001", text: "  ", choices: [{ id: "yes", label: "Đúng" }] });
    expect(received[0]!.body.text).toBe(telegramStrings.chooseOne);
    const error = await deliveryError(sender.send({ chatId: "5550001", text: "" }));
    expect(error.retryable).toBe(false);
    expect(received).toHaveLength(1);
  });

  it("429 → retryable DeliveryError with retryAfterSeconds from parameters.retry_after", async () => {
    script("sendMessage", apiError(429, "Too Many Requests: retry after 7", { retry_after: 7 }));
    const error = await deliveryError(
      new TelegramSender({ bot: makeBot() }).send({ chatId: "1", text: "a" }),
    );
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.message).toContain("429");
  });

  it("403 (bot blocked) and 400 (chat not found) → not retryable", async () => {
    script("sendMessage", apiError(403, "Forbidden: bot was blocked by the user"));
    script("sendMessage", apiError(400, "Bad Request: chat not found"));
    const sender = new TelegramSender({ bot: makeBot() });
    const blocked = await deliveryError(sender.send({ chatId: "1", text: "a" }));
    expect(blocked.retryable).toBe(false);
    expect(blocked.retryAfterSeconds).toBeUndefined();
    expect(blocked.message).toContain("bot was blocked by the user");
    const notFound = await deliveryError(sender.send({ chatId: "2", text: "a" }));
    expect(notFound.retryable).toBe(false);
  });

  it("500, a non-JSON 502 and a JSON answer that is not the Bot API's → retryable", async () => {
    script(
      "sendMessage",
      apiError(500, "Internal Server Error"),
      { status: 502, raw: "<html>Bad gateway</html>" },
      { status: 503, body: "Service Unavailable" },
    );
    const sender = new TelegramSender({ bot: makeBot() });
    for (let i = 0; i < 3; i++) {
      const error = await deliveryError(sender.send({ chatId: "1", text: "a" }));
      expect(error.retryable).toBe(true);
      expect(`${error.message}${inspect(error, { depth: 5 })}`).not.toContain(TOKEN);
    }
  });

  it("a hanging server → client timeout → retryable", async () => {
    script("sendMessage", "hang");
    const started = Date.now();
    const sender = new TelegramSender({ bot: makeBot({ timeoutSeconds: 0.3 }) });
    const error = await deliveryError(sender.send({ chatId: "1", text: "a" }));
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("the send deadline covers all chunks → retryable", async () => {
    script("sendMessage", "hang");
    const sender = new TelegramSender({ bot: makeBot({ timeoutSeconds: 30 }), sendTimeoutMs: 300 });
    const error = await deliveryError(sender.send({ chatId: "1", text: "a" }));
    expect(error.retryable).toBe(true);
  });

  it("a refused connection → retryable, and the token shows nowhere", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const sender = new TelegramSender({ bot: makeBot({ root: `http://127.0.0.1:${port}` }) });
    const error = await deliveryError(sender.send({ chatId: "1", text: "a" }));
    expect(error.retryable).toBe(true);
    const shown = `${error.message}\n${error.stack}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(TOKEN.split(":")[1]);
    expect(inspect(sender, { depth: 5 })).not.toContain(TOKEN);
    expect(JSON.stringify(sender)).not.toContain(TOKEN);
  });

  it("fetchPhotoUrl: getFile, then the file URL on the apiRoot", async () => {
    const sender = new TelegramSender({ bot: makeBot() });
    const url = await sender.fetchPhotoUrl("AgACAgIAAxkBAAIB");
    expect(calls("getFile").map((r) => r.body)).toEqual([{ file_id: "AgACAgIAAxkBAAIB" }]);
    expect(url).toBe(`${apiRoot}/file/bot${TOKEN}/photos/file_7.jpg`);
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect([...bytes]).toEqual([0xff, 0xd8, 0xff, 0xd9]);

    script("getFile", apiError(400, "Bad Request: invalid file_id"));
    const error = await deliveryError(sender.fetchPhotoUrl("nope"));
    expect(error.retryable).toBe(false);
    expect(`${error.message}${inspect(error)}`).not.toContain(TOKEN);
    script("getFile", { status: 200, body: { ok: true, result: { file_id: "big", file_unique_id: "u" } } });
    expect((await deliveryError(sender.fetchPhotoUrl("big"))).retryable).toBe(false);
  });

  it("answerCallback answers the query and never throws", async () => {
    const sender = new TelegramSender({ bot: makeBot() });
    expect(await sender.answerCallback("cbq-1")).toBe(true);
    expect(calls("answerCallbackQuery").map((r) => r.body)).toEqual([{ callback_query_id: "cbq-1" }]);
    script("answerCallbackQuery", apiError(400, "Bad Request: query is too old"));
    expect(await sender.answerCallback("cbq-2")).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Bot and commands
// ---------------------------------------------------------------------------------------------

describe("createTelegramBot and registerCommands", () => {
  it("with botInfo no getMe is needed; setMyCommands sends the Vietnamese menu", async () => {
    const bot = makeBot();
    expect(bot.isInited()).toBe(true);
    expect(bot.botInfo.username).toBe("HopThuDanBot");
    await registerCommands(bot);
    expect(received.map((r) => r.method)).toEqual(["setMyCommands"]);
    expect(JSON.parse(received[0]!.rawBody)).toEqual({
      commands: [
        { command: "start", description: "Bắt đầu" },
        { command: "gui", description: "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo" },
        { command: "tracuu", description: "Tra cứu hồ sơ bằng mã" },
        { command: "huy", description: "Hủy thao tác đang làm" },
        { command: "trogiup", description: "Hướng dẫn sử dụng" },
      ],
    });
  });

  it("refuses a malformed token without quoting it", () => {
    expect(() => createTelegramBot({ token: "has space/slash" })).toThrow(/token must be/);
    try {
      createTelegramBot({ token: "has space/slash" });
    } catch (e) {
      expect(String(e)).not.toContain("has space");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Webhook route
// ---------------------------------------------------------------------------------------------

describe("telegramWebhookRoute", () => {
  const update = messageUpdate(8801, { text: "Cột đèn bị đổ" });

  function route(
    onUpdate = vi.fn(async (_u: Update, _raw: unknown) => {}),
    extra: { withBot?: boolean } = {},
  ) {
    const app = telegramWebhookRoute({
      secretToken: SECRET,
      onUpdate,
      ...(extra.withBot && { bot: makeBot() }),
    });
    return { app, onUpdate };
  }

  function post(app: ReturnType<typeof route>["app"], body: string, headers: Record<string, string> = {}) {
    return app.request("/webhooks/telegram", {
      method: "POST",
      headers: { "content-type": "application/json", [TELEGRAM_SECRET_HEADER]: SECRET, ...headers },
      body,
    }) as Promise<Response>;
  }

  it("right secret → onUpdate called once with the update, then 200", async () => {
    const { app, onUpdate } = route();
    const res = await post(app, JSON.stringify(update));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(onUpdate).toHaveBeenCalledTimes(1);
    expect(onUpdate.mock.calls[0]![0]).toEqual(update);
    expect(onUpdate.mock.calls[0]![1]).toEqual(update);
  });

  it("answers only after onUpdate resolved", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app } = route(vi.fn(() => gate));
    let answered = false;
    const pending = post(app, JSON.stringify(update)).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    expect((await pending).status).toBe(200);
  });

  it("wrong or missing secret → 401, onUpdate never called", async () => {
    const { app, onUpdate } = route();
    expect((await post(app, JSON.stringify(update), { [TELEGRAM_SECRET_HEADER]: `${SECRET}x` })).status).toBe(
      401,
    );
    expect((await post(app, JSON.stringify(update), { [TELEGRAM_SECRET_HEADER]: "" })).status).toBe(401);
    const missing = await app.request("/webhooks/telegram", { method: "POST", body: JSON.stringify(update) });
    expect(missing.status).toBe(401);
    // The secret is checked before the body: even a malformed or huge body gets 401.
    expect((await post(app, "{not json", { [TELEGRAM_SECRET_HEADER]: "wrong" })).status).toBe(401);
    expect(onUpdate).not.toHaveBeenCalled();
  });

  it("malformed JSON → 400", async () => {
    const { app, onUpdate } = route();
    expect((await post(app, '{"update_id": 1,')).status).toBe(400);
    expect((await post(app, "")).status).toBe(400);
    expect(onUpdate).not.toHaveBeenCalled();
  });

  it("not an object, or no numeric update_id → 400", async () => {
    const { app, onUpdate } = route();
    for (const body of [
      "[]",
      "null",
      "42",
      '"x"',
      "{}",
      '{"update_id":"1"}',
      '{"update_id":-1}',
      '{"update_id":1.5}',
    ]) {
      expect((await post(app, body)).status, body).toBe(400);
    }
    expect(onUpdate).not.toHaveBeenCalled();
  });

  it("a 2 MB body → 413", async () => {
    const { app, onUpdate } = route();
    const big = JSON.stringify({ update_id: 1, message: { text: "x".repeat(2 * 1024 * 1024) } });
    const res = await post(app, big, { "content-length": String(big.length) });
    expect(res.status).toBe(413);
    expect(onUpdate).not.toHaveBeenCalled();
  });

  it("a 2 MB body over real HTTP, with and without Content-Length → 413", async () => {
    const { app, onUpdate } = route();
    const httpServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/webhooks/telegram`;
      const big = JSON.stringify({ update_id: 1, message: { text: "x".repeat(2 * 1024 * 1024) } });
      const headers = { "content-type": "application/json", [TELEGRAM_SECRET_HEADER]: SECRET };
      const small = await fetch(url, { method: "POST", headers, body: JSON.stringify(update) });
      expect(small.status).toBe(200);
      const withLength = await fetch(url, { method: "POST", headers, body: big });
      expect(withLength.status).toBe(413);
      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
          controller.close();
        },
      });
      const chunked = await fetch(url, {
        method: "POST",
        headers,
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(onUpdate).toHaveBeenCalledTimes(1);
    } finally {
      (httpServer as Server).closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
  });

  it("onUpdate throws (storage down) → 503", async () => {
    const { app } = route(
      vi.fn(async () => {
        throw new Error("database unavailable");
      }),
    );
    const res = await post(app, JSON.stringify(update));
    expect(res.status).toBe(503);
  });

  it("a button click is answered as a webhook reply, or through the API when a bot is given", async () => {
    const click = callbackUpdate(8802, "lookup");
    const plain = route();
    const res = await post(plain.app, JSON.stringify(click));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: "answerCallbackQuery", callback_query_id: "cbq-8802" });

    const withBot = route(undefined, { withBot: true });
    const res2 = await post(withBot.app, JSON.stringify(click));
    expect(res2.status).toBe(200);
    expect(await res2.text()).toBe("");
    await vi.waitFor(() =>
      expect(calls("answerCallbackQuery").map((r) => r.body)).toEqual([{ callback_query_id: "cbq-8802" }]),
    );
  });

  it("refuses a missing or malformed secret at construction", () => {
    const onUpdate = async () => {};
    expect(() => telegramWebhookRoute({ secretToken: "", onUpdate })).toThrow(TypeError);
    expect(() => telegramWebhookRoute({ secretToken: "has space", onUpdate })).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Long polling
// ---------------------------------------------------------------------------------------------

describe("startPolling", () => {
  const fast = { pollTimeoutSeconds: 1, backoff: { initialMs: 10, maxMs: 40 } };

  function offsets(): (number | undefined)[] {
    return calls("getUpdates").map((r) => r.body.offset as number | undefined);
  }

  it("moves the offset past an update only after onUpdate resolved; stops on abort", async () => {
    pushUpdates(messageUpdate(501, { text: "một" }), messageUpdate(502, { text: "hai" }));
    const gates = new Map<number, () => void>();
    const stored: number[] = [];
    const onUpdate = vi.fn(
      (u: Update) =>
        new Promise<void>((resolve) => {
          gates.set(u.update_id, () => {
            stored.push(u.update_id);
            resolve();
          });
        }),
    );
    const controller = new AbortController();
    const done = startPolling({ bot: makeBot(), onUpdate, signal: controller.signal, ...fast });

    await vi.waitFor(() => expect(gates.has(501)).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Still storing 501: no further getUpdates, so nothing is confirmed yet.
    expect(offsets()).toEqual([undefined]);
    gates.get(501)!();
    await vi.waitFor(() => expect(gates.has(502)).toBe(true));
    expect(offsets()).toEqual([undefined]);
    gates.get(502)!();
    // Both stored: the next poll confirms them.
    await vi.waitFor(() => expect(offsets()).toEqual([undefined, 503]));
    expect(stored).toEqual([501, 502]);
    expect(calls("getUpdates")[0]!.body).toMatchObject({
      limit: 100,
      timeout: 1,
      allowed_updates: ["message", "edited_message", "channel_post", "callback_query", "my_chat_member"],
    });

    // A later update arrives during the long poll.
    pushUpdates(messageUpdate(503, { text: "ba" }));
    await vi.waitFor(() => expect(gates.has(503)).toBe(true));
    gates.get(503)!();
    await vi.waitFor(() => expect(offsets().at(-1)).toBe(504));

    // Abort during the long poll: resolves promptly, no more calls.
    const started = Date.now();
    controller.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(500);
    const count = calls("getUpdates").length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls("getUpdates")).toHaveLength(count);
    expect(calls("getMe")).toHaveLength(0);
    expect(onUpdate).toHaveBeenCalledTimes(3);
  });

  it("an update whose storing fails is fetched again; the offset does not skip it", async () => {
    pushUpdates(
      messageUpdate(601, { text: "a" }),
      messageUpdate(602, { text: "b" }),
      messageUpdate(603, { text: "c" }),
    );
    const seen: number[] = [];
    let failOnce = true;
    const onUpdate = vi.fn(async (u: Update) => {
      seen.push(u.update_id);
      if (u.update_id === 602 && failOnce) {
        failOnce = false;
        throw new Error("database unavailable");
      }
    });
    const controller = new AbortController();
    const done = startPolling({ bot: makeBot(), onUpdate, signal: controller.signal, ...fast });
    await vi.waitFor(() => expect(offsets().at(-1)).toBe(604));
    controller.abort();
    await done;
    expect(seen).toEqual([601, 602, 602, 603]);
    // After the failure the next poll starts at 602 (601 confirmed, 602 not).
    expect(offsets().slice(0, 3)).toEqual([undefined, 602, 604]);
  });

  it("backs off and retries when getUpdates fails (500, 429, timeout)", async () => {
    script(
      "getUpdates",
      apiError(500, "Internal Server Error"),
      apiError(429, "Too Many Requests", { retry_after: 0 }),
    );
    script("getUpdates", "hang");
    pushUpdates(messageUpdate(701, { text: "a" }));
    const onUpdate = vi.fn(async () => {});
    const warn = vi.fn();
    const controller = new AbortController();
    const done = startPolling({
      bot: makeBot({ timeoutSeconds: 1.5 }),
      onUpdate,
      signal: controller.signal,
      logger: { warn, error: vi.fn() },
      ...fast,
    });
    await vi.waitFor(() => expect(onUpdate).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    controller.abort();
    await done;
    expect(warn).toHaveBeenCalledTimes(3);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(TOKEN);
  });

  it("without botInfo it calls getMe once, and answers button clicks once stored", async () => {
    pushUpdates(callbackUpdate(801, "help"));
    const onUpdate = vi.fn(async () => {});
    const controller = new AbortController();
    const bot = makeBot({ botInfo: null });
    expect(bot.isInited()).toBe(false);
    const done = startPolling({ bot, onUpdate, signal: controller.signal, ...fast });
    await vi.waitFor(() => expect(calls("answerCallbackQuery")).toHaveLength(1));
    controller.abort();
    await done;
    expect(calls("getMe")).toHaveLength(1);
    expect(bot.botInfo.username).toBe("HopThuDanBot");
    expect(calls("answerCallbackQuery")[0]!.body).toEqual({ callback_query_id: "cbq-801" });
    // Answered after it was stored.
    expect(onUpdate).toHaveBeenCalledTimes(1);
    const order = received.map((r) => r.method);
    expect(order.indexOf("answerCallbackQuery")).toBeGreaterThan(order.indexOf("getUpdates"));
  });

  it("rejects when the token is refused (401)", async () => {
    script("getUpdates", apiError(401, "Unauthorized"));
    const controller = new AbortController();
    await expect(
      startPolling({ bot: makeBot(), onUpdate: async () => {}, signal: controller.signal, ...fast }),
    ).rejects.toThrow(/token was refused/);
  });

  it("returns at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await startPolling({ bot: makeBot(), onUpdate: async () => {}, signal: controller.signal });
    expect(received).toHaveLength(0);
  });
});
