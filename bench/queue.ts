/**
 * npm run bench:queue — the officials' queue at scale: the page /queue (filters, counts, rendering,
 * through the real HTTP app with a signed-in session) and the filter query alone, for an officer
 * (one agency) and a leader (every agency), on PostgreSQL and on the embedded database.
 *
 *   npm run bench:queue -- [--cases 100000] [--runs 30] [--databases postgres,pglite]
 *
 * The data: up to --realistic (default 10,000) cases from npm run demo:seed's generator (routing,
 * deadlines, events, as filing does), then copies of them made in SQL with their dates shifted and
 * new codes, up to --cases (generating 100,000 one by one takes an hour on a loaded machine). Kept
 * between runs: PostgreSQL database
 * "hopthu_bench_queue" on BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/),
 * PGlite folder tmp/bench-queue-pglite; it is topped up to --cases when it has fewer.
 * The machine's load average is printed with the figures: read them with it.
 */
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { seedDemoCases } from "../scripts/lib/demo-cases.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { PlaceIndex } from "../src/intake/places.ts";
import { IntakeService } from "../src/intake/service.ts";
import { CaseActions } from "../src/queue/actions.ts";
import { createQueueApp } from "../src/queue/app.tsx";
import type { SessionOfficial } from "../src/queue/context.ts";
import { parseFilters, QueueQuery } from "../src/queue/list.ts";
import { CaseStore } from "../src/store/cases.ts";
import { openDb } from "../src/store/db.ts";
import { vacuumEmbedded } from "../src/store/maintenance.ts";
import { syncReferenceData } from "../src/store/reference.ts";
import { createOfficial, fetcherFor, QueueClient } from "../test/support/queue.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "100000" },
    runs: { type: "string", default: "30" },
    realistic: { type: "string", default: "10000" },
    databases: { type: "string", default: "postgres,pglite" },
  },
});
const target = Number(values.cases);
const runs = Number(values.runs);
const adminUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function measure(label: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1).padStart(7);
  console.log(
    `  ${label.padEnd(58)} p50 ${f(quantile(times, 0.5))} ms  p95 ${f(quantile(times, 0.95))} ms  max ${f(times.at(-1)!)} ms`,
  );
}

async function postgresUrl(): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = 'hopthu_bench_queue'");
  if (!exists.rowCount) await client.query("create database hopthu_bench_queue");
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = "/hopthu_bench_queue";
  return url.toString();
}

async function run(kind: "postgres" | "pglite") {
  const data = loadReferenceData();
  const opened =
    kind === "postgres"
      ? await openDb({ databaseUrl: await postgresUrl() })
      : await openDb({ dataDir: path.resolve("tmp/bench-queue-pglite") });
  const { db } = opened;
  await syncReferenceData(db, data);
  const have = await db.case.count();
  const realistic = Math.min(target, Number(values.realistic));
  if (have < realistic) {
    const t = performance.now();
    console.log(`${kind}: seeding ${realistic - have} cases (${have} present)…`);
    await seedDemoCases(db, data, { count: realistic - have, seed: 7 + have });
    console.log(`${kind}: seeded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  let now = await db.case.count();
  while (now < target) {
    const t = performance.now();
    const add = Math.min(target - now, now);
    // Copies of existing cases: new ids and codes, dates shifted by up to ±10 days.
    await db.$executeRawUnsafe(`
      INSERT INTO "Case" ("id","code","kind","status","topicId","topicSource","topicConfidence","placeId","address",
        "agencyId","routingExplanation","description","subject","anonymous","identityProtected","attachments","citizenId",
        "channel","receivedAt","acceptanceDueAt","acceptedAt","dueAt","complex","remote","extensions","publicAnswer",
        "answeredAt","closedAt","rating","ratingComment","ratedAt","createdAt","updatedAt","version","searchText")
      SELECT gen_random_uuid(), c.code || '-' || substr(md5(random()::text), 1, 6), "kind","status","topicId","topicSource",
        "topicConfidence","placeId","address","agencyId","routingExplanation","description","subject","anonymous",
        "identityProtected","attachments","citizenId","channel", "receivedAt" + s.shift, "acceptanceDueAt" + s.shift,
        "acceptedAt" + s.shift, "dueAt" + s.shift, "complex","remote","extensions","publicAnswer","answeredAt" + s.shift,
        "closedAt" + s.shift,"rating","ratingComment","ratedAt" + s.shift, "createdAt" + s.shift, now(), 0, "searchText"
      FROM (SELECT * FROM "Case" ORDER BY "id" LIMIT ${add}) c
      CROSS JOIN LATERAL (SELECT make_interval(hours => (floor(random() * 480) - 240)::int + 0 * length(c.code)) AS shift) s`);
    now = await db.case.count();
    console.log(`${kind}: ${now} cases (copied in ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  // What keeps the statistics and visibility map current in service: autovacuum on PostgreSQL, the
  // app's own upkeep on PGlite (src/store/maintenance.ts, which has no autovacuum).
  if (kind === "postgres") await db.$executeRawUnsafe('VACUUM ANALYZE "Case"');
  else console.log(`pglite: vacuumed and analysed in ${((await vacuumEmbedded(db)) / 1000).toFixed(1)} s`);
  const total = await db.case.count();
  const busiest = await db.case.groupBy({
    by: ["agencyId"],
    _count: { _all: true },
    orderBy: { _count: { agencyId: "desc" } },
    take: 1,
  });
  const agencyId = busiest[0]!.agencyId!;
  const agencyCases = busiest[0]!._count._all;

  const cases = new CaseStore(db, data);
  const intake = new IntakeService({ db, data, places: new PlaceIndex(data.communes), cases });
  const actions = new CaseActions({ db, cases, intake, data });
  const silent = { info() {}, warn() {}, error() {} };
  const app = createQueueApp({ db, data, actions, logger: silent });
  const officerRow = await createOfficial(db, {
    role: "officer",
    agencyId,
    username: `bench-officer-${Date.now()}`,
  });
  const leaderRow = await createOfficial(db, {
    role: "leader",
    agencyId: "van-phong-ubnd",
    username: `bench-leader-${Date.now()}`,
  });
  const officer = new QueueClient(fetcherFor(app));
  const leader = new QueueClient(fetcherFor(app));
  await officer.login(officerRow.username, officerRow.password);
  await leader.login(leaderRow.username, leaderRow.password);
  const get = (c: QueueClient, p: string) => async () => {
    const res = await c.get(p);
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
    await res.text();
  };

  console.log(
    `\n${kind}: ${total.toLocaleString("en")} cases; officer of ${agencyId} (${agencyCases.toLocaleString("en")} cases); ${runs} runs each; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(" page /queue over HTTP (list + counts per filter + render):");
  await measure("officer: open cases by deadline", get(officer, "/queue"));
  await measure("officer: overdue", get(officer, "/queue?due=overdue"));
  await measure("officer: search 'den duong' (no diacritics)", get(officer, "/queue?state=all&q=den+duong"));
  await measure("officer: page 5 of all", get(officer, "/queue?state=all&page=5"));
  await measure("leader: open cases, every agency", get(leader, "/queue"));
  await measure(
    "leader: khiếu nại × land × due soon",
    get(leader, "/queue?kind=khieu_nai&topic=land&due=soon"),
  );
  await measure(
    "leader: search 'ngập nước'",
    get(leader, "/queue?state=all&q=ng%E1%BA%ADp+n%C6%B0%E1%BB%9Bc"),
  );
  console.log(" the filter query alone (rows + counts):");
  const query = new QueueQuery(db, data);
  const session = (o: typeof officerRow): SessionOfficial => ({ ...o });
  for (const [who, o] of [
    ["officer", officerRow],
    ["leader", leaderRow],
  ] as const) {
    const f = parseFilters({}, data);
    await measure(`${who}: list + counts, open cases`, () =>
      Promise.all([query.list(session(o), f, new Date()), query.counts(session(o), f, new Date())]),
    );
  }
  await db.official.deleteMany({ where: { id: { in: [officerRow.id, leaderRow.id] } } });
  await opened.close();
}

for (const kind of values.databases.split(",") as ("postgres" | "pglite")[]) await run(kind);
