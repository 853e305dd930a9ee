/**
 * Fills the database with realistic, varied demo cases over the last 12 weeks, for trying the
 * queue and the digest and for benchmarks.
 *   npm run demo:seed -- --cases 500 [--seed 7] [--weeks 12]
 * Uses DATABASE_URL or DATA_DIR like the product. Case texts come from the project's own
 * labelled training examples (data/examples/train), never from the licensed corpus.
 *
 * Cases are routed and given their legal deadlines as the product does (route, computeDeadlines)
 * and written in bulk with their audit events: answers mostly on time, some late, some overdue
 * and still open, closings, ratings, a few re-routings to another agency — each at a plausible
 * moment after receipt, never in the future.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateCode } from "../src/case/code.ts";
import { computeDeadlines } from "../src/case/deadline.ts";
import { anonymityAllowed, type CaseKind, identityProtectedByLaw, isCaseKind } from "../src/case/kind.ts";
import { loadConfig } from "../src/config.ts";
import { loadReferenceData } from "../src/data/index.ts";
import type { Prisma } from "../src/generated/prisma/client.ts";
import { route } from "../src/routing/router.ts";
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
const db = opened.db;

// Hot spots: a few communes get far more cases, as real ones do.
const hot = ["hai-chau", "hoa-khanh", "hoi-an", "hoa-vang", "tam-ky"].filter((id) =>
  data.communeById.has(id),
);
const communes = data.communes.map((c) => c.id);
const agencies = data.agencies.map((a) => a.id);
const channels = ["zalo", "zalo", "zalo", "telegram", "web"] as const;
const names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Minh", "Phạm Thu Hà", "Hồ Văn Tư", "Võ Thị Lan"];
const now = Date.now();
const DAY = 86_400_000;
const span = weeks * 7 * DAY;
const BATCH = 2_000;
const started = performance.now();

// Citizens: about 0.8 per case, some writing several times.
const citizenCount = Math.max(1, Math.floor(count * 0.8));
const citizenIds: string[] = [];
for (let i = 0; i < citizenCount; i += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, citizenCount - i) }, (_, k) => ({
    id: crypto.randomUUID(),
    channel: pick(channels),
    externalId: `demo-${values.seed}-${i + k}-${Math.floor(random() * 1e9)}`,
    displayName: pick(names),
  }));
  await db.$executeRaw`
    INSERT INTO "Citizen" ("id", "channel", "externalId", "displayName")
    SELECT x."id", x."channel"::"Channel", x."externalId", x."displayName"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x("id" uuid, "channel" text, "externalId" text, "displayName" text)
    ON CONFLICT DO NOTHING`;
  citizenIds.push(...rows.map((r) => r.id));
}

const codes = new Set<string>();
const newCode = () => {
  let c = generateCode();
  while (codes.has(c)) c = generateCode();
  codes.add(c);
  return c;
};
const at = (ms: number) => new Date(Math.min(ms, now));

let filed = 0;
while (filed < count) {
  const n = Math.min(BATCH, count - filed);
  const cases: Prisma.CaseCreateManyInput[] = [];
  const events: Prisma.CaseEventCreateManyInput[] = [];
  for (let k = 0; k < n; k++) {
    const i = filed + k;
    const ex = pick(examples);
    const kind = ex.kind as CaseKind;
    const receivedAt = new Date(now - random() ** 0.8 * span);
    const placeId = random() < 0.1 ? null : random() < 0.35 ? pick(hot) : pick(communes);
    const r = route({ topicId: ex.topic, kind, placeId }, data);
    let agencyId = r.agencyId;
    const d = computeDeadlines({ kind, receivedAt }, data.deadlines, data.calendar);
    let dueAt = d.dueAt;
    const id = crypto.randomUUID();
    const citizenId = pick(citizenIds);
    const anonymous = anonymityAllowed(kind) && kind === "pakn" && random() < 0.15;
    const t0 = receivedAt.getTime();
    const ev = (type: string, when: number, extra: Partial<Prisma.CaseEventCreateManyInput> = {}) =>
      events.push({ caseId: id, type, actorType: "system", createdAt: at(when), data: {}, ...extra });
    ev("created", t0, { actorType: "citizen", actorId: citizenId, data: { kind, channel: "zalo" } });
    ev("classified", t0, { data: { topicId: ex.topic, source: "classifier", confidence: 0.9 } });
    ev("routed", t0, { data: { agencyId: r.agencyId, ruleId: r.ruleId, explanation: r.explanation } });

    // About 3 % are re-routed to another agency a day or two after receipt; its deadline restarts.
    if (random() < 0.03 && t0 + 2 * DAY < now) {
      const to = pick(agencies.filter((a) => a !== agencyId));
      const when = t0 + (1 + random()) * DAY;
      ev("rerouted", when, {
        actorType: "official",
        data: { from: agencyId, to, reason: "Không đúng thẩm quyền" },
      });
      agencyId = to;
      dueAt = computeDeadlines({ kind, receivedAt: new Date(when) }, data.deadlines, data.calendar).dueAt;
    }
    // Handling time: mostly well within the deadline, some late; the rest still open.
    const allowed = dueAt.getTime() - t0;
    const late = random() < 0.12;
    const handledMs = t0 + (late ? allowed * (1 + random() * 0.8) : allowed * (0.1 + random() * 0.85));
    const r1 = random();
    let status: string = "routed";
    let answeredAt: Date | null = null;
    let closedAt: Date | null = null;
    let rating: number | null = null;
    let ratedAt: Date | null = null;
    let ratingComment: string | null = null;
    if (r1 < 0.03 && t0 + DAY < now) {
      status = "rejected";
      closedAt = at(t0 + DAY * (0.5 + random()));
    } else if (handledMs < now && r1 < 0.93) {
      if (t0 + DAY < now)
        ev("status_changed", t0 + DAY * 0.5, { data: { from: "routed", to: "in_progress" } });
      answeredAt = new Date(handledMs);
      status = "answered";
      ev("status_changed", handledMs, {
        actorType: "official",
        data: { from: "in_progress", to: "answered" },
      });
      const closeMs = handledMs + DAY * (0.5 + random() * 3);
      if (closeMs < now && random() < 0.8) {
        status = "closed";
        closedAt = new Date(closeMs);
        ev("status_changed", closeMs, { data: { from: "answered", to: "closed" } });
        if (random() < 0.6) {
          rating = Math.min(5, Math.max(1, Math.round(3.9 + (random() - 0.5) * 3 - (late ? 1 : 0))));
          ratedAt = at(closeMs + DAY * random() * 0.5);
          ratingComment = rating <= 2 ? "Giải quyết còn chậm" : null;
          ev("rated", ratedAt.getTime(), {
            actorType: "citizen",
            actorId: citizenId,
            data: { score: rating },
          });
        }
      }
    } else if (t0 + DAY < now && random() < 0.7) {
      status = "in_progress";
      ev("status_changed", t0 + DAY * 0.5, { data: { from: "routed", to: "in_progress" } });
    }
    cases.push({
      id,
      code: newCode(),
      kind,
      status: status as never,
      topicId: ex.topic,
      topicSource: random() < 0.8 ? "classifier" : "citizen",
      topicConfidence: 0.6 + random() * 0.4,
      placeId,
      agencyId,
      routingExplanation: r.explanation,
      description: ex.text,
      ...(kind !== "pakn" ? { senderName: "Người dân (dữ liệu mẫu)", subject: "Theo nội dung đơn" } : {}),
      anonymous,
      identityProtected: anonymous || identityProtectedByLaw(kind),
      attachments: random() < 0.2 ? [{ ref: `demo-photo-${i}` }] : [],
      citizenId,
      channel: pick(channels),
      receivedAt,
      acceptanceDueAt: d.acceptanceDueAt,
      dueAt,
      answeredAt,
      closedAt,
      rating,
      ratedAt,
      ratingComment,
      publicAnswer: answeredAt
        ? "Cơ quan đã kiểm tra thực tế và chỉ đạo khắc phục; kết quả đã thông báo cho người dân."
        : null,
      createdAt: receivedAt,
    });
  }
  // One statement per table and batch, the rows as one JSON parameter: far faster than a
  // parameter per column and row on both databases.
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`
        INSERT INTO "Case" ("id", "code", "kind", "status", "topicId", "topicSource", "topicConfidence", "placeId",
          "agencyId", "routingExplanation", "description", "subject", "senderName", "anonymous", "identityProtected",
          "attachments", "citizenId", "channel", "receivedAt", "acceptanceDueAt", "dueAt", "answeredAt", "closedAt",
          "rating", "ratedAt", "ratingComment", "publicAnswer", "createdAt", "updatedAt")
        SELECT x."id", x."code", x."kind"::"CaseKind", x."status"::"CaseStatus", x."topicId", x."topicSource",
          x."topicConfidence", x."placeId", x."agencyId", x."routingExplanation", x."description", x."subject",
          x."senderName", x."anonymous", x."identityProtected", x."attachments", x."citizenId", x."channel"::"Channel",
          x."receivedAt", x."acceptanceDueAt", x."dueAt", x."answeredAt", x."closedAt", x."rating", x."ratedAt",
          x."ratingComment", x."publicAnswer", x."createdAt", x."createdAt"
        FROM jsonb_to_recordset(${JSON.stringify(cases)}::jsonb) AS x("id" uuid, "code" text, "kind" text,
          "status" text, "topicId" text, "topicSource" text, "topicConfidence" float8, "placeId" text,
          "agencyId" text, "routingExplanation" text, "description" text, "subject" text, "senderName" text,
          "anonymous" boolean, "identityProtected" boolean, "attachments" jsonb, "citizenId" uuid, "channel" text,
          "receivedAt" timestamptz, "acceptanceDueAt" timestamptz, "dueAt" timestamptz, "answeredAt" timestamptz,
          "closedAt" timestamptz, "rating" int, "ratedAt" timestamptz, "ratingComment" text, "publicAnswer" text,
          "createdAt" timestamptz)`;
      await tx.$executeRaw`
        INSERT INTO "CaseEvent" ("caseId", "type", "actorType", "actorId", "data", "createdAt")
        SELECT x."caseId", x."type", x."actorType"::"ActorType", x."actorId", x."data", x."createdAt"
        FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
          AS x("caseId" uuid, "type" text, "actorType" text, "actorId" text, "data" jsonb, "createdAt" timestamptz)`;
    },
    { timeout: 600_000 },
  );
  filed += n;
  process.stdout.write(`\r${filed}/${count}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`\rĐã tạo ${filed} hồ sơ mẫu trong ${seconds.toFixed(1)} s (${opened.kind}).`);
await opened.close();
