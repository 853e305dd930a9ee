/**
 * Fills the database with realistic, varied demo cases over the last 12 weeks, for trying the
 * queue and the digest and for benchmarks.
 *   npm run demo:seed -- --cases 500 [--seed 7] [--weeks 12]
 * Uses DATABASE_URL or DATA_DIR like the product. Case texts come from the project's own
 * labelled training examples (data/examples/train), never from the licensed corpus.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { isCaseKind } from "../src/case/kind.ts";
import type { CaseStatus } from "../src/case/lifecycle.ts";
import { loadConfig } from "../src/config.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { CaseStore } from "../src/store/cases.ts";
import { openDb } from "../src/store/db.ts";
import { syncReferenceData } from "../src/store/reference.ts";
import { Prng } from "./model/lib/prng.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "200" },
    seed: { type: "string", default: "7" },
    weeks: { type: "string", default: "12" },
  },
});
const count = Number(values.cases);
const weeks = Number(values.weeks);
if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
  console.error("Usage: npm run demo:seed -- --cases N   (1 ≤ N ≤ 1,000,000)");
  process.exit(2);
}

// A seeded generator (mulberry32), so the same seed gives the same demo.
const prng = new Prng(Number(values.seed));
const random = () => prng.next();
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const examplesDir = path.resolve("data/examples/train");
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((f) =>
    readFileSync(path.join(examplesDir, f), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; topic: string; kind: string }),
  )
  .filter((e) => e.text.length >= 20 && isCaseKind(e.kind));
if (!examples.length) throw new Error("no examples in data/examples/train");

const config = loadConfig();
const data = loadReferenceData();
const opened = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
await syncReferenceData(opened.db, data);
const cases = new CaseStore(opened.db, data);

// Hot spots: a few communes get far more cases, as real ones do.
const hot = new Set(
  ["hai-chau", "hoa-khanh", "hoi-an", "hoa-vang", "tam-ky"].filter((id) => data.communeById.has(id)),
);
const communes = data.communes.map((c) => c.id);
const channels = ["zalo", "zalo", "zalo", "telegram", "web"] as const;
const now = Date.now();
const span = weeks * 7 * 24 * 3600_000;

const started = performance.now();
let filed = 0;
for (let i = 0; i < count; i++) {
  const ex = pick(examples);
  const receivedAt = new Date(now - random() ** 0.8 * span);
  const placeId = random() < 0.1 ? null : random() < 0.35 ? pick([...hot]) : pick(communes);
  const channel = pick(channels);
  const citizen = await opened.db.citizen.upsert({
    where: { channel_externalId: { channel, externalId: `demo-${Math.floor(random() * count * 0.8)}` } },
    create: {
      channel,
      externalId: `demo-${i}`,
      displayName: pick([
        "Nguyễn Văn An",
        "Trần Thị Bích",
        "Lê Minh",
        "Phạm Thu Hà",
        "Hồ Văn Tư",
        "Võ Thị Lan",
      ]),
    },
    update: {},
  });
  const kind = ex.kind as "pakn" | "khieu_nai" | "to_cao";
  const { caseId } = await cases.fileCase({
    citizenId: citizen.id,
    channel,
    receivedAt,
    draft: {
      description: [ex.text],
      photos: random() < 0.2 ? [{ ref: `demo-photo-${i}` }] : [],
      kind,
      topicId: ex.topic,
      topicSource: random() < 0.8 ? "classifier" : "citizen",
      topicConfidence: 0.6 + random() * 0.4,
      placeId,
      anonymous: kind === "pakn" && random() < 0.15,
      ...(kind !== "pakn" ? { senderName: "Người dân (dữ liệu mẫu)", subject: "Theo nội dung đơn" } : {}),
    },
  });
  // Older cases are further along; some are left overdue on purpose.
  const ageDays = (now - receivedAt.getTime()) / 86_400_000;
  const path: CaseStatus[] = [];
  const r = random();
  if (ageDays > 2 && r < 0.9) path.push("in_progress");
  if (ageDays > 5 && r < 0.8) path.push("answered");
  if (ageDays > 8 && r < 0.7) path.push("closed");
  if (path.length === 0 && r > 0.97) path.push("rejected");
  for (const to of path)
    await cases.changeStatus(caseId, to, { type: "system", id: "demo-seed" }, "Dữ liệu mẫu");
  if (path.includes("answered")) {
    await opened.db.case.update({
      where: { id: caseId },
      data: {
        publicAnswer: "Cơ quan đã kiểm tra thực tế và chỉ đạo khắc phục; kết quả đã thông báo cho người dân.",
        answeredAt: new Date(receivedAt.getTime() + ageDays * 0.5 * 86_400_000),
      },
    });
  }
  if (path.includes("closed") && random() < 0.6) {
    const score = Math.min(5, Math.max(1, Math.round(3.9 + (random() - 0.5) * 3)));
    await cases.rate(caseId, citizen.id, score, score <= 2 ? "Giải quyết còn chậm" : undefined);
  }
  filed++;
  if (filed % 100 === 0) process.stdout.write(`\r${filed}/${count}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`\rĐã tạo ${filed} hồ sơ mẫu trong ${seconds.toFixed(1)} s (${opened.kind}).`);
await opened.close();
