/**
 * Durable intake of webhook and polling updates: an update is written here before the webhook
 * answers 200 (or before the polling offset moves on), then processed by the InboundProcessor.
 *
 * Poison updates never block a chat or loop for ever: what PostgreSQL cannot hold is repaired
 * (repair.ts: lone surrogates, NUL, absurd nesting); an update that still cannot be stored is
 * kept as a *quarantined* row (status `quarantined`, the reason and an excerpt in its payload,
 * the error in `lastError`) that officials see next to the failed ones — so the platform gets its
 * 200 and stops redelivering. Only when even that fails (the database is down) does the caller
 * get an error (→ 503, the platform retries). Every storage failure is logged.
 */
import type { InboundUpdate, Prisma } from "../generated/prisma/client.ts";
import type { ChannelName } from "../intake/types.ts";
import { type DbClient, errorText, type Logger, silentLogger } from "../outbox/support.ts";
import { repairJson } from "./repair.ts";

export interface StoreUpdateInput {
  channel: ChannelName;
  /** Telegram update_id, Zalo chat + message_id: redeliveries of one update share it. */
  externalId: string | number | bigint;
  /** The chat whose updates must be processed in order; null = no ordering constraint. */
  chatId?: string | number | null | undefined;
  /** The raw update, as received. */
  payload: unknown;
}

export interface StoreUpdateResult {
  /** false = this (channel, externalId) was already stored: a redelivery, nothing was written. */
  stored: boolean;
  /** The new row's id (absent for a duplicate). */
  id?: bigint;
  /** Set when the update could not be stored as received and was quarantined instead (the reason). */
  quarantined?: string;
}

export interface StoreOptions {
  logger?: Logger;
}

interface Row {
  channel: ChannelName;
  externalId: string;
  chatId: string | null;
  payload: Prisma.InputJsonValue;
  status?: "quarantined";
  lastError?: string;
}

/**
 * Stores one update, once per (channel, externalId) (INSERT … ON CONFLICT DO NOTHING). Answer the
 * webhook only after this resolved; then `kick()` the processor.
 */
export async function storeUpdate(
  db: DbClient,
  input: StoreUpdateInput,
  options: StoreOptions = {},
): Promise<StoreUpdateResult> {
  return (await storeUpdates(db, [input], options))[0]!;
}

/**
 * Stores a batch of updates in ONE statement (one transaction, one round trip): all of them or,
 * on error, none — then each is stored on its own so that one poison update neither spoils nor
 * delays the others. Results are in input order; a repeat of an earlier input of the same batch
 * is reported as a duplicate.
 */
export async function storeUpdates(
  db: DbClient,
  inputs: readonly StoreUpdateInput[],
  options: StoreOptions = {},
): Promise<StoreUpdateResult[]> {
  const logger = options.logger ?? silentLogger;
  const rows = inputs.map((input) => toRow(input, logger));
  const firstOf = new Map<string, number>();
  const unique: Row[] = [];
  const slot = rows.map((r, i) => {
    const key = `${r.channel}\u0001${r.externalId}`;
    const seen = firstOf.get(key);
    if (seen !== undefined) return -1;
    firstOf.set(key, i);
    unique.push(r);
    return unique.length - 1;
  });
  let results: StoreUpdateResult[];
  try {
    results = await insert(db, unique);
  } catch (err) {
    if (unique.length === 1) results = [await quarantine(db, unique[0]!, err, logger)];
    else {
      logger.warn(
        { err, count: unique.length },
        "inbound: a batch of updates could not be stored together; storing them one by one",
      );
      results = [];
      for (const row of unique) {
        try {
          results.push((await insert(db, [row]))[0]!);
        } catch (e) {
          results.push(await quarantine(db, row, e, logger));
        }
      }
    }
  }
  return slot.map((s) => (s === -1 ? { stored: false } : results[s]!));
}

function toRow(input: StoreUpdateInput, logger: Logger): Row {
  const externalId = String(input.externalId);
  const { value, changes } = repairJson(input.payload);
  if (changes.length) {
    logger.warn(
      { channel: input.channel, externalId, changes },
      "inbound: repaired an update PostgreSQL could not store as received",
    );
  }
  return {
    channel: input.channel,
    externalId: repairJson(externalId).value as string,
    chatId:
      input.chatId === undefined || input.chatId === null
        ? null
        : (repairJson(String(input.chatId)).value as string),
    payload: (value ?? null) as Prisma.InputJsonValue,
  };
}

/**
 * One INSERT … SELECT FROM jsonb_to_recordset(…) for the whole batch, the rows passed as one JSON
 * text. Written in SQL rather than as `createManyAndReturn` because this is the hot statement of
 * every acknowledgement: its shape does not depend on the batch size, where Prisma built and
 * compiled a new query for every size (about a third of Node's time per acknowledgement under
 * load, bench:webhook), and one JSON text costs less to send than a payload per parameter.
 */
async function insert(db: DbClient, rows: Row[]): Promise<StoreUpdateResult[]> {
  if (!rows.length) return [];
  // Serialised here: a RangeError on a value repair could not tame is a data error (the caller
  // then stores the rows one by one and quarantines the culprit).
  const json = JSON.stringify(rows);
  const inserted = await db.$queryRaw<Array<{ id: bigint; channel: ChannelName; externalId: string }>>`
    INSERT INTO "InboundUpdate" ("channel", "externalId", "chatId", "payload", "status", "lastError")
    SELECT r."channel"::"Channel", r."externalId", r."chatId", COALESCE(r."payload", 'null'::jsonb),
           COALESCE(r."status", 'pending')::"InboundStatus", r."lastError"
    FROM jsonb_to_recordset(${json}::jsonb)
      AS r("channel" text, "externalId" text, "chatId" text, "payload" jsonb, "status" text, "lastError" text)
    ON CONFLICT ("channel", "externalId") DO NOTHING
    RETURNING "id", "channel"::text AS "channel", "externalId"`;
  const ids = new Map(inserted.map((r) => [`${r.channel}\u0001${r.externalId}`, r.id]));
  return rows.map((r) => {
    const id = ids.get(`${r.channel}\u0001${r.externalId}`);
    if (id === undefined) return { stored: false };
    return r.status === "quarantined"
      ? { stored: true, id, quarantined: r.lastError ?? "" }
      : { stored: true, id };
  });
}

/**
 * The update could not be stored: keep a quarantined row instead (so the platform gets its 200 and
 * stops redelivering), unless the failure looks like the database being unavailable — then rethrow
 * (503: the platform delivers it again later, when it can be stored whole).
 */
async function quarantine(db: DbClient, row: Row, err: unknown, logger: Logger): Promise<StoreUpdateResult> {
  const context = { channel: row.channel, externalId: row.externalId, chatId: row.chatId };
  if (!isDataError(err)) {
    logger.error({ ...context, err }, "inbound: the update could not be stored (database unavailable?)");
    throw err;
  }
  const reason = storageErrorText(err);
  logger.error({ ...context, err }, "inbound: the update could not be stored; quarantined");
  let excerpt: string;
  try {
    excerpt = JSON.stringify(row.payload).slice(0, 2000);
  } catch {
    excerpt = "(not serialisable)";
  }
  const q: Row = {
    ...context,
    payload: { quarantined: true, reason, excerpt: repairJson(excerpt).value as string },
    status: "quarantined",
    lastError: reason,
  };
  try {
    return (await insert(db, [q]))[0]!;
  } catch (e) {
    logger.error({ ...context, err: e }, "inbound: not even the quarantine row could be stored");
    throw e;
  }
}

/**
 * Why the database refused an update, for the quarantine row and the officials who review it: the
 * database's own code and message when Prisma carries them (its own message starts with the call
 * site and source lines, and the cause would be cut off), else the error's text.
 */
export function storageErrorText(err: unknown): string {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } })?.meta
    ?.driverAdapterError?.cause;
  const message = cause && (cause.originalMessage ?? cause.message);
  if (typeof message === "string" && message)
    return errorText(`${String(cause.originalCode ?? cause.code ?? cause.kind ?? "")}: ${message}`, 500);
  return errorText(err, 500);
}

/**
 * An error about the data (it will fail again on every redelivery), not about the database being
 * reachable: serialiser exceptions (stack overflow on deep nesting, …) and PostgreSQL's data
 * exceptions (SQLSTATE class 22) and program limits (class 54).
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof RangeError || err instanceof TypeError) return true;
  const cause = (err as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } })?.meta
    ?.driverAdapterError?.cause;
  if (!cause) return false;
  const code = String(cause.originalCode ?? cause.code ?? "");
  return code.startsWith("22") || code.startsWith("54") || cause.kind === "InvalidInputValue";
}

/** Updates whose processing failed for good, or that were quarantined at intake (newest first). */
export function listFailedUpdates(
  db: DbClient,
  options: { channel?: ChannelName; chatId?: string; limit?: number } = {},
): Promise<InboundUpdate[]> {
  return db.inboundUpdate.findMany({
    where: {
      status: { in: ["failed", "quarantined"] },
      ...(options.channel !== undefined && { channel: options.channel }),
      ...(options.chatId !== undefined && { chatId: options.chatId }),
    },
    orderBy: { id: "desc" },
    take: options.limit ?? 100,
  });
}

/**
 * Makes a failed update pending again (attempts restart at 0). It is processed after whatever its
 * chat received meanwhile has already been processed. Returns false unless it was failed
 * (a quarantined update holds no usable payload: there is nothing to retry).
 */
export async function retryUpdate(db: DbClient, id: bigint): Promise<boolean> {
  const { count } = await db.inboundUpdate.updateMany({
    where: { id, status: "failed" },
    data: { status: "pending", attempts: 0, nextAttemptAt: null },
  });
  return count === 1;
}

/**
 * Sets a failed or quarantined update aside (an official looked at it and decided nothing more is
 * to be done): it leaves the list of updates to review. Returns false unless it was failed or
 * quarantined.
 */
export async function dismissUpdate(db: DbClient, id: bigint): Promise<boolean> {
  const { count } = await db.inboundUpdate.updateMany({
    where: { id, status: { in: ["failed", "quarantined"] } },
    data: { status: "dismissed", nextAttemptAt: null },
  });
  return count === 1;
}
