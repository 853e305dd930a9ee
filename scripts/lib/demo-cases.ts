/**
 * Realistic demo cases in bulk (batched inserts: 100,000 cases in a few minutes), for trying the
 * queue and the digest and for benchmarks. The same rules as filing through the dialogue:
 * routing, legal deadlines, search text, the sender's identity apart, the audit events, the
 * text's embedding (when given the model); older cases are further along (accepted, answered,
 * closed, rated), some left overdue on purpose.
 * Case texts come from the project's own labelled examples (data/examples/train).
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { generateCode } from "../../src/case/code.ts";
import { computeDeadlines } from "../../src/case/deadline.ts";
import { anonymityAllowed, type CaseKind, identityProtectedByLaw, isCaseKind } from "../../src/case/kind.ts";
import type { CaseStatus } from "../../src/case/lifecycle.ts";
import type { Embedder } from "../../src/classify/embedder.ts";
import type { ReferenceData } from "../../src/data/index.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { route } from "../../src/routing/router.ts";
import type { Db } from "../../src/store/db.ts";
import { caseEmbedding } from "../../src/store/embeddings.ts";
import { searchTextOf } from "../../src/store/search.ts";
import { Prng } from "../model/lib/prng.ts";

export interface DemoOptions {
  count: number;
  seed?: number;
  weeks?: number;
  now?: Date;
  /** Rows per insert (default 1000). */
  batch?: number;
  /** The similar-case search's model: stores each text's vector, as filing does. */
  embedder?: Embedder;
  onProgress?: (done: number) => void;
}

export function loadExamples(): { text: string; topic: string; kind: CaseKind }[] {
  const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../data/examples/train");
  const examples = readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) =>
      readFileSync(path.join(dir, f), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { text: string; topic: string; kind: string }),
    )
    .filter(
      (e): e is { text: string; topic: string; kind: CaseKind } => e.text.length >= 20 && isCaseKind(e.kind),
    );
  if (!examples.length) throw new Error("no examples in data/examples/train");
  return examples;
}

const NAMES = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Minh", "Phạm Thu Hà", "Hồ Văn Tư", "Võ Thị Lan"];
const ANSWER = "Cơ quan đã kiểm tra thực tế và chỉ đạo khắc phục; kết quả đã thông báo cho người dân.";

export async function seedDemoCases(db: Db, data: ReferenceData, o: DemoOptions): Promise<number> {
  const prng = new Prng(o.seed ?? 7);
  const random = () => prng.next();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const examples = loadExamples();
  const hot = ["hai-chau", "hoa-khanh", "hoi-an", "hoa-vang", "tam-ky"].filter((id) =>
    data.communeById.has(id),
  );
  const communes = data.communes.map((c) => c.id);
  const channels = ["zalo", "zalo", "zalo", "telegram", "web"] as const;
  const now = (o.now ?? new Date()).getTime();
  const span = (o.weeks ?? 12) * 7 * 24 * 3600_000;
  const batch = o.batch ?? 1000;
  const runId = randomUUID().slice(0, 8);

  // Citizens: about 0.8 per case, as in real life some write more than once.
  const citizenCount = Math.max(1, Math.floor(o.count * 0.8));
  const citizenIds: string[] = [];
  for (let start = 0; start < citizenCount; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(citizenCount, start + batch); i++) {
      const id = randomUUID();
      citizenIds.push(id);
      rows.push({ id, channel: pick(channels), externalId: `demo-${runId}-${i}`, displayName: pick(NAMES) });
    }
    await db.citizen.createMany({ data: rows });
  }

  let done = 0;
  const embedded = new Set<string>();
  for (let start = 0; start < o.count; start += batch) {
    const cases: Prisma.CaseCreateManyInput[] = [];
    const senders: Prisma.CaseSenderCreateManyInput[] = [];
    const events: Prisma.CaseEventCreateManyInput[] = [];
    for (let i = start; i < Math.min(o.count, start + batch); i++) {
      const ex = pick(examples);
      const receivedAt = new Date(now - random() ** 0.8 * span);
      const placeId = random() < 0.1 ? null : random() < 0.35 ? pick(hot) : pick(communes);
      const kind = ex.kind;
      const r = route({ topicId: ex.topic, kind, placeId }, data);
      const id = randomUUID();
      const code = generateCode();
      const anonymous = anonymityAllowed(kind) && random() < 0.15;
      const ageDays = (now - receivedAt.getTime()) / 86_400_000;
      const path: CaseStatus[] = ["routed"];
      const roll = random();
      if (ageDays > 2 && roll < 0.9) path.push("in_progress");
      if (ageDays > 5 && roll < 0.8) path.push("answered");
      if (ageDays > 8 && roll < 0.7) path.push("closed");
      if (path.length === 1 && roll > 0.97) path.push("rejected");
      const at = (k: number) =>
        new Date(Math.min(now, receivedAt.getTime() + k * ageDays * 0.2 * 86_400_000));
      const acceptedAt = path.includes("in_progress") ? at(1) : null;
      const deadlines = computeDeadlines({ kind, receivedAt, acceptedAt }, data.deadlines, data.calendar);
      const status = path.at(-1)!;
      const rating =
        status === "closed" && random() < 0.6
          ? Math.min(5, Math.max(1, Math.round(3.9 + (random() - 0.5) * 3)))
          : null;
      const subject = kind !== "pakn" ? "Theo nội dung đơn" : null;
      const topicSource = random() < 0.8 ? "classifier" : "citizen";
      const channel = pick(channels);
      cases.push({
        id,
        code,
        kind,
        status,
        topicId: ex.topic,
        topicSource,
        topicConfidence: 0.6 + random() * 0.4,
        placeId,
        agencyId: r.agencyId,
        routingExplanation: r.explanation,
        description: ex.text,
        subject,
        anonymous,
        identityProtected: anonymous || identityProtectedByLaw(kind),
        attachments: random() < 0.2 ? [{ ref: `demo-photo-${i}` }] : [],
        citizenId: citizenIds[Math.floor(random() * citizenIds.length)]!,
        channel,
        receivedAt,
        acceptanceDueAt: deadlines.acceptanceDueAt,
        acceptedAt,
        dueAt: deadlines.dueAt,
        publicAnswer: path.includes("answered") ? ANSWER : null,
        answeredAt: path.includes("answered") ? at(2) : null,
        closedAt: status === "closed" || status === "rejected" ? at(3) : null,
        rating,
        ratingComment: rating !== null && rating <= 2 ? "Giải quyết còn chậm" : null,
        ratedAt: rating !== null ? at(4) : null,
        searchText: searchTextOf({ code, subject, description: ex.text }),
        createdAt: receivedAt,
      });
      if (kind !== "pakn") senders.push({ caseId: id, name: `${pick(NAMES)} (dữ liệu mẫu)`, contact: null });
      const base = { caseId: id, createdAt: receivedAt };
      events.push(
        { ...base, type: "created", actorType: "citizen", data: { kind, channel } },
        {
          ...base,
          type: "classified",
          actorType: "system",
          data: { topicId: ex.topic, source: topicSource },
        },
        {
          ...base,
          type: "routed",
          actorType: "system",
          data: { agencyId: r.agencyId, ruleId: r.ruleId, explanation: r.explanation },
        },
      );
      for (let k = 1; k < path.length; k++)
        events.push({
          caseId: id,
          createdAt: at(k),
          type: "status_changed",
          actorType: "system",
          actorId: "demo-seed",
          data: { from: path[k - 1]!, to: path[k]!, reason: "Dữ liệu mẫu" },
        });
    }
    await db.case.createMany({ data: cases });
    if (senders.length) await db.caseSender.createMany({ data: senders });
    await db.caseEvent.createMany({ data: events });
    if (o.embedder) {
      // Each text once (the examples repeat), as filing stores it.
      const texts = [...new Set(cases.map((c) => c.description))].filter((t) => !embedded.has(t));
      const rows = [];
      for (const t of texts) rows.push(await caseEmbedding(o.embedder, t));
      for (const t of texts) embedded.add(t);
      if (rows.length) await db.textEmbedding.createMany({ data: rows, skipDuplicates: true });
    }
    done += cases.length;
    o.onProgress?.(done);
  }
  return done;
}
