/**
 * npm run bench:digest — the leaders' digest over a large database, on the embedded database
 * (PGlite) and on PostgreSQL: time to build the digest for last week, the current half-year and
 * the year, with each step of the build (the database's counts and lists; the hot spots: candidate
 * cases, their stored vectors — and any text the build had to embed — and the grouping; the
 * figures), then to render the page and the PDF. Target: under 3 s for the weekly digest over
 * 100,000 cases.
 *
 *   npm run bench:digest -- [--cases 100000] [--runs 3] [--databases pglite,postgres]
 *                           [--pglite-dir .data-bench-digest] [--pg-url postgres://…/hopthu_bench_digest]
 * A database with fewer cases than --cases is filled first with `npm run demo:seed` (12 weeks up to
 * now); the PostgreSQL database is created when missing. Nothing is dropped: later runs reuse them.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../src/classify/node-loader.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { digestConfig } from "../src/digest/config.ts";
import { halfOf, previousPeriod, weekOf, yearOf } from "../src/digest/period.ts";
import { renderDigest } from "../src/digest/render.ts";
import { buildDigest, parseScope } from "../src/digest/service.ts";
import { createSummarizer } from "../src/digest/summary.ts";
import { openDb } from "../src/store/db.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    databases: { type: "string", default: "pglite,postgres" },
    "pglite-dir": { type: "string", default: ".data-bench-digest" },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/hopthu_bench_digest" },
  },
});
const cases = Number(values.cases);
const runs = Number(values.runs);
const data = loadReferenceData();
const classifier = await loadClassifier(DEFAULT_MODEL_DIR);

async function ensurePg(url: string): Promise<boolean> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = "/postgres";
  const c = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
  } catch {
    console.log(`PostgreSQL unreachable at ${u.host}: skipped.`);
    return false;
  }
  const exists = await c.query("select 1 from pg_database where datname = $1", [name]);
  if (!exists.rowCount) await c.query(`create database "${name.replace(/"/g, "")}"`);
  await c.end();
  return true;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench(kind: "pglite" | "postgres") {
  const env = kind === "postgres" ? { DATABASE_URL: values["pg-url"] } : { DATA_DIR: values["pglite-dir"] };
  if (kind === "postgres" && !(await ensurePg(values["pg-url"]!))) return;
  let opened = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR ?? "" });
  const have = await opened.db.case.count();
  if (have < cases) {
    await opened.close();
    console.log(`${kind}: ${have} cases; seeding ${cases - have} more (npm run demo:seed)…`);
    const r = spawnSync("npx", ["tsx", "scripts/demo-seed.ts", "--cases", String(cases - have)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error("demo:seed failed");
    opened = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR ?? "" });
  }
  const total = await opened.db.case.count();
  const now = new Date();
  const deps = {
    db: opened.db,
    data,
    embedder: classifier.embedder,
    config: digestConfig(),
    summarizer: createSummarizer({ timeoutMs: 1000 }),
    now: () => now,
  };
  const scope = parseScope("city", data);
  console.log(`\n${kind}: ${total.toLocaleString("en")} cases`);
  for (const [label, period] of [
    ["last week", previousPeriod(weekOf(now))],
    ["half-year", halfOf(now)],
    ["year", yearOf(now)],
  ] as const) {
    const build: number[] = [];
    const phases: Array<Record<string, number>> = [];
    let report: Awaited<ReturnType<typeof buildDigest>> | undefined;
    for (let i = 0; i < runs; i++) {
      const run: Record<string, number> = {};
      const onPhase = (phase: string, ms: number, detail?: Record<string, number>) => {
        run[phase] = ms;
        Object.assign(run, detail);
      };
      const t = performance.now();
      report = await buildDigest({ ...deps, onPhase }, { period, scope });
      build.push(performance.now() - t);
      phases.push(run);
    }
    const links = { self: () => "/digest", scopeParam: "city" };
    let t = performance.now();
    await renderDigest(report!, "html", { data, links, now });
    const html = performance.now() - t;
    t = performance.now();
    await renderDigest(report!, "pdf", { data, links, now });
    const pdf = performance.now() - t;
    const d = report!.digest;
    console.log(
      `  ${label.padEnd(9)} ${period.key.padEnd(9)} build median ${median(build).toFixed(0)} ms (runs: ${build
        .map((x) => x.toFixed(0))
        .join(
          ", ",
        )}); + page ${html.toFixed(0)} ms, + PDF ${pdf.toFixed(0)} ms — received ${d.totals.received.current}, open ${d.totals.openAtEnd}, hot spots ${d.hotSpots.length}`,
    );
    for (const [i, p] of phases.entries())
      console.log(
        `      run ${i + 1}: counts ${p.counts?.toFixed(0)} ms, hot spots ${p.hotSpots?.toFixed(0)} ms (${p.cases} cases, ${p.vectors} vectors, ${p.embedded} embedded now), figures ${p.figures?.toFixed(0)} ms, summary ${p.summary?.toFixed(0)} ms`,
      );
  }
  console.log(
    `  load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  await opened.close();
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} on ${cpus().length} CPUs`,
);
for (const kind of String(values.databases).split(",")) await bench(kind as "pglite" | "postgres");
