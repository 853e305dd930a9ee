/**
 * npm run bench:soak — a bounded soak of the real product (child process, as src/main.ts wires it)
 * under mixed traffic, over loopback HTTP with the Telegram and Zalo stand-ins:
 *  - web chat: browsers (each with its server-issued cookie) talking at a human pace;
 *  - Telegram and Zalo webhooks: many private chats, some updates delivered twice (retries), some
 *    Zalo requests batched;
 *  - bad input: malformed JSON, wrong secrets, lone surrogates, JSON nested 3,000 levels, 2 MB bodies;
 *  - one Telegram chat flooding (20 updates/s).
 * At the end it waits for the backlog to drain and prints: updates acknowledged, lost (acknowledged
 * but not stored or not processed), replies delivered twice, 5xx answers, the flooding chat's
 * replies, and resident memory over time.
 *
 *   npm run bench:soak -- [--duration 120] [--database pglite|postgres]
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

const TELEGRAM_TOKEN = "123456:soak-telegram-token_abcdefghij";
const TELEGRAM_SECRET = "soak-tg-secret_0123456789";
const ZALO_TOKEN = "424242:soak-zalo-secret-abcdefgh";
const ZALO_SECRET = "soak-zalo-secret-0123456789";

interface Snapshot {
  rssMb: number;
  inbound: Record<string, number>;
  /** Acknowledged, still in the journal file (not yet in the database). */
  journal: number;
  outbox: Record<string, number>;
}
type ToChild =
  | { type: "snap"; id: number }
  | { type: "check"; id: number; keys: string[] }
  | { type: "stop" };
type FromChild =
  | { type: "ready"; port: number }
  | { type: "snap"; id: number; snap: Snapshot }
  | { type: "check"; id: number; missing: string[]; unprocessed: string[] };

if (process.argv.includes("--serve")) await serve();
else await main();

async function serve(): Promise<void> {
  const { serve: listen } = await import("@hono/node-server");
  const { createRuntime } = await import("../src/runtime.ts");
  const env = process.env;
  const rt = await createRuntime(
    {
      DATA_DIR: env.DATA_DIR!,
      DATABASE_URL: env.DATABASE_URL || undefined,
      LOG_LEVEL: "silent",
      PUBLIC_URL: "https://hopthu.example",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: env.TELEGRAM_API_ROOT!,
      ZALO_BOT_TOKEN: ZALO_TOKEN,
      ZALO_WEBHOOK_SECRET: ZALO_SECRET,
      ZALO_API_BASE: env.ZALO_API_BASE!,
    },
    { rateLimits: false },
  );
  await rt.start();
  const server = listen({ fetch: rt.app.fetch, port: 0, hostname: "127.0.0.1" });
  await once(server, "listening");
  const send = (m: FromChild) => process.send!(m);
  send({ type: "ready", port: (server.address() as { port: number }).port });
  const count = async (model: "inboundUpdate" | "outboxMessage") => {
    const rows =
      model === "inboundUpdate"
        ? await rt.db.inboundUpdate.groupBy({ by: ["status"], _count: { _all: true } })
        : await rt.db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  };
  process.on("message", async (m: ToChild) => {
    if (m.type === "snap") {
      (globalThis as { gc?: () => void }).gc?.();
      send({
        type: "snap",
        id: m.id,
        snap: {
          rssMb: process.memoryUsage().rss / 1048576,
          inbound: await count("inboundUpdate"),
          journal: rt.journalWaiting(),
          outbox: await count("outboxMessage"),
        },
      });
    } else if (m.type === "check") {
      const missing: string[] = [];
      const unprocessed: string[] = [];
      for (let i = 0; i < m.keys.length; i += 500) {
        const part = m.keys.slice(i, i + 500).map((k) => {
          const [channel, ...rest] = k.split("|");
          return { channel: channel as "telegram" | "zalo", externalId: rest.join("|") };
        });
        const rows = await rt.db.inboundUpdate.findMany({
          where: { OR: part.map((p) => ({ channel: p.channel, externalId: p.externalId })) },
          select: { channel: true, externalId: true, status: true },
        });
        const found = new Map(rows.map((r) => [`${r.channel}|${r.externalId}`, r.status]));
        for (const p of part) {
          const status = found.get(`${p.channel}|${p.externalId}`);
          if (status === undefined) missing.push(`${p.channel}|${p.externalId}`);
          else if (status === "pending") unprocessed.push(`${p.channel}|${p.externalId}`);
        }
      }
      send({ type: "check", id: m.id, missing, unprocessed });
    } else if (m.type === "stop") {
      server.close();
      await rt.close();
      process.exit(0);
    }
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "120" },
      database: { type: "string", default: "pglite" },
    },
  });
  const durationMs = Number(values.duration) * 1000;
  const { startTelegramStandIn, startZaloStandIn, tg, zalo } = await import("../test/support/standins.ts");
  const [telegram, zaloApi] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
  const dir = await mkdtemp(path.join(tmpdir(), "hopthu-soak-"));
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  let dbUrl = "";
  let dropDb = async () => {};
  if (values.database === "postgres") {
    const name = `hopthu_soak_${process.pid}`;
    const admin = async (sql: string) => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(sql).finally(() => c.end());
    };
    await admin(`create database ${name}`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    dropDb = () => admin(`drop database if exists ${name} with (force)`);
  }
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: {
      ...process.env,
      DATA_DIR: dir,
      DATABASE_URL: dbUrl,
      TELEGRAM_API_ROOT: telegram.url,
      ZALO_API_BASE: zaloApi.url,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const [ready] = (await once(child, "message")) as [FromChild];
    if (ready.type !== "ready") throw new Error("the product did not start");
    const base = `http://127.0.0.1:${ready.port}`;
    let reqId = 0;
    const ask = async <T extends FromChild["type"]>(m: ToChild): Promise<Extract<FromChild, { type: T }>> => {
      child.send(m);
      for (;;) {
        const [r] = (await once(child, "message")) as [FromChild];
        if (r.type === m.type && "id" in r && "id" in m && r.id === m.id)
          return r as Extract<FromChild, { type: T }>;
      }
    };

    const status: Record<string, number> = {};
    let fiveXX = 0;
    const acked = new Set<string>();
    const count = (kind: string, s: number) => {
      status[`${kind} ${s}`] = (status[`${kind} ${s}`] ?? 0) + 1;
      if (s >= 500) fiveXX++;
    };
    const post = async (kind: string, p: string, body: string, headers: Record<string, string>) => {
      try {
        const r = await fetch(base + p, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
        await r.arrayBuffer();
        count(kind, r.status);
        return r.status;
      } catch {
        // No answer at all: for a 2 MB body the server answers 413 and closes the connection before
        // the client has sent it all, which fetch reports as an error. Counted apart from 5xx.
        status[`${kind} connection closed`] = (status[`${kind} connection closed`] ?? 0) + 1;
        return 0;
      }
    };
    const tgHeaders = { "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET };
    const zaloHeaders = { "X-Bot-Api-Secret-Token": ZALO_SECRET };
    const end = performance.now() + durationMs;
    // Calls fn every `ms` without waiting for the previous call (open loop: a slow product does not
    // slow the load down), at most 64 calls of one loop in flight; resolves when all have ended.
    const every = async (ms: number, fn: (i: number) => Promise<void>) => {
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; performance.now() < end; i++) {
        if (inFlight.size < 64) {
          const p: Promise<void> = fn(i)
            .catch(() => {})
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        await new Promise((r) => setTimeout(r, ms));
      }
      await Promise.all(inFlight);
    };
    const texts = [
      "/start",
      "1",
      "Đèn đường trên đường Nguyễn Văn Linh, phường Thanh Khê bị hỏng cả tuần nay",
      "Rác thải đổ trộm ở kiệt 12 Nguyễn Tri Phương, phường Hải Châu",
      "HK7R-2MQ9X",
      "cảm ơn",
    ];
    let updateId = 5_000_000;
    const flooder = 77_777_777;
    const memory: Array<{ t: number; rssMb: number }> = [];
    const started = performance.now();

    const loops = [
      // Telegram: ~20 updates/s over 400 chats, every 20th delivered twice.
      ...Array.from({ length: 2 }, (_, w) =>
        every(100, async (i) => {
          const id = updateId++;
          const chat = 60_000_000 + ((i * 2 + w) % 400);
          const body = JSON.stringify(tg.text(id, chat, texts[i % texts.length]!));
          const s = await post("telegram", "/webhooks/telegram", body, tgHeaders);
          if (s === 200) acked.add(`telegram|${id}`);
          if (i % 20 === 0) await post("telegram", "/webhooks/telegram", body, tgHeaders);
        }),
      ),
      // Zalo: ~5 requests/s, every 10th a batch of 5.
      every(200, async (i) => {
        const n = i % 10 === 0 ? 5 : 1;
        const items = Array.from(
          { length: n },
          (_, k) => zalo.text(`soak-${i}-${k}`, `zsoak${(i + k) % 200}`, texts[i % texts.length]!).result,
        );
        const s = await post(
          "zalo",
          "/webhooks/zalo",
          JSON.stringify({ ok: true, result: items }),
          zaloHeaders,
        );
        if (s === 200) for (const u of items) acked.add(`zalo|${u.message.chat.id}:${u.message.message_id}`);
      }),
      // The flooding chat: 20 updates/s.
      every(50, async () => {
        const id = updateId++;
        const s = await post(
          "flood",
          "/webhooks/telegram",
          JSON.stringify(tg.text(id, flooder, "spam spam")),
          tgHeaders,
        );
        if (s === 200) acked.add(`telegram|${id}`);
      }),
      // Web chat: 20 browsers, one message every 2 s each.
      ...Array.from({ length: 20 }, () => {
        let cookie = "";
        let busy = false;
        return every(2000, async (i) => {
          if (busy) return;
          busy = true;
          try {
            const r = await fetch(`${base}/api/chat/messages`, {
              method: "POST",
              headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
              body: JSON.stringify({ text: texts[i % texts.length] }),
            });
            cookie = r.headers.get("set-cookie")?.split(";")[0] ?? cookie;
            await r.arrayBuffer();
            count("web", r.status);
          } catch {
            status["web connection closed"] = (status["web connection closed"] ?? 0) + 1;
          } finally {
            busy = false;
          }
        });
      }),
      // Bad input, one every 200 ms.
      every(200, async (i) => {
        const id = updateId++;
        const deep = `{"update_id":${id},"message":{"message_id":1,"date":1,"chat":{"id":61000001,"type":"private"},"from":{"id":61000001,"is_bot":false,"first_name":"A"},"text":"hi"},"x":${"[".repeat(3000)}1${"]".repeat(3000)}}`;
        const surrogate = JSON.stringify(tg.text(id, 61_000_002, "a")).replace('"a"', '"\\ud800 lỗi"');
        const cases: Array<[string, string, Record<string, string>, boolean]> = [
          ["/webhooks/telegram", "{not json", tgHeaders, false],
          ["/webhooks/telegram", surrogate, { "X-Telegram-Bot-Api-Secret-Token": "wrong" }, false],
          ["/webhooks/telegram", surrogate, tgHeaders, true],
          ["/webhooks/telegram", deep, tgHeaders, true],
          [
            "/webhooks/zalo",
            `{"ok":true,"result":${"[".repeat(3000)}${"]".repeat(3000)}}`,
            zaloHeaders,
            false,
          ],
          [
            "/webhooks/telegram",
            `{"update_id":${id},"x":"${"a".repeat(2 * 1024 * 1024)}"}`,
            tgHeaders,
            false,
          ],
        ];
        const [p, body, headers, counts] = cases[i % cases.length]!;
        const s = await post("bad", p, body, headers);
        if (counts && s === 200) acked.add(`telegram|${id}`);
      }),
      // Memory every 10 s.
      every(10_000, async () => {
        if (performance.now() > end - 1000) return;
        const r = await ask<"snap">({ type: "snap", id: ++reqId });
        memory.push({ t: (performance.now() - started) / 1000, rssMb: r.snap.rssMb });
      }),
    ];
    await Promise.all(loops);

    // Drain: nothing pending in the inbound table, nothing unsent in the outbox.
    const deadline = performance.now() + 600_000;
    let snap: Snapshot;
    for (;;) {
      snap = (await ask<"snap">({ type: "snap", id: ++reqId })).snap;
      const unsent = (snap.outbox.pending ?? 0) + (snap.outbox.sending ?? 0);
      if (
        ((snap.inbound.pending ?? 0) === 0 && snap.journal === 0 && unsent === 0) ||
        performance.now() > deadline
      )
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const check = await ask<"check">({ type: "check", id: ++reqId, keys: [...acked] });
    const sends = [...telegram.of("sendMessage"), ...zaloApi.of("sendMessage")];
    const sent = snap.outbox.sent ?? 0;
    const floodReplies = telegram.deliveredTo(flooder).length;
    const floodAcked = [...acked].length; // all acked (for the ratio below)
    void floodAcked;
    const rss = memory.map((m) => m.rssMb);
    console.log(
      `\nSoak — ${values.duration} s on ${values.database}; rate limits off; load: ${process.env.SOAK_NOTE ?? "see uptime"}`,
    );
    console.log(`requests by kind and status: ${JSON.stringify(status)}`);
    console.log(`acknowledged updates: ${acked.size}`);
    console.log(
      `lost (acknowledged, not stored): ${check.missing.length}; not processed after the drain: ${check.unprocessed.length}`,
    );
    console.log(
      `replies delivered: ${sends.length}; outbox rows sent: ${sent}; delivered twice: ${Math.max(0, sends.length - sent)}`,
    );
    console.log(`inbound: ${JSON.stringify(snap.inbound)}; outbox: ${JSON.stringify(snap.outbox)}`);
    console.log(`5xx answers: ${fiveXX}`);
    console.log(
      `flooding chat: ${status["flood 200"] ?? 0} updates acknowledged, ${floodReplies} replies delivered`,
    );
    console.log(`resident memory (MB) every 10 s: ${rss.map((m) => m.toFixed(0)).join(" ")}`);
    if (rss.length > 2) {
      const half = Math.floor(rss.length / 2);
      const first = rss.slice(1, half + 1);
      const second = rss.slice(half);
      const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      console.log(
        `memory: first half avg ${avg(first).toFixed(0)} MB, second half avg ${avg(second).toFixed(0)} MB`,
      );
    }
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, "exit");
      child.send({ type: "stop" } satisfies ToChild);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await Promise.allSettled([telegram.close(), zaloApi.close()]);
    await dropDb();
    await rm(dir, { recursive: true, force: true });
  }
}
