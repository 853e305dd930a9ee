/**
 * npm run bench:ack — the storage step of a webhook acknowledgement: 2,000 updates stored at once,
 * one INSERT each (as before) next to the group-commit writer (src/inbound/writer.ts), on PGlite and,
 * with BENCH_DATABASE_URL pointing at a scratch database, on PostgreSQL. Two rounds each.
 */

import { storeUpdate } from "../src/inbound/store.ts";
import { InboundWriter } from "../src/inbound/writer.ts";
import { openDb } from "../src/store/db.ts";

const url = process.env.BENCH_DATABASE_URL;
const o = await openDb(url ? { databaseUrl: url } : { dataDir: "memory://" });
const payload = (i: number) => ({
  update_id: i,
  message: {
    message_id: i,
    date: 1,
    chat: { id: i, type: "private" },
    text: "Đèn đường hỏng ở phường Thanh Khê",
  },
});
for (const round of [1, 2]) {
  let t = performance.now();
  await Promise.all(
    Array.from({ length: 2000 }, (_, i) =>
      storeUpdate(o.db, {
        channel: "telegram",
        externalId: `a${round}-${i}`,
        chatId: i,
        payload: payload(i),
      }),
    ),
  );
  const one = performance.now() - t;
  const w = new InboundWriter({ db: o.db });
  t = performance.now();
  await Promise.all(
    Array.from({ length: 2000 }, (_, i) =>
      w.store([{ channel: "telegram", externalId: `b${round}-${i}`, chatId: i, payload: payload(i) }]),
    ),
  );
  const grouped = performance.now() - t;
  console.log(
    `${o.kind} round ${round}: 2000 concurrent stores — one INSERT each ${one.toFixed(0)} ms (${((2000 / one) * 1000).toFixed(0)}/s); group commit ${grouped.toFixed(0)} ms (${((2000 / grouped) * 1000).toFixed(0)}/s)`,
  );
}
await o.close();
