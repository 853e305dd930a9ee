/**
 * Durable intake of webhook and polling updates: an update is written here before the webhook
 * answers 200 (or before the polling offset moves on), then processed by the InboundProcessor.
 */
import type { InboundUpdate, Prisma } from "../generated/prisma/client.ts";
import type { ChannelName } from "../intake/types.ts";
import type { DbClient } from "../outbox/support.ts";

export interface StoreUpdateInput {
  channel: ChannelName;
  /** Telegram update_id, Zalo message_id: redeliveries of one update share it. */
  externalId: string | number | bigint;
  /** The chat whose updates must be processed in order; null = no ordering constraint. */
  chatId?: string | number | null | undefined;
  /** The raw update, as received. */
  payload: Prisma.InputJsonValue;
}

export interface StoreUpdateResult {
  /** false = this (channel, externalId) was already stored: a redelivery, nothing was written. */
  stored: boolean;
  /** The new row's id (absent for a duplicate). */
  id?: bigint;
}

/**
 * Stores one update, once per (channel, externalId) (INSERT … ON CONFLICT DO NOTHING). Answer the
 * webhook only after this resolved; then `kick()` the processor.
 */
export async function storeUpdate(db: DbClient, input: StoreUpdateInput): Promise<StoreUpdateResult> {
  const rows = await db.inboundUpdate.createManyAndReturn({
    data: [
      {
        channel: input.channel,
        externalId: String(input.externalId),
        chatId: input.chatId === undefined || input.chatId === null ? null : String(input.chatId),
        payload: withoutNul(input.payload),
      },
    ],
    skipDuplicates: true,
    select: { id: true },
  });
  const row = rows[0];
  return row ? { stored: true, id: row.id } : { stored: false };
}

/**
 * The payload with every U+0000 (in strings and keys) replaced by U+FFFD. A NUL is valid JSON but
 * PostgreSQL's jsonb and text cannot hold it: storing it as is would fail for ever, so the webhook
 * would answer 503 to every redelivery and long polling would stall on that update.
 */
function withoutNul(value: Prisma.InputJsonValue): Prisma.InputJsonValue {
  const clean = (v: unknown): unknown => {
    if (typeof v === "string") return v.includes("\u0000") ? v.replaceAll("\u0000", "\uFFFD") : v;
    if (Array.isArray(v)) return v.map(clean);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k) as string, clean(x)]));
    }
    return v;
  };
  return clean(value) as Prisma.InputJsonValue;
}

/** Updates whose processing failed for good (newest first). */
export function listFailedUpdates(
  db: DbClient,
  options: { channel?: ChannelName; chatId?: string; limit?: number } = {},
): Promise<InboundUpdate[]> {
  return db.inboundUpdate.findMany({
    where: {
      status: "failed",
      ...(options.channel !== undefined && { channel: options.channel }),
      ...(options.chatId !== undefined && { chatId: options.chatId }),
    },
    orderBy: { id: "desc" },
    take: options.limit ?? 100,
  });
}

/**
 * Makes a failed update pending again (attempts restart at 0). It is processed after whatever its
 * chat received meanwhile has already been processed. Returns false unless it was failed.
 */
export async function retryUpdate(db: DbClient, id: bigint): Promise<boolean> {
  const { count } = await db.inboundUpdate.updateMany({
    where: { id, status: "failed" },
    data: { status: "pending", attempts: 0, nextAttemptAt: null },
  });
  return count === 1;
}
