/**
 * npm run bench:memory — resident memory of the idle product, measured as bench:webhook measures
 * it: a child process (`node --import tsx --expose-gc` and the Node flags of `npm start`) runs createRuntime + start() with both
 * channels configured (loopback stand-ins for their APIs), serves it, waits 1 s, collects garbage,
 * and reports process.memoryUsage() and /proc/self/smaps_rollup.
 *
 * Cases: the embedded database (PGlite) on the first start of a new data folder (migrations apply)
 * and on a restart of the same folder; PostgreSQL (a scratch database on BENCH_DATABASE_URL /
 * TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, created and dropped
 * here), first start and restart, when it answers.
 *
 *   npm run bench:memory -- [--cases pglite-first,pglite-restart,postgres-first,postgres-restart]
 *                           [--snapshot <folder>]   (a heap snapshot of the idle product per case)
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { productNodeFlags } from "./product-flags.ts";
import { createDatabase, reachable } from "./scratch-db.ts";

const TELEGRAM_TOKEN = "123456:bench-telegram-token_abcdefghij";
const TELEGRAM_SECRET = "bench-tg-secret_0123456789";
const ZALO_TOKEN = "424242:bench-zalo-secret-abcdefgh";
const ZALO_SECRET = "bench-zalo-secret-0123456789";

type CaseName = "pglite-first" | "pglite-restart" | "postgres-first" | "postgres-restart";

interface Figures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** smaps_rollup: anonymous memory (heaps, WebAssembly memories, compiled code) and file-backed. */
  anonymous: number;
  fileBacked: number;
  migrations: number;
  db: string;
}

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
    },
    { rateLimits: false },
  );
  await runtime.start();
  const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: "127.0.0.1" });
  await once(server, "listening");
  await new Promise((r) => setTimeout(r, Number(env.BENCH_IDLE_MS ?? 1000)));
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const smaps = readSmaps();
  if (env.BENCH_SNAPSHOT) {
    const { writeHeapSnapshot } = await import("node:v8");
    writeHeapSnapshot(path.join(env.BENCH_SNAPSHOT, `${env.BENCH_CASE}.heapsnapshot`));
  }
  if (env.BENCH_MAPPINGS) printMappings(Number(env.BENCH_MAPPINGS));
  const figures: Figures = {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    anonymous: smaps.Anonymous ?? Number.NaN,
    fileBacked: (smaps.Rss ?? Number.NaN) - (smaps.Anonymous ?? Number.NaN),
    migrations: runtime.appliedMigrations.length,
    db: runtime.dbKind,
  };
  process.send!(figures);
  server.close();
  await runtime.close();
  process.exit(0);
}

/** The largest mappings by resident size (stderr): where anonymous memory sits. */
function printMappings(top: number): void {
  const rows: Array<{ rss: number; size: number; name: string }> = [];
  let cur: { rss: number; size: number; name: string } | undefined;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = {
        rss: 0,
        size: (Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16)) / 1048576,
        name: head[3] || "[anon]",
      };
      rows.push(cur);
    } else if (cur && line.startsWith("Rss:")) cur.rss = Number(/(\d+)/.exec(line)![1]) / 1024;
  }
  rows.sort((a, b) => b.rss - a.rss);
  console.error(`${process.env.BENCH_CASE}: top mappings (RSS MB / size MB)`);
  for (const r of rows.slice(0, top))
    console.error(`  ${r.rss.toFixed(1).padStart(7)} ${r.size.toFixed(0).padStart(7)}  ${r.name}`);
}

/** /proc/self/smaps_rollup in bytes (Linux; empty elsewhere). */
function readSmaps(): Record<string, number> {
  try {
    const out: Record<string, number> = {};
    for (const line of readFileSync("/proc/self/smaps_rollup", "utf8").split("\n")) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) * 1024;
    }
    return out;
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------------------------
// The bench (parent process).

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: "pglite-first,pglite-restart,postgres-first,postgres-restart" },
      runs: { type: "string", default: "3" },
      snapshot: { type: "string" },
    },
  });
  const cases = values.cases.split(",").map((c) => c.trim()) as CaseName[];
  const runs = Number(values.runs);
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres";
  const { startTelegramStandIn, startZaloStandIn } = await import("../test/support/standins.ts");
  const [telegram, zaloApi] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
  const dir = await mkdtemp(path.join(tmpdir(), "hopthu-bench-memory-"));
  const pgOk = cases.some((c) => c.startsWith("postgres")) && (await reachable(adminUrl));
  const results = new Map<CaseName, Array<{ f: Figures; load: string }>>();
  const notes: string[] = [];
  if (!pgOk && cases.some((c) => c.startsWith("postgres")))
    notes.push(`PostgreSQL unreachable at ${adminUrl}: its cases were skipped.`);
  // Each run starts from a new data folder and a new scratch database: the first start migrates
  // them, the restart finds them up to date. A restart without its first start in --cases still
  // gets one (not measured).
  let dataDir = "";
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  try {
    for (let run = 0; run < runs; run++) {
      dataDir = path.join(dir, `data-${run}`);
      await scratch?.drop();
      scratch = pgOk ? await createDatabase(adminUrl, "bench_mem") : undefined;
      const started = new Set<string>();
      for (const name of cases) {
        const db = name.startsWith("postgres") ? "postgres" : "pglite";
        if (db === "postgres" && !scratch) continue;
        if (name.endsWith("restart") && !started.has(db)) await measure(`${db}-first` as CaseName);
        started.add(db);
        const load = loadavg()
          .map((l) => l.toFixed(2))
          .join(" ");
        const f = await measure(name);
        results.set(name, [...(results.get(name) ?? []), { f, load }]);
        console.error(`… run ${run + 1}/${runs} ${name}: ${mb(f.rss)} MB (load ${load})`);
      }
    }
  } finally {
    await Promise.allSettled([telegram.close(), zaloApi.close()]);
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  }
  const rows = [...results].map(([name, all]) => {
    const sorted = [...all].sort((a, b) => a.f.rss - b.f.rss);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    return {
      name,
      f: median.f,
      load: median.load,
      range: `${mb(sorted[0]!.f.rss)}–${mb(sorted.at(-1)!.f.rss)}`,
    };
  });

  function measure(name: CaseName): Promise<Figures> {
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
      // The flags npm start runs the product with; BENCH_NODE_ARGS adds more (experiments).
      execArgv: [
        "--import",
        "tsx",
        "--expose-gc",
        ...productNodeFlags(),
        ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      ],
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: name.startsWith("postgres") ? scratch!.url : "",
        TELEGRAM_API_ROOT: telegram.url,
        ZALO_API_BASE: zaloApi.url,
        BENCH_CASE: name,
        ...(values.snapshot ? { BENCH_SNAPSHOT: path.resolve(values.snapshot) } : {}),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Promise<Figures>((resolve, reject) => {
      child.once("message", (m) => resolve(m as Figures));
      child.once("exit", (code) => reject(new Error(`the product exited (${code}) before reporting`)));
    }).finally(async () => {
      if (child.exitCode === null) await once(child, "exit");
    });
  }

  const header = [
    "case",
    "db",
    "migr.",
    "RSS",
    "min–max",
    "heap used/total",
    "external",
    "arrayBuf",
    "anon",
    "file",
    "load 1/5/15",
  ];
  const table = rows.map(({ name, f, load, range }) => [
    name,
    f.db,
    String(f.migrations),
    mb(f.rss),
    range,
    `${mb(f.heapUsed)}/${mb(f.heapTotal)}`,
    mb(f.external),
    mb(f.arrayBuffers),
    mb(f.anonymous),
    mb(f.fileBacked),
    load,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(
    `\nIdle memory of the product (MB), own model loaded, 1 s after start, after gc(); median of ${runs} runs (RSS min–max)`,
  );
  console.log(line(header));
  console.log(line(header.map((_, i) => "-".repeat(widths[i]!))));
  for (const t of table) console.log(line(t));
  console.log(
    "RSS = resident set; anon/file = smaps_rollup anonymous (heaps, WebAssembly memories, compiled code) and file-backed pages.",
  );
  for (const n of notes) console.log(n);
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}
