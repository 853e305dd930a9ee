/**
 * npm run corrections:export [-- --out data/examples/corrections.jsonl] [--since 2026-01-01]
 * Writes the topic corrections made by officials and citizens as labelled examples (JSON lines
 * {"text","topic","kind","suggested","source","caseCode"}) for the next training run to use.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { collectCorrections } from "../src/classify/corrections.ts";
import { loadConfig } from "../src/config.ts";
import { openDb } from "../src/store/db.ts";

const { values } = parseArgs({
  options: { out: { type: "string", default: "data/examples/corrections.jsonl" }, since: { type: "string" } },
});
const config = loadConfig();
const opened = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
const corrections = await collectCorrections(opened.db, values.since ? new Date(values.since) : undefined);
await writeFile(
  values.out!,
  corrections.map((c) => JSON.stringify(c)).join("\n") + (corrections.length ? "\n" : ""),
);
console.log(`Đã xuất ${corrections.length} hiệu chỉnh chủ đề vào ${values.out}`);
await opened.close();
