/**
 * The outbox table: every message to a citizen is first written here (idempotently, possibly in
 * the producer's own transaction) and then delivered by the OutboxWorker.
 */
import { randomUUID } from "node:crypto";
import { type OutboxMessage, Prisma } from "../generated/prisma/client.ts";
import type { ChannelName, Choice } from "../intake/types.ts";
import type { DbClient } from "./support.ts";

export interface EnqueueInput {
  /**
   * Idempotency key of the logical message, e.g. `in:telegram:8812:reply:0` for the first reply to
   * an inbound update or `case:<id>:answered`. Enqueueing the same key again is a no-op.
   */
  dedupeKey: string;
  channel: ChannelName;
  chatId: string;
  text: string;
  choices?: Choice[] | undefined;
  /** An image (https URL the messenger fetches) sent with `text` as its caption. */
  photoUrl?: string | undefined;
  caseId?: string | null | undefined;
}

export interface EnqueueResult {
  id: string;
  /** false = a message with this dedupeKey already existed (it was left as it was). */
  created: boolean;
}

/**
 * Writes one outbound message, once per dedupeKey (INSERT … ON CONFLICT DO NOTHING). Accepts the
 * client of an interactive transaction: the message then exists exactly when the transaction
 * commits. Call the worker's `notify()` after the commit for immediate delivery (otherwise the
 * next poll picks it up).
 *
 * Order: `createdAt` is taken from the database clock and made strictly later than the chat's
 * previous message (`max(createdAt) + 1 ms`), so several messages enqueued in one transaction or
 * within one millisecond keep their order, whatever the clocks of the producing processes.
 */
export async function enqueue(db: DbClient, input: EnqueueInput): Promise<EnqueueResult> {
  const choices = input.choices === undefined ? null : JSON.stringify(input.choices);
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "OutboxMessage"
      ("id", "dedupeKey", "channel", "chatId", "text", "choices", "photoUrl", "caseId", "createdAt", "nextAttemptAt")
    SELECT ${randomUUID()}::uuid, ${input.dedupeKey}, ${input.channel}::"Channel", ${input.chatId}, ${input.text},
           ${choices}::jsonb, ${input.photoUrl ?? null}, ${input.caseId ?? null}::uuid, t.ts, t.ts
    FROM (SELECT GREATEST(
            date_trunc('milliseconds', clock_timestamp()),
            (SELECT max(o."createdAt") + interval '1 millisecond' FROM "OutboxMessage" o
              WHERE o."channel" = ${input.channel}::"Channel" AND o."chatId" = ${input.chatId})
          ) AS ts) t
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING "id"`;
  const inserted = rows[0];
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db.outboxMessage.findUnique({
    where: { dedupeKey: input.dedupeKey },
    select: { id: true },
  });
  if (!existing) throw new Error(`outbox: dedupeKey ${input.dedupeKey} conflicted but no row was found`);
  return { id: existing.id, created: false };
}

/**
 * Enqueues several messages in order, in ONE statement (same guarantees as `enqueue`): each
 * message's `createdAt` is after its chat's previous message, and the batch keeps its input order.
 * Results are in input order; a repeat of an earlier input's dedupeKey is reported as not created.
 */
export async function enqueueMany(db: DbClient, inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
  if (inputs.length === 0) return [];
  if (inputs.length === 1) return [await enqueue(db, inputs[0]!)];
  const rows = await db.$queryRaw<Array<{ id: string; dedupeKey: string }>>`${enqueueStatement(inputs)}`;
  const created = new Map(rows.map((r) => [r.dedupeKey, r.id]));
  const missing = inputs.map((i) => i.dedupeKey).filter((k) => !created.has(k));
  const existing = new Map<string, string>();
  if (missing.length) {
    const found = await db.outboxMessage.findMany({
      where: { dedupeKey: { in: missing } },
      select: { id: true, dedupeKey: true },
    });
    for (const f of found) existing.set(f.dedupeKey, f.id);
  }
  const claimed = new Set<string>();
  return inputs.map((input) => {
    const id = created.get(input.dedupeKey);
    if (id !== undefined && !claimed.has(input.dedupeKey)) {
      claimed.add(input.dedupeKey);
      return { id, created: true };
    }
    const other = id ?? existing.get(input.dedupeKey);
    if (other === undefined)
      throw new Error(`outbox: dedupeKey ${input.dedupeKey} conflicted but no row was found`);
    return { id: other, created: false };
  });
}

/**
 * The statement `enqueueMany` runs (INSERT … RETURNING "id", "dedupeKey"), for a caller that runs it
 * inside a larger one: as a common table expression of the statement that saves a dialogue turn, the
 * replies are queued exactly when the turn is saved. `onlyIf` is a SQL condition; rows are written
 * only when it holds.
 */
export function enqueueStatement(
  inputs: readonly EnqueueInput[],
  onlyIf: Prisma.Sql = Prisma.sql`true`,
): Prisma.Sql {
  const values = inputs.map(
    (input, i) =>
      Prisma.sql`(${i}::int, ${randomUUID()}::uuid, ${input.dedupeKey}, ${input.channel}::"Channel", ${input.chatId},
        ${input.text}, ${input.choices === undefined ? null : JSON.stringify(input.choices)}::jsonb,
        ${input.photoUrl ?? null}::text, ${input.caseId ?? null}::uuid)`,
  );
  // Each row comes after its chat's last message (or now), plus its position in ms: the batch keeps
  // its input order, within a chat and across chats. DISTINCT ON keeps the first of repeated
  // dedupeKeys (ON CONFLICT cannot take one key twice in a statement).
  return Prisma.sql`
    INSERT INTO "OutboxMessage"
      ("id", "dedupeKey", "channel", "chatId", "text", "choices", "photoUrl", "caseId", "createdAt", "nextAttemptAt")
    SELECT i."id", i."dedupeKey", i."channel", i."chatId", i."text", i."choices", i."photoUrl", i."caseId",
           i.ts, i.ts
    FROM (
      SELECT DISTINCT ON (v."dedupeKey") v.*,
             GREATEST(
               date_trunc('milliseconds', clock_timestamp()),
               (SELECT max(o."createdAt") + interval '1 millisecond' FROM "OutboxMessage" o
                 WHERE o."channel" = v."channel" AND o."chatId" = v."chatId")
             ) + v.n * interval '1 millisecond' AS ts
      FROM (VALUES ${Prisma.join(values)})
        AS v(n, "id", "dedupeKey", "channel", "chatId", "text", "choices", "photoUrl", "caseId")
      WHERE ${onlyIf}
      ORDER BY v."dedupeKey", v.n) i
    ORDER BY i.n
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING "id", "dedupeKey"`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ListFailedOptions {
  caseId?: string;
  channel?: ChannelName;
  chatId?: string;
  /** Default 100. */
  limit?: number;
}

/** Messages that could not be delivered (newest first), for the officials' queue. */
export function listFailed(db: DbClient, options: ListFailedOptions = {}): Promise<OutboxMessage[]> {
  return db.outboxMessage.findMany({
    where: {
      status: "failed",
      ...(options.caseId !== undefined && { caseId: options.caseId }),
      ...(options.channel !== undefined && { channel: options.channel }),
      ...(options.chatId !== undefined && { chatId: options.chatId }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 100,
  });
}

/**
 * Re-queues one failed message. It is treated as newly enqueued: attempts restart at 0, its
 * delivery window (giveUpAfterMs) starts again, and `createdAt` moves to now (after the chat's
 * other messages — they went on while it was failed). `lastError` is kept until it is sent.
 * Returns false when the message does not exist or is not failed.
 */
export async function retry(db: DbClient, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const n = await db.$executeRaw`
    UPDATE "OutboxMessage" m
    SET "status" = 'pending', "attempts" = 0, "lockedUntil" = NULL, "createdAt" = t.ts, "nextAttemptAt" = t.ts
    FROM (SELECT GREATEST(
            date_trunc('milliseconds', clock_timestamp()),
            (SELECT max(o."createdAt") + interval '1 millisecond' FROM "OutboxMessage" o, "OutboxMessage" f
              WHERE f."id" = ${id}::uuid AND o."channel" = f."channel" AND o."chatId" = f."chatId")
          ) AS ts) t
    WHERE m."id" = ${id}::uuid AND m."status" = 'failed'`;
  return n === 1;
}
