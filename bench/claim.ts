/**
 * npm run bench:claim — the outbox claim with one chat holding a backlog of 1,000 and 8,000 undelivered
 * messages (plus 50 other chats): the per-candidate NOT EXISTS claim the outbox used before (quadratic)
 * next to the DISTINCT ON claim it uses now (src/outbox/worker.ts), median of 5, on PGlite and, with
 * BENCH_DATABASE_URL pointing at a scratch database, on PostgreSQL.
 */
import { openDb } from "../src/store/db.ts";

const url = process.env.BENCH_DATABASE_URL;
const o = await openDb(url ? { databaseUrl: url } : { dataDir: "memory://" });
const db = o.db;
for (const n of [1000, 8000]) {
  await db.outboxMessage.deleteMany();
  await db.$executeRawUnsafe(`INSERT INTO "OutboxMessage" ("id","dedupeKey","channel","chatId","text","createdAt","nextAttemptAt")
    SELECT gen_random_uuid(), 'k'||g, 'telegram', 'flood', 'x', now() - interval '1 hour' + g * interval '1 ms', now() - interval '1 hour' FROM generate_series(1, ${n}) g`);
  await db.$executeRawUnsafe(`INSERT INTO "OutboxMessage" ("id","dedupeKey","channel","chatId","text","createdAt","nextAttemptAt")
    SELECT gen_random_uuid(), 'o'||g, 'telegram', 'c'||g, 'x', now(), now() FROM generate_series(1, 50) g`);
  await db.$executeRawUnsafe(`ANALYZE "OutboxMessage"`);
  const old = `SELECT c."id" FROM "OutboxMessage" c
        WHERE ((c."status" = 'pending' AND c."nextAttemptAt" <= now())
               OR (c."status" = 'sending' AND c."lockedUntil" <= now()))
          AND c."channel"::text IN ('telegram','zalo')
          AND NOT EXISTS (
            SELECT 1 FROM "OutboxMessage" p
            WHERE p."channel" = c."channel" AND p."chatId" = c."chatId"
              AND p."status" IN ('pending', 'sending')
              AND (p."createdAt", p."id") < (c."createdAt", c."id"))
        ORDER BY c."createdAt", c."id" LIMIT 50 FOR UPDATE SKIP LOCKED`;
  const neu = `SELECT c."id" FROM "OutboxMessage" c WHERE c."id" IN (
      SELECT h."id" FROM (
        SELECT DISTINCT ON (u."channel", u."chatId") u."id", u."status", u."nextAttemptAt", u."lockedUntil", u."createdAt"
        FROM "OutboxMessage" u
        WHERE u."status" IN ('pending', 'sending') AND u."channel"::text IN ('telegram','zalo')
        ORDER BY u."channel", u."chatId", u."createdAt", u."id") h
      WHERE (h."status" = 'pending' AND h."nextAttemptAt" <= now()) OR (h."status" = 'sending' AND h."lockedUntil" <= now())
      ORDER BY h."createdAt", h."id" LIMIT 50)
    FOR UPDATE SKIP LOCKED`;
  for (const [name, q] of [
    ["old", old],
    ["new", neu],
  ] as const) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      rows = (await db.$queryRawUnsafe<unknown[]>(q)).length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(o.kind, n, name, "rows", rows, "median ms", times[2]!.toFixed(1));
  }
}
await o.close();
