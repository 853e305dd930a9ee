/**
 * The product wired as in production (createRuntime) with its Telegram and Zalo clients pointed at
 * the loopback stand-ins, on either database, plus citizens who talk to it over the webhooks.
 * Used by the suites of test/messaging/.
 */
import { callbackDataFor } from "../../src/channels/telegram/keyboard.ts";
import { renderChoices } from "../../src/channels/zalo/adapter.ts";
import type { Choice } from "../../src/intake/types.ts";
import type { OfficialRef } from "../../src/queue/actions.ts";
import { createRuntime, type Runtime, type RuntimeOptions } from "../../src/runtime.ts";
import { createScratchDatabase } from "./db.ts";
import { type StandIn, startTelegramStandIn, startZaloStandIn, tg, zalo } from "./standins.ts";

export const TELEGRAM_TOKEN = "123456:TEST-telegram-token_abcdefghij";
export const TELEGRAM_SECRET = "tg-webhook-secret_0123456789";
export const ZALO_TOKEN = "424242:zalo-test-secret-abcdefgh";
export const ZALO_SECRET = "zalo-webhook-secret-0123456789";
export const PUBLIC_URL = "https://hopthu.example.vn";
export const TELEGRAM_BOT_INFO = {
  id: 42,
  is_bot: true as const,
  first_name: "Hộp thư dân",
  username: "hopthudan_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

export type DbKind = "pglite" | "postgres";
export type Messenger = "telegram" | "zalo";

export interface Bots {
  kind: DbKind;
  rt: Runtime;
  telegram: StandIn;
  zalo: StandIn;
  close(): Promise<void>;
}

export interface StartBotsOptions {
  /** true (default): PUBLIC_URL and secrets set, webhooks registered; false: long polling. */
  webhook?: boolean;
  /** Merged over the test defaults (short outbox delays, no classifier, bot info). */
  options?: RuntimeOptions;
  /** Call rt.start() (default true). */
  start?: boolean;
}

/** A runtime on a fresh database of `kind` (PGlite in memory, or a scratch PostgreSQL database). */
export async function startBots(kind: DbKind, o: StartBotsOptions = {}): Promise<Bots> {
  const webhook = o.webhook ?? true;
  const [telegram, zaloApi] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
  const scratch = kind === "postgres" ? await createScratchDatabase() : undefined;
  let rt: Runtime | undefined;
  const close = async () => {
    await rt?.close().catch(() => {});
    await Promise.allSettled([telegram.close(), zaloApi.close()]);
    await scratch?.drop();
  };
  try {
    rt = await createRuntime(
      {
        DATA_DIR: "memory://",
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
        LOG_LEVEL: "silent",
        ...(webhook
          ? { PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET, ZALO_WEBHOOK_SECRET: ZALO_SECRET }
          : {}),
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.url,
        ZALO_BOT_TOKEN: ZALO_TOKEN,
        ZALO_API_BASE: zaloApi.url,
      },
      {
        // The dialogue asks the topic: the flows do not depend on a trained model.
        classifier: false,
        classifierDir: "/nonexistent/hopthu-model",
        telegramBotInfo: TELEGRAM_BOT_INFO,
        outboxPolicy: { baseDelayMs: 50, maxDelayMs: 500, lockMs: 5_000, pollIntervalMs: 200 },
        // The production limiter stays in the path, with a per-chat rate that lets a scripted
        // conversation run at test speed (the limits themselves: test/outbox/rate-limit.test.ts).
        rateLimits: {
          telegram: { perSecond: 30, burst: 30, perChatPerSecond: 20, perChatBurst: 3 },
          zalo: { perSecond: 30, burst: 30, perChatPerSecond: 20, perChatBurst: 3 },
        },
        ...o.options,
      },
    );
    if (o.start ?? true) await rt.start();
  } catch (e) {
    await close();
    throw e;
  }
  return { kind, rt, telegram, zalo: zaloApi, close };
}

// ---------------------------------------------------------------------------------------------
// Webhook requests

export function postTelegram(
  bots: Pick<Bots, "rt">,
  body: unknown,
  secret: string | null = TELEGRAM_SECRET,
): Promise<Response> {
  return Promise.resolve(
    bots.rt.app.request("/webhooks/telegram", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "X-Telegram-Bot-Api-Secret-Token": secret }),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export function postZalo(
  bots: Pick<Bots, "rt">,
  body: unknown,
  secret: string | null = ZALO_SECRET,
): Promise<Response> {
  return Promise.resolve(
    bots.rt.app.request("/webhooks/zalo", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "X-Bot-Api-Secret-Token": secret }),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Waiting on the database

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined. */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Waits until the stored update (channel, externalId) left "pending"; returns its row. */
export function processed(
  bots: Pick<Bots, "rt">,
  channel: Messenger,
  externalId: string | number,
  timeoutMs?: number,
) {
  return until(
    async () => {
      // Zalo updates are keyed on chat and message ("<chat>:<message_id>"); tests pass the message id.
      const id = String(externalId);
      const row = await bots.rt.db.inboundUpdate.findFirst({
        where: {
          channel,
          ...(channel === "zalo"
            ? { OR: [{ externalId: id }, { externalId: { endsWith: `:${id}` } }] }
            : { externalId: id }),
        },
      });
      return row && row.status !== "pending" ? row : undefined;
    },
    `update ${channel}:${externalId} to be processed`,
    timeoutMs,
  );
}

export interface QueuedReply {
  text: string;
  choices: Choice[];
}

/** The replies queued for one update (in order). */
export async function repliesFor(
  bots: Pick<Bots, "rt">,
  channel: Messenger,
  externalId: string | number,
): Promise<QueuedReply[]> {
  const rows = await bots.rt.db.outboxMessage.findMany({
    where: { dedupeKey: { startsWith: `in:${channel}:${externalId}:` } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    text: r.text,
    choices: Array.isArray(r.choices) ? (r.choices as unknown as Choice[]) : [],
  }));
}

/** Every message queued for a chat, oldest first. */
export function outboxOf(bots: Pick<Bots, "rt">, channel: Messenger, chatId: string | number) {
  return bots.rt.db.outboxMessage.findMany({
    where: { channel, chatId: String(chatId) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** What the messenger shows for an outbox row (Zalo: the choices as numbered lines). */
export function rendered(channel: Messenger, row: { text: string; choices: unknown }): string {
  const choices = Array.isArray(row.choices) ? (row.choices as Choice[]) : undefined;
  return channel === "zalo" ? renderChoices(row.text, choices) : row.text;
}

/**
 * Waits until every message queued for the chat was sent, then returns what the stand-in
 * received for it (successful sendMessage calls, in order) next to what was queued.
 */
export async function deliveredAll(
  bots: Bots,
  channel: Messenger,
  chatId: string | number,
  timeoutMs = 30_000,
) {
  await until(
    async () => {
      const rows = await outboxOf(bots, channel, chatId);
      return rows.length && rows.every((r) => r.status !== "pending" && r.status !== "sending")
        ? true
        : undefined;
    },
    `every message to ${channel}:${chatId} to be sent`,
    timeoutMs,
  );
  const rows = await outboxOf(bots, channel, chatId);
  return {
    rows,
    expected: rows.filter((r) => r.status === "sent").map((r) => rendered(channel, r)),
    delivered: bots[channel].deliveredTo(chatId),
  };
}

export const official = (agencyId: string, id = `official-${agencyId}`): OfficialRef => ({ id, agencyId });

export function codeIn(text: string): string {
  const m = /Mã hồ sơ: ([2-9A-Z]{4}-[2-9A-Z]{5})/.exec(text);
  if (!m) throw new Error(`no tracking code in: ${text}`);
  return m[1]!;
}

// ---------------------------------------------------------------------------------------------
// Citizens

let sequence = 0;
/** Ids unique within the test process (update ids, chat ids, Zalo message ids). */
export function uniqueNumber(): number {
  return 7_000_000 + (process.pid % 1000) * 10_000 + ++sequence * 7;
}

export interface Turn {
  replies: QueuedReply[];
  /** All reply texts, joined. */
  text: string;
  /** The choices of the last reply. */
  choices: Choice[];
}

async function latest(
  bots: Bots,
  channel: Messenger,
  chatId: string | number,
): Promise<QueuedReply[] | undefined> {
  const row = (await outboxOf(bots, channel, chatId)).at(-1);
  return row
    ? [{ text: row.text, choices: Array.isArray(row.choices) ? (row.choices as unknown as Choice[]) : [] }]
    : undefined;
}

function turnOf(replies: QueuedReply[]): Turn {
  return {
    replies,
    text: replies.map((r) => r.text).join("\n---\n"),
    choices: replies.at(-1)?.choices ?? [],
  };
}

/** A citizen in a private Telegram chat: types texts, taps inline buttons, sends photos. */
export function telegramCitizen(bots: Bots, chatId = uniqueNumber()) {
  let last: Turn = { replies: [], text: "", choices: [] };
  /** The callback_query ids of the buttons tapped so far. */
  const taps: string[] = [];
  const send = async (update: { update_id: number }): Promise<Turn> => {
    const res = await postTelegram(bots, update);
    if (res.status !== 200) throw new Error(`telegram webhook answered ${res.status}: ${await res.text()}`);
    await processed(bots, "telegram", update.update_id);
    last = turnOf(await repliesFor(bots, "telegram", update.update_id));
    return last;
  };
  return {
    chatId,
    taps,
    get last() {
      return last;
    },
    say: (text: string) => send(tg.text(uniqueNumber(), chatId, text)),
    /** Looks at the latest message queued to the chat (e.g. an official's notice) as the last turn. */
    async lastReceived(): Promise<Turn> {
      last = turnOf((await latest(bots, "telegram", chatId)) ?? []);
      return last;
    },
    /** Taps the button of the last reply whose choice id or label is `idOrLabel`. */
    tap(idOrLabel: string): Promise<Turn> {
      const index = last.choices.findIndex((c) => c.id === idOrLabel || c.label === idOrLabel);
      if (index < 0) throw new Error(`no button ${idOrLabel} among ${JSON.stringify(last.choices)}`);
      // What Telegram sends back is the button's callback_data, as the sender encoded it.
      const update = tg.callback(uniqueNumber(), chatId, callbackDataFor(last.choices[index]!.id, index));
      taps.push(update.callback_query.id);
      return send(update);
    },
    photo(fileId: string, caption?: string): Promise<Turn> {
      const updateId = uniqueNumber();
      return send(telegramPhoto(updateId, chatId, fileId, caption));
    },
  };
}

/** A citizen in a private Zalo chat: types texts, answers choices by their number, sends images. */
export function zaloCitizen(bots: Bots, chatId = `zc${uniqueNumber().toString(36)}`) {
  let last: Turn = { replies: [], text: "", choices: [] };
  const send = async (messageId: string, body: unknown): Promise<Turn> => {
    const res = await postZalo(bots, body);
    if (res.status !== 200) throw new Error(`zalo webhook answered ${res.status}: ${await res.text()}`);
    await processed(bots, "zalo", messageId);
    last = turnOf(await repliesFor(bots, "zalo", `${chatId}:${messageId}`));
    return last;
  };
  const newId = () => `zm${uniqueNumber().toString(16)}`;
  return {
    chatId,
    get last() {
      return last;
    },
    say(text: string): Promise<Turn> {
      const id = newId();
      return send(id, zalo.text(id, chatId, text));
    },
    /** Looks at the latest message queued to the chat (e.g. an official's notice) as the last turn. */
    async lastReceived(): Promise<Turn> {
      last = turnOf((await latest(bots, "zalo", chatId)) ?? []);
      return last;
    },
    /** The number Zalo shows in front of the choice (id or label) in the last reply. */
    numberOf(idOrLabel: string): string {
      const index = last.choices.findIndex((c) => c.id === idOrLabel || c.label === idOrLabel);
      if (index < 0) throw new Error(`no choice ${idOrLabel} among ${JSON.stringify(last.choices)}`);
      return String(index + 1);
    },
    /** Answers with the number of a choice of the last reply, as a Zalo user does. */
    pick(idOrLabel: string): Promise<Turn> {
      return this.say(this.numberOf(idOrLabel));
    },
    image(url: string, caption?: string): Promise<Turn> {
      const id = newId();
      return send(id, zalo.image(id, chatId, url, caption));
    },
  };
}

/** A Telegram photo message (sizes smallest first, as Telegram sends them). */
export function telegramPhoto(updateId: number, chatId: number, fileId: string, caption?: string) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: "Dân" },
      from: { id: chatId, is_bot: false, first_name: "Nguyễn", last_name: "Văn A" },
      photo: [
        { file_id: `${fileId}-small`, file_unique_id: `${fileId}-s`, width: 90, height: 67, file_size: 1200 },
        { file_id: fileId, file_unique_id: `${fileId}-l`, width: 1280, height: 960, file_size: 180_000 },
      ],
      ...(caption ? { caption } : {}),
    },
  };
}
