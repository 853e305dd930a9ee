/**
 * Messenger updates in: stored durably through the group-commit writer (the webhook answers 200
 * only after that), then the processor is kicked. An update that had to be quarantined (it could
 * not be stored as received) gets a polite "could not read that" reply when its chat is known.
 */
import { guardStrings } from "../i18n/guard.ts";
import type { StoreUpdateInput, StoreUpdateResult } from "../inbound/store.ts";
import { InboundWriter } from "../inbound/writer.ts";
import type { ChannelName } from "../intake/types.ts";
import { enqueue } from "../outbox/store.ts";
import type { DbClient, Logger } from "../outbox/support.ts";

export interface IngestDeps {
  db: DbClient;
  logger: Logger;
  /** Wake the processor (something new was stored). */
  onStored: () => void;
  /** Wake the outbox (a reply was queued). */
  onQueued: () => void;
}

export interface IncomingUpdate {
  channel: ChannelName;
  externalId: string;
  chatId: string | undefined;
  payload: unknown;
}

export function createIngest(deps: IngestDeps) {
  const replyToQuarantined = async (results: StoreUpdateResult[], inputs: StoreUpdateInput[]) => {
    for (const [i, r] of results.entries()) {
      const input = inputs[i]!;
      if (!r.quarantined || input.chatId == null || input.channel === "web") continue;
      try {
        await enqueue(deps.db, {
          dedupeKey: `in:${input.channel}:${String(input.externalId)}:unreadable`,
          channel: input.channel,
          chatId: String(input.chatId),
          text: guardStrings.unreadable,
        });
        deps.onQueued();
      } catch (err) {
        deps.logger.error(
          { err, channel: input.channel, externalId: String(input.externalId) },
          "inbound: could not queue the reply to a quarantined update",
        );
      }
    }
  };
  const writer = new InboundWriter({
    db: deps.db,
    logger: deps.logger,
    onStored: (results, inputs) => {
      deps.onStored();
      if (results.some((r) => r.quarantined)) void replyToQuarantined(results, inputs);
    },
  });
  const toInput = (u: IncomingUpdate): StoreUpdateInput => ({
    channel: u.channel,
    externalId: u.externalId,
    chatId: u.chatId ?? null,
    payload: u.payload,
  });
  return {
    writer,
    /** Stores one update; resolves once it is committed. */
    store: async (u: IncomingUpdate): Promise<void> => {
      await writer.store([toInput(u)]);
    },
    /** Stores several updates in one statement (all or, on a poison one, each on its own). */
    storeMany: async (updates: IncomingUpdate[]): Promise<void> => {
      await writer.store(updates.map(toInput));
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
