/**
 * npm run bench:webhook — webhook ingest on the real product, over loopback HTTP:
 *  - acknowledgement: autocannon POSTs distinct private-chat text updates (a unique update_id /
 *    message_id and chat per request) to /webhooks/telegram, then /webhooks/zalo, for ~10 s;
 *    throughput of 2xx answers and latency p50/p99/max;
 *  - the backlog: how long after the last acknowledgement every stored update was processed (one
 *    dialogue turn each) and every reply delivered to the loopback Bot API stand-in.
 * Once on the embedded database (PGlite, data in a temporary folder) and once on PostgreSQL when
 * reachable (a scratch database on BENCH_DATABASE_URL / TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, created and dropped here).
 *
 * The product runs in a child process (createRuntime + @hono/node-server, as src/main.ts wires it;
 * this file with --serve), so autocannon and the stand-ins in this process do not share its event
 * loop. The outbox's messenger rate limits (Telegram 30 msg/s, Zalo 10 msg/s overall) are off by
 * default so the figures show what the product can do; --rate-limits keeps them (delivery then runs
 * at those rates, and the drain takes correspondingly longer).
 *
 *   npm run bench:webhook -- [--duration 10] [--connections 20] [--drain-timeout 120]
 *                            [--channels telegram,zalo] [--databases pglite,postgres] [--rate-limits]
 * BENCH_PROF=<folder> also writes a CPU profile of the product for each run.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { productNodeFlags } from "./product-flags.ts";
import { createDatabase, reachable, redactUrl } from "./scratch-db.ts";

const TELEGRAM_TOKEN = "123456:bench-telegram-token_abcdefghij";
const TELEGRAM_SECRET = "bench-tg-secret_0123456789";
const ZALO_TOKEN = "424242:bench-zalo-secret-abcdefgh";
const ZALO_SECRET = "bench-zalo-secret-0123456789";
const TEXT =
  "Đèn đường trên đường Nguyễn Văn Linh, phường Thanh Khê bị hỏng cả tuần nay, buổi tối rất nguy hiểm";

type Channel = "telegram" | "zalo";
type DbKind = "pglite" | "postgres";

interface Stats {
  inbound: { pending: number; processed: number; failed: number };
  outbox: { unsent: number; sent: number; failed: number };
}

type ToChild = { type: "stats"; id: number } | { type: "busy"; id: number } | { type: "stop" };
type FromChild =
  | { type: "ready"; port: number; db: DbKind; rssMb: number }
  | { type: "stats"; id: number; stats: Stats }
  | { type: "busy"; id: number; busy: boolean };

if (process.argv.includes("--serve")) await serveProduct();
else await main();

// ---------------------------------------------------------------------------------------------
// The product (child process).

async function serveProduct(): Promise<void> {
  const { serve } = await import("@hono/node-server");
  const { createRuntime } = await import("../src/runtime.ts");
  const env = process.env;
  const runtime = await createRuntime(
    {
      DATA_DIR: env.DATA_DIR!,
      DATABASE_URL: env.DATABASE_URL || undefined,
      LOG_LEVEL: "error",
      PUBLIC_URL: "https://hopthu.example",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: env.TELEGRAM_API_ROOT!,
      ZALO_BOT_TOKEN: ZALO_TOKEN,
      ZALO_WEBHOOK_SECRET: ZALO_SECRET,
      ZALO_API_BASE: env.ZALO_API_BASE!,
      INBOUND_JOURNAL: (env.BENCH_JOURNAL || "auto") as "auto" | "on" | "off",
    },
    env.BENCH_RATE_LIMITS === "1" ? {} : { rateLimits: false },
  );
  await runtime.start();
  const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: "127.0.0.1" });
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const send = (m: FromChild) => process.send!(m);
  // Resident memory once started and idle (the own model loaded), after a collection.
  await new Promise((r) => setTimeout(r, 1000));
  (globalThis as { gc?: () => void }).gc?.();
  send({ type: "ready", port, db: runtime.dbKind, rssMb: process.memoryUsage().rss / 1048576 });
  process.on("message", async (m: ToChild) => {
    if (m.type === "busy") {
      // Two probes of the partial indexes of pending updates and undelivered replies: cheap
      // however large the backlog (the COUNTs of "stats" took 35 ms each at 40,000 updates).
      const [row] = await runtime.db.$queryRaw<Array<{ busy: boolean }>>`
        SELECT EXISTS (SELECT 1 FROM "InboundUpdate" WHERE "status" = 'pending')
            OR EXISTS (SELECT 1 FROM "OutboxMessage" WHERE "status" IN ('pending', 'sending')) AS "busy"`;
      send({ type: "busy", id: m.id, busy: Boolean(row?.busy) || runtime.journalWaiting() > 0 });
    }
    if (m.type === "stats") {
      const [inbound, outbox] = await Promise.all([
        runtime.db.inboundUpdate.groupBy({ by: ["status"], _count: { _all: true } }),
        runtime.db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } }),
      ]);
      const n = (rows: Array<{ status: string; _count: { _all: number } }>, ...s: string[]) =>
        rows.filter((r) => s.includes(r.status)).reduce((t, r) => t + r._count._all, 0);
      send({
        type: "stats",
        id: m.id,
        stats: {
          inbound: {
            // Acknowledged updates still in the journal file count as pending too.
            pending: n(inbound, "pending") + runtime.journalWaiting(),
            processed: n(inbound, "processed"),
            failed: n(inbound, "failed"),
          },
          outbox: {
            unsent: n(outbox, "pending", "sending"),
            sent: n(outbox, "sent"),
            failed: n(outbox, "failed"),
          },
        },
      });
    } else if (m.type === "stop") {
      server.close();
      await runtime.close();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The bench (parent process).

interface Row {
  db: DbKind;
  channel: Channel;
  requests: number;
  ackPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  /** Stored but not yet processed when the last acknowledgement came back. */
  backlog: number;
  /** Seconds from the last acknowledgement until every update was processed and every reply delivered. */
  drain: number | undefined;
  /** Updates processed from the last acknowledgement to the end of the drain, per second of it. */
  drainPerSecond: number | undefined;
  processedPerSecond: number;
  repliesPerSecond: number;
  replies: number;
  /** /healthz latency while the load ran (probed every 50 ms). */
  healthP99: number;
  healthMax: number;
  healthFailures: number;
  /** Resident memory of the product, idle after start. */
  idleRssMb: number;
  note?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "20" },
      "drain-timeout": { type: "string", default: "120" },
      channels: { type: "string", default: "telegram,zalo" },
      databases: { type: "string", default: "pglite,postgres" },
      "rate-limits": { type: "boolean", default: false },
      // The acknowledgement journal (INBOUND_JOURNAL): auto = with the embedded database only.
      journal: { type: "string", default: "auto" },
    },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const drainTimeoutMs = Number(values["drain-timeout"]) * 1000;
  const channels = values.channels.split(",").map((c) => c.trim()) as Channel[];
  const databases = values.databases.split(",").map((d) => d.trim()) as DbKind[];
  const rateLimits = values["rate-limits"];
  const journal = values.journal;

  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres";
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const db of databases) {
    if (db === "postgres" && !(await reachable(adminUrl))) {
      notes.push(`PostgreSQL unreachable at ${redactUrl(adminUrl)}: its runs were skipped.`);
      continue;
    }
    for (const channel of channels) {
      console.error(`… ${db} / ${channel}: ${duration} s of webhook updates over ${connections} connections`);
      rows.push(
        await run({ db, channel, duration, connections, drainTimeoutMs, rateLimits, adminUrl, journal }),
      );
    }
  }
  printTable(rows, { duration, connections, rateLimits, journal });
  for (const n of notes) console.log(n);
}

interface RunOptions {
  db: DbKind;
  channel: Channel;
  duration: number;
  connections: number;
  drainTimeoutMs: number;
  rateLimits: boolean;
  adminUrl: string;
  journal: string;
}

async function run(o: RunOptions): Promise<Row> {
  const { default: autocannon } = await import("autocannon");
  const { startTelegramStandIn, startZaloStandIn, tg, zalo } = await import("../test/support/standins.ts");
  const [telegram, zaloApi] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
  const api = o.channel === "telegram" ? telegram : zaloApi;
  const dir = await mkdtemp(path.join(tmpdir(), "hopthu-bench-webhook-"));
  const scratch = o.db === "postgres" ? await createDatabase(o.adminUrl) : undefined;
  let child: ChildProcess | undefined;
  try {
    child = fork(fileURLToPath(import.meta.url), ["--serve"], {
      // BENCH_PROF=<folder>: a CPU profile of the product per run (open it in Chrome's DevTools).
      execArgv: [
        "--import",
        "tsx",
        "--expose-gc",
        // As npm start runs the product (package.json's start script).
        ...productNodeFlags(),
        ...(process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
      ],
      env: {
        ...process.env,
        DATA_DIR: dir,
        DATABASE_URL: scratch?.url ?? "",
        TELEGRAM_API_ROOT: telegram.url,
        ZALO_API_BASE: zaloApi.url,
        BENCH_RATE_LIMITS: o.rateLimits ? "1" : "0",
        BENCH_JOURNAL: o.journal,
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const product = child;
    const [ready] = (await once(product, "message")) as [FromChild];
    if (ready.type !== "ready") throw new Error("the product did not start");
    const base = `http://127.0.0.1:${ready.port}`;
    let asked = 0;
    const ask = async <T extends "stats" | "busy">(type: T): Promise<Extract<FromChild, { type: T }>> => {
      const id = ++asked;
      product.send({ type, id } satisfies ToChild);
      for (;;) {
        const [m] = (await once(product, "message")) as [FromChild];
        if (m.type === type && "id" in m && m.id === id) return m as Extract<FromChild, { type: T }>;
      }
    };
    const stats = async (): Promise<Stats> => (await ask("stats")).stats;
    const busy = async (): Promise<boolean> => (await ask("busy")).busy;

    let seq = 0;
    const body = (n: number): string =>
      o.channel === "telegram"
        ? JSON.stringify(tg.text(1_000_000 + n, 50_000_000 + n, TEXT))
        : JSON.stringify(zalo.text(`bench-m-${n}`, `bench-chat-${n}`, TEXT));
    const headers: Record<string, string> =
      o.channel === "telegram"
        ? { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET }
        : { "content-type": "application/json", "X-Bot-Api-Secret-Token": ZALO_SECRET };
    const requestPath = `/webhooks/${o.channel}`;

    // Warm-up (not measured): a few updates through the whole path, then wait until they are done.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(base + requestPath, { method: "POST", headers, body: body(seq++) });
      await res.arrayBuffer();
    }
    await drained(stats, busy, () => api.of("sendMessage").length, 60_000);
    const warm = await stats();
    const warmSends = api.of("sendMessage").length;

    // /healthz every 50 ms while the load runs.
    const health: number[] = [];
    let healthFailures = 0;
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const t0 = performance.now();
        try {
          const r = await fetch(`${base}/healthz`);
          await r.arrayBuffer();
          if (r.status !== 200) healthFailures++;
        } catch {
          healthFailures++;
        }
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    const result = await autocannon({
      url: base,
      connections: o.connections,
      duration: o.duration,
      timeout: 30,
      requests: [
        {
          method: "POST",
          path: requestPath,
          headers,
          setupRequest: (req) => ({ ...req, body: body(seq++) }),
        },
      ],
    });
    const acked = performance.now();
    probing = false;
    await prober;
    health.sort((a, b) => a - b);
    const atAck = await stats();
    const backlog = atAck.inbound.pending;
    const lastReply = await drained(stats, busy, () => api.of("sendMessage").length, o.drainTimeoutMs);
    const done = lastReply !== undefined;
    const finished = lastReply ?? performance.now();
    const end = await stats();
    const updates =
      end.inbound.processed + end.inbound.failed - (warm.inbound.processed + warm.inbound.failed);
    const replies = api.of("sendMessage").length - warmSends;
    const seconds = (finished - started) / 1000;
    return {
      db: o.db,
      channel: o.channel,
      requests: result["2xx"],
      ackPerSecond: result["2xx"] / ((acked - started) / 1000),
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      backlog,
      drain: done ? (finished - acked) / 1000 : undefined,
      drainPerSecond: done
        ? (end.inbound.processed + end.inbound.failed - (atAck.inbound.processed + atAck.inbound.failed)) /
          ((finished - acked) / 1000)
        : undefined,
      processedPerSecond: updates / seconds,
      repliesPerSecond: replies / seconds,
      replies,
      healthP99: health[Math.min(health.length - 1, Math.floor(health.length * 0.99))] ?? Number.NaN,
      healthMax: health.at(-1) ?? Number.NaN,
      healthFailures,
      idleRssMb: ready.rssMb,
      ...(done
        ? {}
        : {
            note: `not drained after ${o.drainTimeoutMs / 1000} s: ${end.inbound.pending} updates, ${end.outbox.unsent} replies left`,
          }),
      ...(end.inbound.failed || end.outbox.failed
        ? { note: `${end.inbound.failed} updates and ${end.outbox.failed} replies failed` }
        : {}),
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = once(child, "exit");
      child.send({ type: "stop" } satisfies ToChild);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await Promise.allSettled([telegram.close(), zaloApi.close()]);
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Waits until no update is pending, no reply unsent, and the stand-in got every sent reply; resolves
 * with the time the last reply reached the stand-in (undefined on timeout). The stand-in's count is
 * watched every 20 ms; the product's database only twice a second, and then only whether anything is
 * waiting (through the partial indexes) until nothing is: COUNTs over both tables cost the
 * product's database and thread, which the drain would otherwise pay for.
 */
async function drained(
  stats: () => Promise<Stats>,
  busy: () => Promise<boolean>,
  sends: () => number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  let count = sends();
  let lastChange = performance.now();
  let asked = Number.NEGATIVE_INFINITY;
  for (;;) {
    if (sends() !== count) {
      count = sends();
      lastChange = performance.now();
    }
    if (performance.now() - asked >= 500) {
      asked = performance.now();
      if (await busy()) continue;
      const s = await stats();
      if (s.inbound.pending === 0 && s.outbox.unsent === 0 && sends() >= s.outbox.sent)
        return sends() === count ? lastChange : performance.now();
    }
    if (performance.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function printTable(
  rows: Row[],
  o: { duration: number; connections: number; rateLimits: boolean; journal: string },
): void {
  const f = (n: number, d = 0) => n.toFixed(d);
  const header = [
    "database",
    "channel",
    "acked",
    "ack req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "err/non-2xx",
    "backlog",
    "drain s",
    "drain turns/s",
    "processed/s",
    "replies/s",
    "health p99/max ms",
    "idle RSS MB",
  ];
  const table = rows.map((r) => [
    r.db,
    r.channel,
    String(r.requests),
    f(r.ackPerSecond),
    f(r.p50, 1),
    f(r.p99, 1),
    f(r.max, 1),
    `${r.errors}/${r.non2xx}`,
    String(r.backlog),
    r.drain === undefined ? "—" : f(r.drain, 1),
    r.drainPerSecond === undefined ? "—" : f(r.drainPerSecond, 1),
    f(r.processedPerSecond, 1),
    f(r.repliesPerSecond, 1),
    `${f(r.healthP99, 1)}/${f(r.healthMax, 1)}${r.healthFailures ? ` (${r.healthFailures} failed)` : ""}`,
    f(r.idleRssMb),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(
    `\nWebhook ingest — ${o.duration} s per run, ${o.connections} connections, loopback; ` +
      `one distinct private chat per update; outbox rate limits ${o.rateLimits ? "ON (production)" : "off"}; ` +
      `acknowledgement journal ${o.journal}`,
  );
  console.log(line(header));
  console.log(line(header.map((_, i) => "-".repeat(widths[i]!))));
  for (const t of table) console.log(line(t));
  console.log(
    "acked = 2xx answers; backlog = updates stored but not yet processed at the last ack; drain = last ack → all processed and\n" +
      "delivered (drain turns/s: the updates processed in it, one dialogue turn each, per second); processed/s and\n" +
      "replies/s are over the whole run (first request → last reply delivered); health = /healthz\n" +
      "probed every 50 ms during the load; idle RSS = the product's resident memory after start, own model loaded.",
  );
  for (const r of rows) if (r.note) console.log(`${r.db}/${r.channel}: ${r.note}`);
}
