/**
 * Issue 12: the Worker (src/worker.ts) in local workerd (`wrangler dev`), on a scratch database of
 * the PostgreSQL server migrated with `npm run db:migrate` (the deploy step), talking to the
 * loopback Telegram and Zalo stand-ins. A case is filed through the web chat and through the
 * Telegram webhook; the replies reach the stand-in and the cases are in the database; a reply
 * whose first attempt failed is delivered by the Cron Trigger. Run by `npm run test:workers`.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vi } from "../../src/i18n/vi.ts";
import type { Runtime } from "../../src/runtime.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import { createScratchDatabase, postgresReachable, type ScratchDatabase } from "../support/db.ts";
import {
  type Bots,
  codeIn,
  processed,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  type Turn,
  telegramCitizen,
  until,
  ZALO_SECRET,
  ZALO_TOKEN,
  zaloCitizen,
} from "../support/messengers.ts";
import { type StandIn, startTelegramStandIn, startZaloStandIn, tg } from "../support/standins.ts";
import { type LocalWorker, root, startLocalWorker } from "../support/workerd.ts";

const run = promisify(execFile);
const hasPostgres = await postgresReachable();
if (!hasPostgres)
  console.warn("PostgreSQL unreachable: the Workers suite is SKIPPED (Workers have no embedded database).");

/** The answer that takes a citizen on towards a filed case, whatever the classifier decided. */
const PATH = [
  "file",
  "next",
  vi.choice.yes,
  "pakn",
  "topic:transport_infrastructure",
  "no_photo",
  "not_anonymous",
  "anonymous",
  "send",
];
function pick(choices: readonly { id: string; label: string }[]): string {
  for (const step of PATH) {
    const c = choices.find((x) => x.id === step || x.label === step);
    if (c) return c.id;
  }
  throw new Error(`no known choice among ${JSON.stringify(choices)}`);
}
const STREETLIGHT =
  "Đèn đường trên đường Trần Phú, phường Hải Châu bị hỏng cả tháng nay, tối đi rất nguy hiểm";

describe.skipIf(!hasPostgres)("the Worker in local workerd, on PostgreSQL", () => {
  let scratch: ScratchDatabase;
  let db: Db;
  let closeDb: () => Promise<void>;
  let telegram: StandIn;
  let zalo: StandIn;
  let worker: LocalWorker;
  let bots: Bots;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    // The deploy step: the Worker itself never runs the schema engine.
    const migrate = await run(
      process.execPath,
      ["--import", "tsx", path.join(root, "scripts/db.ts"), "migrate"],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: scratch.url },
      },
    );
    expect(migrate.stdout).toContain("Applied:");
    const opened = await openDb({ databaseUrl: scratch.url, migrate: false });
    db = opened.db;
    closeDb = opened.close;
    [telegram, zalo] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
    worker = await startLocalWorker({
      DATABASE_URL: scratch.url,
      LOG_LEVEL: "info",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: telegram.url,
      ZALO_BOT_TOKEN: ZALO_TOKEN,
      ZALO_WEBHOOK_SECRET: ZALO_SECRET,
      ZALO_API_BASE: zalo.url,
    });
    // The helpers of test/messaging post to `rt.app` and read `rt.db`: here the app is the Worker
    // over HTTP and the database is the one it writes to.
    const app = { request: (p: string, init?: RequestInit) => fetch(`${worker.url}${p}`, init) };
    bots = { kind: "postgres", rt: { app, db } as unknown as Runtime, telegram, zalo, close: async () => {} };
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await Promise.allSettled([telegram?.close(), zalo?.close()]);
    await closeDb?.();
    await scratch?.drop();
  });

  it("answers the health check from workerd, on the PostgreSQL server, with the model read from its assets", async () => {
    const res = await fetch(`${worker.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: { status: "ok", kind: "postgres" } });
    expect(worker.output()).toMatch(/"msg":"topic classifier loaded"/);
    const page = await fetch(`${worker.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html lang="vi">');
    // The model files are read through the binding only, never served.
    expect((await fetch(`${worker.url}/manifest.json`)).status).toBe(404);
  });

  it("registers the Worker's webhooks and the command menu with the deploy step (npm run webhooks:register)", async () => {
    const publicUrl = "https://hop-thu-dan.example.workers.dev";
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", path.join(root, "scripts/register-webhooks.ts")],
      {
        cwd: root,
        env: {
          ...process.env,
          PUBLIC_URL: publicUrl,
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
          TELEGRAM_API_ROOT: telegram.url,
          ZALO_BOT_TOKEN: ZALO_TOKEN,
          ZALO_WEBHOOK_SECRET: ZALO_SECRET,
          ZALO_API_BASE: zalo.url,
        },
      },
    );
    expect(stdout).toContain("Telegram: webhook");
    expect(telegram.of("setWebhook").at(-1)?.body).toMatchObject({
      url: `${publicUrl}/webhooks/telegram`,
      secret_token: TELEGRAM_SECRET,
    });
    expect(telegram.of("setMyCommands")).toHaveLength(1);
    expect(zalo.of("setWebhook").at(-1)?.body).toMatchObject({
      url: `${publicUrl}/webhooks/zalo`,
      secret_token: ZALO_SECRET,
    });
  });

  it("files a case through the web chat; the case is in the database", async () => {
    // One browser: the server names the conversation with the cookie it issues.
    let cookie = "";
    const say = async (text: string) => {
      const res = await fetch(`${worker.url}/api/chat/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ text }),
      });
      cookie = res.headers.get("set-cookie")?.split(";")[0] ?? cookie;
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        replies: { text: string; choices?: { id: string; label: string }[] }[];
      };
      return {
        text: body.replies.map((r) => r.text).join("\n"),
        choices: body.replies.at(-1)?.choices ?? [],
      };
    };
    let turn = await say("/start");
    expect(turn.text).toContain("Xin chào");
    turn = await say("file");
    turn = await say(STREETLIGHT);
    for (let i = 0; i < PATH.length && !turn.text.includes("Mã hồ sơ"); i++)
      turn = await say(pick(turn.choices));
    const code = codeIn(turn.text);
    const row = await db.case.findUnique({ where: { code } });
    expect(row).toMatchObject({
      channel: "web",
      placeId: "hai-chau",
      topicId: "transport_infrastructure",
      topicSource: "classifier",
      agencyId: expect.any(String),
    });
    expect(row!.description).toContain("Trần Phú");
    // Its text's embedding was stored at filing (the digest's hot spots read it), on workerd too.
    expect(await db.textEmbedding.count()).toBeGreaterThan(0);
  });

  it("files a case through the Telegram webhook; the replies reach the stand-in and the case is in the database", async () => {
    const c = telegramCitizen(bots);
    let t: Turn = await c.say("/start");
    expect(t.text).toContain("Xin chào Nguyễn Văn A");
    t = await c.tap("file");
    t = await c.say(STREETLIGHT);
    for (let i = 0; i < PATH.length && !t.text.includes("Mã hồ sơ"); i++) t = await c.tap(pick(t.choices));
    const code = codeIn(t.text);
    await telegram.waitFor(() => telegram.deliveredTo(c.chatId).some((x) => x.includes(`Mã hồ sơ: ${code}`)));
    // Every reply was delivered once, in order.
    const rows = await db.outboxMessage.findMany({
      where: { channel: "telegram", chatId: String(c.chatId) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    await until(
      async () =>
        (await db.outboxMessage.count({ where: { chatId: String(c.chatId), status: { not: "sent" } } })) === 0
          ? true
          : undefined,
      "every reply to be sent",
    );
    expect(telegram.deliveredTo(c.chatId)).toEqual(rows.map((r) => r.text));
    // Every button tap was answered (the spinner stops), after the webhook's answer.
    await telegram.waitFor(() =>
      c.taps.every((id) => telegram.of("answerCallbackQuery").some((x) => x.body.callback_query_id === id)),
    );
    const filed = await db.case.findUnique({ where: { code } });
    // Classified on the Worker by the model read from its static assets.
    expect(filed).toMatchObject({
      channel: "telegram",
      placeId: "hai-chau",
      topicId: "transport_infrastructure",
      topicSource: "classifier",
      agencyId: expect.any(String),
    });
    expect(filed!.description).toContain("Trần Phú");
  });

  it("stores a redelivered update once and answers it once; a wrong secret gets 401 and a bad body 400", async () => {
    const chatId = 880_000 + Math.floor(Math.random() * 1000);
    const update = tg.text(99_000_000 + chatId, chatId, "/start");
    const post = (body: string, secret = TELEGRAM_SECRET) =>
      fetch(`${worker.url}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret },
        body,
      });
    expect((await post(JSON.stringify(update))).status).toBe(200);
    expect((await post(JSON.stringify(update))).status).toBe(200);
    await processed(bots, "telegram", update.update_id);
    await telegram.waitFor(() => telegram.deliveredTo(chatId).length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(telegram.textsTo(chatId)).toHaveLength(1);
    expect(await db.inboundUpdate.count({ where: { channel: "telegram", chatId: String(chatId) } })).toBe(1);
    expect((await post(JSON.stringify(update), "wrong-secret")).status).toBe(401);
    expect((await post("{not json")).status).toBe(400);
  });

  it("answers on Zalo through its webhook", async () => {
    const c = zaloCitizen(bots);
    const t = await c.say("/start");
    expect(t.text).toContain("Xin chào");
    await zalo.waitFor(() => zalo.deliveredTo(c.chatId).some((x) => x.includes("Xin chào")));
  });

  it("takes up from the Cron Trigger an acknowledged update whose processing never ran", async () => {
    // As if the isolate had been evicted right after the webhook stored the update and answered.
    const chatId = 870_000 + Math.floor(Math.random() * 1000);
    const update = tg.text(97_000_000 + chatId, chatId, "/start");
    await db.inboundUpdate.create({
      data: {
        channel: "telegram",
        externalId: String(update.update_id),
        chatId: String(chatId),
        payload: update,
      },
    });
    expect((await worker.scheduled()).status).toBe(200);
    await processed(bots, "telegram", update.update_id);
    await telegram.waitFor(() => telegram.deliveredTo(chatId).some((x) => x.includes("Xin chào")));
  });

  it("delivers from the Cron Trigger a reply whose first attempt failed", async () => {
    const chatId = 890_000 + Math.floor(Math.random() * 1000);
    telegram.failNext("sendMessage", { status: 502, description: "Bad Gateway" });
    const update = tg.text(98_000_000 + chatId, chatId, "/start");
    const res = await fetch(`${worker.url}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    const row = await until(async () => {
      const r = await db.outboxMessage.findFirst({ where: { channel: "telegram", chatId: String(chatId) } });
      return r && r.attempts === 1 && r.status === "pending" ? r : undefined;
    }, "the failed first attempt");
    expect(row.lastError).toContain("502");
    expect(telegram.deliveredTo(chatId)).toHaveLength(0);
    // The retry is due after the backoff; the cron run takes it.
    await new Promise((r) => setTimeout(r, Math.max(0, row.nextAttemptAt.getTime() - Date.now()) + 100));
    expect((await worker.scheduled()).status).toBe(200);
    await telegram.waitFor(() => telegram.deliveredTo(chatId).length === 1);
    await until(async () => {
      const r = await db.outboxMessage.findUnique({ where: { id: row.id } });
      return r?.status === "sent" ? r : undefined;
    }, "the message to be marked sent");
  });
});
