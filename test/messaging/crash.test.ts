/**
 * Crash safety of the messenger intake, end to end, on the real product (`src/main.ts` as a child
 * process) over real HTTP: a burst of Telegram and Zalo webhook updates is acknowledged, the server
 * is killed with SIGKILL right after the last acknowledgement, restarted on the same data, and every
 * acknowledged update must then have become exactly what it should: each of its replies delivered
 * exactly once, in order per chat, and each completed filing exactly one case.
 *
 * How exactly-once is made strict. A reply the first process hands to the messenger just before it
 * dies, but has not yet marked sent, is sent again after the restart: that is the documented
 * at-least-once window of the outbox (src/outbox/worker.ts), which no messenger API without
 * idempotency keys can close. A test that kills "right after the acks" would race with that window
 * (the outbox starts delivering while the burst is still being acknowledged). So during the first
 * run the Telegram and Zalo stand-ins HANG every sendMessage (never answer): nothing is delivered
 * before the kill, deterministically, and the first process dies with replies queued, claimed
 * ("sending", leased) and pending, and updates stored but not yet processed or half-processed. The
 * restarted product talks to fresh stand-ins that answer normally; every sendMessage they receive is
 * a delivery, so "exactly once" is asserted strictly on them.
 *
 * What each update should produce is not hard-coded: the same dialogue scripts are first run
 * through the product's web chat (same dialogue, synchronous replies) to learn how many replies each
 * step gives.
 *
 * On PostgreSQL the product is not the only possible processor of its database, so after the crash
 * it cannot take back the claimed rows at once as it does on the embedded database: they wait for
 * their leases to expire (inbound updates 60 s, outbox messages 120 s — documented in
 * src/inbound/processor.ts and src/outbox/worker.ts). That variant therefore takes about two minutes.
 */
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TELEGRAM_MAX_TEXT_LENGTH } from "../../src/channels/telegram/sender.ts";
import { renderChoices } from "../../src/channels/zalo/adapter.ts";
import { splitText, ZALO_MAX_TEXT_LENGTH } from "../../src/channels/zalo/split.ts";
import { vi as strings } from "../../src/i18n/vi.ts";
import type { Choice } from "../../src/intake/types.ts";
import { openDb } from "../../src/store/db.ts";
import { createScratchDatabase, postgresReachable, type ScratchDatabase } from "../support/db.ts";
import { type Product, startProduct } from "../support/process.ts";
import { type StandIn, startTelegramStandIn, startZaloStandIn, tg, zalo } from "../support/standins.ts";

const TELEGRAM_TOKEN = "123456:crash-test-telegram-token_0123";
const TELEGRAM_SECRET = "crash-tg-secret_0123456789";
const ZALO_TOKEN = "777777:crash-test-zalo-secret-abcdef";
const ZALO_SECRET = "crash-zalo-secret-0123456789";
const PUBLIC_URL = "https://hopthu.example";

// With REQUIRE_POSTGRES=1 (CI) an unreachable server makes this throw: the file fails, as it should.
const postgres = await postgresReachable();

// ---------------------------------------------------------------------------------------------
// The dialogue scripts the citizens follow. "tap" = a button on Telegram (a callback query), the
// same id typed on Zalo (the dialogue accepts a choice's id, number or label).

type Say = { text: string; tap?: boolean };
const say = (text: string): Say => ({ text });
const tap = (id: string): Say => ({ text: id, tap: true });

const SCRIPTS = {
  /** A whole filing, ending with a tracking code: one case. */
  filing: [
    say("/start"),
    tap("file"),
    say("Nắp cống trước nhà số 10 đường Lê Lợi, phường Hải Châu bị vỡ, rất nguy hiểm cho người đi đường"),
    say("yes"),
    tap("pakn"),
    tap("topic:transport_infrastructure"),
    tap("anonymous"),
    tap("send"),
  ],
  /** Starts describing, adds a detail, no case yet. */
  draft: [
    say("/start"),
    tap("file"),
    say("Đèn đường trên đường Nguyễn Văn Linh, phường Thanh Khê bị hỏng cả tuần nay"),
    say("Buổi tối rất tối, đã có hai vụ té xe ở đoạn này."),
  ],
  /** Looks up a (mistyped) code, then cancels. */
  lookup: [say("/start"), say("/tracuu"), say("abc"), say("/huy")],
  /** One greeting: the closing wave of new chats. */
  greeting: [say("Xin chào")],
} satisfies Record<string, Say[]>;
type ScriptName = keyof typeof SCRIPTS;

/** Replies per step of each script, learned from the web chat of the same product. */
async function referenceReplies(url: string): Promise<Record<ScriptName, number[]>> {
  const out = {} as Record<ScriptName, number[]>;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    // One browser per script: the server names the conversation with the cookie it issues.
    let cookie = "";
    const counts: number[] = [];
    let last = "";
    for (const step of SCRIPTS[name]) {
      const res = await fetch(`${url}/api/chat/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ text: step.text }),
      });
      cookie = res.headers.get("set-cookie")?.split(";")[0] ?? cookie;
      const raw = await res.text();
      expect(res.status, raw).toBe(200);
      const replies = (JSON.parse(raw) as { replies: { text: string }[] }).replies;
      expect(replies.length, `reference ${name}: "${step.text}" got no reply`).toBeGreaterThan(0);
      counts.push(replies.length);
      last = replies.map((r) => r.text).join("\n");
    }
    if (name === "filing") expect(last).toMatch(/Mã hồ sơ: \S+/);
    out[name] = counts;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The burst: 20 chats (10 Telegram, 10 Zalo), each sending its script one update after the other
// (as the messengers do: a chat's updates arrive in order), all chats at once; then a wave of 40 new
// chats greeting at the same moment, so that the kill also catches updates stored but not yet
// processed (certain on PostgreSQL; on the embedded database see the comment at the kill).

interface Update {
  channel: "telegram" | "zalo";
  chatId: string;
  /** Telegram update_id, Zalo "<chat>:<message_id>". */
  externalId: string;
  body: unknown;
  /** Replies it must produce (0 for a redelivery of an update already acknowledged). */
  replies: number;
  redelivery?: boolean;
}

interface Chat {
  channel: "telegram" | "zalo";
  chatId: string;
  script: ScriptName;
  updates: Update[];
}

function buildChats(reference: Record<ScriptName, number[]>): Chat[] {
  const chats: Chat[] = [];
  const plan: ScriptName[] = [
    "filing",
    "draft",
    "lookup",
    "draft",
    "filing",
    "lookup",
    "draft",
    "lookup",
    "filing",
    "draft",
  ];
  for (let i = 0; i < 20; i++) {
    const channel = i % 2 === 0 ? "telegram" : "zalo";
    const script = plan[Math.floor(i / 2)]!;
    const chatId = channel === "telegram" ? String(9_100_000 + i) : `zc-crash-${i}`;
    const updates: Update[] = SCRIPTS[script].map((step, n) => {
      if (channel === "telegram") {
        const updateId = 700_000 + i * 100 + n;
        const body = step.tap
          ? tg.callback(updateId, Number(chatId), step.text)
          : tg.text(updateId, Number(chatId), step.text);
        return { channel, chatId, externalId: String(updateId), body, replies: reference[script][n]! };
      }
      const messageId = `zm-crash-${i}-${n}`;
      return {
        channel,
        chatId,
        externalId: `${chatId}:${messageId}`,
        body: zalo.text(messageId, chatId, step.text),
        replies: reference[script][n]!,
      };
    });
    // A Zalo citizen also sends a sticker: one polite "text and photos only" reply.
    if (i === 5) {
      const messageId = `zm-crash-${i}-sticker`;
      updates.push({
        channel,
        chatId,
        externalId: `${chatId}:${messageId}`,
        body: zalo.sticker(messageId, chatId),
        replies: 1,
      });
    }
    // Some updates are delivered twice (a messenger retrying after a lost acknowledgement).
    if (i % 5 === 1 || i % 5 === 2) updates.push({ ...updates[1]!, replies: 0, redelivery: true });
    chats.push({ channel, chatId, script, updates });
  }
  return chats;
}

function buildWave(reference: Record<ScriptName, number[]>): Chat[] {
  return Array.from({ length: 40 }, (_, i): Chat => {
    const channel = i % 2 === 0 ? "telegram" : "zalo";
    const text = SCRIPTS.greeting[0]!.text;
    const replies = reference.greeting[0]!;
    if (channel === "telegram") {
      const chatId = String(9_200_000 + i);
      const updateId = 800_000 + i;
      const u: Update = {
        channel,
        chatId,
        externalId: String(updateId),
        body: tg.text(updateId, Number(chatId), text),
        replies,
      };
      return { channel, chatId, script: "greeting", updates: [u] };
    }
    const chatId = `zc-crash-wave-${i}`;
    const messageId = `zm-crash-wave-${i}`;
    return {
      channel,
      chatId,
      script: "greeting",
      updates: [
        {
          channel,
          chatId,
          externalId: `${chatId}:${messageId}`,
          body: zalo.text(messageId, chatId, text),
          replies,
        },
      ],
    };
  });
}

async function post(url: string, u: Update): Promise<number> {
  const telegram = u.channel === "telegram";
  const res = await fetch(`${url}/webhooks/${u.channel}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(telegram
        ? { "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET }
        : { "X-Bot-Api-Secret-Token": ZALO_SECRET }),
    },
    body: JSON.stringify(u.body),
  });
  await res.arrayBuffer();
  return res.status;
}

// ---------------------------------------------------------------------------------------------

function productEnv(db: Db, telegram: StandIn, zaloApi: StandIn): Record<string, string> {
  return {
    DATA_DIR: db.dir,
    ...(db.scratch ? { DATABASE_URL: db.scratch.url } : {}),
    LOG_LEVEL: "warn",
    // Short leases: on PostgreSQL a restarted process takes over the crashed one's claims when they run out.
    INBOUND_LEASE_MS: "5000",
    OUTBOX_LOCK_MS: "8000",
    PUBLIC_URL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    ZALO_BOT_TOKEN: ZALO_TOKEN,
    ZALO_WEBHOOK_SECRET: ZALO_SECRET,
    ZALO_API_BASE: zaloApi.url,
  };
}

interface Db {
  kind: "pglite" | "postgres";
  dir: string;
  scratch?: ScratchDatabase;
}

/** What the messenger should have received for one outbox row (long texts go out in parts). */
function expectedTexts(channel: string, text: string, choices: unknown): string[] {
  if (channel === "zalo")
    return splitText(
      renderChoices(text, Array.isArray(choices) ? (choices as Choice[]) : undefined),
      ZALO_MAX_TEXT_LENGTH,
    );
  return splitText(text, TELEGRAM_MAX_TEXT_LENGTH);
}

/** Waits until `count()` reaches `expected` and then stays put for a second. */
async function settled(
  count: () => number,
  expected: number,
  timeoutMs: number,
  what: () => string,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = count();
    if (n !== last) {
      last = n;
      since = Date.now();
    }
    if (n >= expected && Date.now() - since >= 1_000) return n;
    if (Date.now() > deadline)
      throw new Error(`only ${n} of ${expected} replies arrived in ${timeoutMs} ms\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function crashAndRecover(kind: Db["kind"], recoveryTimeoutMs: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "hopthu-crash-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const db: Db = { kind, dir };
  if (kind === "postgres") {
    db.scratch = await createScratchDatabase();
    cleanups.push(() => db.scratch!.drop());
  }

  // First run: messengers that never answer a sendMessage (see the file's comment).
  const [tgDown, zaloDown] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
  cleanups.push(
    () => tgDown.close(),
    () => zaloDown.close(),
  );
  const hangs = Array.from({ length: 1_000 }, () => ({ hang: true as const }));
  tgDown.failNext("sendMessage", ...hangs);
  zaloDown.failNext("sendMessage", ...hangs);

  // Generous start timeouts: the first start creates the data folder, slow on a shared machine.
  const first: Product = await startProduct(productEnv(db, tgDown, zaloDown), 180_000);
  cleanups.push(() => first.stop("SIGKILL"));
  const reference = await referenceReplies(first.url);
  const scripted = buildChats(reference);
  const wave = buildWave(reference);
  const chats = [...scripted, ...wave];
  const all = chats.flatMap((c) => c.updates);

  const acks = new Map<Update, number>();
  const postAll = (group: Chat[]) =>
    Promise.all(
      group.map(async (chat) => {
        for (const u of chat.updates) acks.set(u, await post(first.url, u));
      }),
    );
  const burstStarted = performance.now();
  await postAll(scripted);
  await postAll(wave);
  const burstMs = performance.now() - burstStarted;
  // The last acknowledgement is in, and (acknowledgements go first: turns mostly wait for the burst
  // to end) the first reply is on its way to a messenger that hangs: kill at once, replies unsent,
  // updates half-processed.
  const replyAttempts = () => tgDown.of("sendMessage").length + zaloDown.of("sendMessage").length;
  for (const until = performance.now() + 60_000; replyAttempts() === 0 && performance.now() < until; )
    await new Promise((r) => setTimeout(r, 5));
  first.child.kill("SIGKILL");
  await first.stop();
  expect(first.child.signalCode).toBe("SIGKILL");

  const acked = all.filter((u) => acks.get(u) === 200);
  expect(
    acked.length,
    `not acknowledged: ${JSON.stringify(all.filter((u) => acks.get(u) !== 200).map((u) => [u.externalId, acks.get(u)]))}`,
  ).toBe(all.length);
  // Nothing reached a citizen before the kill.
  for (const api of [tgDown, zaloDown])
    expect(api.of("sendMessage").every((c) => c.failure !== undefined)).toBe(true);

  // What the kill left behind (read on a copy of the data folder: the product must recover the
  // crashed folder itself, not one this test opened and shut down cleanly).
  const crashState = await inspectCrashState(db);
  console.log(
    `[${kind}] at the SIGKILL: ${acked.length} updates acknowledged in ${(burstMs / 1000).toFixed(1)} s, ${crashState.stored} stored (journal or database), ` +
      `${crashState.processed} processed, ${crashState.queued} replies queued, 0 delivered` +
      (kind === "pglite" ? `; ${crashState.stored - crashState.inDb} only in the journal file` : ""),
  );
  expect(crashState.stored).toBe(new Set(all.map((u) => `${u.channel}:${u.externalId}`)).size);
  // The kill left replies queued but not sent (always: the messengers hung), and updates stored but
  // not yet processed (on the embedded database many are still only in the journal file).
  expect(crashState.queued - crashState.sent).toBeGreaterThan(0);
  expect(crashState.stored - crashState.processed).toBeGreaterThan(0);
  expect(crashState.sent).toBe(0);

  // Second run on the same data, messengers answering again.
  await Promise.all([tgDown.close(), zaloDown.close()]);
  const [telegram, zaloApi] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
  cleanups.push(
    () => telegram.close(),
    () => zaloApi.close(),
  );
  const restartedAt = Date.now();
  const second = await startProduct(productEnv(db, telegram, zaloApi), 180_000);
  cleanups.push(() => second.stop("SIGKILL"));

  const expectedTotal = acked.reduce((n, u) => n + u.replies, 0);
  const sends = () => telegram.of("sendMessage").length + zaloApi.of("sendMessage").length;
  await settled(sends, expectedTotal, recoveryTimeoutMs, () => second.output().slice(-3000));
  console.log(
    `[${kind}] all ${expectedTotal} replies delivered ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`,
  );
  expect(await second.stop(), second.output()).toBe(0);

  // The data, after a clean stop.
  const opened = await openDb(
    db.scratch ? { databaseUrl: db.scratch.url, migrate: false } : { dataDir: dir, migrate: false },
  );
  cleanups.push(() => opened.close());
  const messenger = { channel: { in: ["telegram" as const, "zalo" as const] } };

  // Every acknowledged update was stored once and processed.
  const inbound = await opened.db.inboundUpdate.findMany({ where: messenger });
  const distinct = new Set(acked.map((u) => `${u.channel}:${u.externalId}`));
  expect(inbound.map((r) => `${r.channel}:${r.externalId}`).sort()).toEqual([...distinct].sort());
  expect(
    inbound.filter((r) => r.status !== "processed").map((r) => [r.externalId, r.status, r.lastError]),
  ).toEqual([]);

  // Every update produced exactly its replies (keyed in:<channel>:<externalId>:<n>), all sent.
  const rows = await opened.db.outboxMessage.findMany({
    where: messenger,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  expect(rows.filter((r) => r.status !== "sent").map((r) => [r.dedupeKey, r.status, r.lastError])).toEqual(
    [],
  );
  const perUpdate = new Map<string, number>();
  for (const r of rows) {
    const m = /^in:(telegram|zalo):(.+):(\d+)$/.exec(r.dedupeKey);
    expect(m, r.dedupeKey).not.toBeNull();
    perUpdate.set(`${m![1]}:${m![2]}`, (perUpdate.get(`${m![1]}:${m![2]}`) ?? 0) + 1);
  }
  for (const u of acked.filter((x) => !x.redelivery)) {
    expect(
      perUpdate.get(`${u.channel}:${u.externalId}`) ?? 0,
      `replies to ${u.channel} update ${u.externalId}`,
    ).toBe(u.replies);
  }
  expect(rows).toHaveLength(expectedTotal);

  // Each chat received each of its replies exactly once, in order, and nothing else.
  for (const chat of chats) {
    const api = chat.channel === "telegram" ? telegram : zaloApi;
    const want = rows
      .filter((r) => r.channel === chat.channel && r.chatId === chat.chatId)
      .flatMap((r) => expectedTexts(r.channel, r.text, r.choices));
    expect(want.length, `${chat.channel} chat ${chat.chatId}`).toBe(
      chat.updates.reduce((n, u) => n + u.replies, 0),
    );
    expect(api.textsTo(chat.chatId), `${chat.channel} chat ${chat.chatId} (${chat.script})`).toEqual(want);
  }
  for (const api of [telegram, zaloApi]) expect(api.of("sendMessage").filter((c) => c.failure)).toEqual([]);
  expect(sends()).toBe(expectedTotal);

  // Every completed filing became exactly one case, whose code the citizen was sent.
  const cases = await opened.db.case.findMany({ where: messenger, include: { conversation: true } });
  const filers = chats.filter((c) => c.script === "filing");
  expect(cases).toHaveLength(filers.length);
  for (const chat of filers) {
    const own = cases.filter((c) => c.channel === chat.channel && c.conversation?.chatId === chat.chatId);
    expect(own, `cases of ${chat.channel} chat ${chat.chatId}`).toHaveLength(1);
    const api = chat.channel === "telegram" ? telegram : zaloApi;
    expect(api.textsTo(chat.chatId).filter((t) => t.includes(`Mã hồ sơ: ${own[0]!.code}`))).toHaveLength(1);
  }
  // The sticker got its polite answer, once.
  expect(zaloApi.textsTo("zc-crash-5").filter((t) => t === strings.unsupported)).toHaveLength(1);
}

/** Counts in the database as the killed process left it. */
async function inspectCrashState(db: Db) {
  let snapshot: string | undefined;
  if (!db.scratch) {
    snapshot = await mkdtemp(path.join(tmpdir(), "hopthu-crash-snapshot-"));
    await cp(db.dir, snapshot, { recursive: true });
  }
  const opened = await openDb(
    db.scratch ? { databaseUrl: db.scratch.url, migrate: false } : { dataDir: snapshot!, migrate: false },
  );
  try {
    const messenger = { channel: { in: ["telegram" as const, "zalo" as const] } };
    const inDb = await opened.db.inboundUpdate.findMany({
      where: messenger,
      select: { channel: true, externalId: true },
    });
    // On the embedded database a webhook acknowledges once the update is in the journal file
    // (src/inbound/journal.ts); the database gets it a moment later.
    const keys = new Set(inDb.map((r) => `${r.channel}:${r.externalId}`));
    const inDbCount = keys.size;
    if (snapshot) {
      const journalDir = path.join(snapshot, "inbound-journal");
      const names = await readdir(journalDir).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith(".jsonl")).sort()) {
        for (const line of (await readFile(path.join(journalDir, name), "utf8")).split("\n")) {
          if (!line) continue;
          const r = JSON.parse(line) as { c: string; e: string };
          keys.add(`${r.c}:${r.e}`);
        }
      }
    }
    return {
      stored: keys.size,
      inDb: inDbCount,
      processed: await opened.db.inboundUpdate.count({ where: { ...messenger, status: "processed" } }),
      queued: await opened.db.outboxMessage.count({ where: messenger }),
      sent: await opened.db.outboxMessage.count({ where: { ...messenger, status: "sent" } }),
    };
  } finally {
    await opened.close();
    if (snapshot) await rm(snapshot, { recursive: true, force: true });
  }
}

describe("SIGKILL right after acknowledging a burst of webhook updates", () => {
  it("embedded database: after the restart every acknowledged update became exactly its replies and cases", async () => {
    await crashAndRecover("pglite", 90_000);
  }, 600_000);

  it.skipIf(!postgres)(
    "PostgreSQL: the same, once the dead process's leases expired" +
      (postgres
        ? ""
        : " — SKIPPED: PostgreSQL unreachable (set TEST_DATABASE_URL; REQUIRE_POSTGRES=1 makes this a failure)"),
    async () => {
      await crashAndRecover("postgres", 240_000);
    },
    360_000,
  );
});
