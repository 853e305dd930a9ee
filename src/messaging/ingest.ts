/**
 * Messenger updates in: stored durably — in the acknowledgement journal when the host has one
 * (Node: a file in the data folder, moved into the database in the background; see
 * inbound/journal.ts), else through the group-commit writer straight into the database — and the
 * webhook answers 200 only after that; the processor is kicked once they are in the database.
 * An update that had to be quarantined (it could not be stored as received) gets a polite "could
 * not read that" reply when its chat is known.
 */
import { guardStrings } from "../i18n/guard.ts";
import type { StoreUpdateInput, StoreUpdateResult } from "../inbound/store.ts";
import { InboundWriter } from "../inbound/writer.ts";
import type { ChannelName } from "../intake/types.ts";
import { enqueue } from "../outbox/store.ts";
import type { DbClient, Logger } from "../outbox/support.ts";

/**
 * Where acknowledged updates are kept until the database has them (inbound/journal.ts; Node only,
 * so the Workers bundle never imports it).
 */
export interface AckJournal {
  /**
   * Resolves once the updates are on disk. Rejects with an error named JournalEncodeError when one
   * is not JSON.
   */
  append(inputs: StoreUpdateInput[]): Promise<void>;
  /** Its way into the database. */
  attach(store: (inputs: StoreUpdateInput[]) => Promise<unknown>): void;
  /** Updates acknowledged but not yet in the database. */
  readonly waiting: number;
  /** Moves what an earlier run left; before processing starts. */
  recover(): Promise<number>;
  close(): Promise<void>;
}

export interface IngestDeps {
  db: DbClient;
  /** Acknowledge from this journal instead of waiting for the database. */
  journal?: AckJournal | undefined;
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
  const { journal } = deps;
  journal?.attach((inputs) => writer.store(inputs));
  // Acknowledgements in progress, and when the last one began (see acksFirst).
  let receiving = 0;
  let lastReceivedAt = Number.NEGATIVE_INFINITY;
  const put = async (inputs: StoreUpdateInput[]): Promise<void> => {
    receiving += 1;
    lastReceivedAt = performance.now();
    try {
      await putNow(inputs);
    } finally {
      receiving -= 1;
    }
  };
  const putNow = async (inputs: StoreUpdateInput[]): Promise<void> => {
    if (journal) {
      try {
        await journal.append(inputs);
        return;
      } catch (err) {
        // Not JSON (it could not even be written down): stored directly, which quarantines it.
        if ((err as Error | undefined)?.name !== "JournalEncodeError") throw err;
        deps.logger.warn({ err }, "inbound: an update could not be journalled; storing it directly");
      }
    }
    await writer.store(inputs);
  };
  const toInput = (u: IncomingUpdate): StoreUpdateInput => ({
    channel: u.channel,
    externalId: u.externalId,
    chatId: u.chatId ?? null,
    payload: u.payload,
  });
  return {
    writer,
    journal,
    /** Stores one update; resolves once it is durable (journal or database). */
    store: (u: IncomingUpdate): Promise<void> => put([toInput(u)]),
    /** Stores several updates together (one write; all or, on a poison one, each on its own). */
    storeMany: (updates: IncomingUpdate[]): Promise<void> => put(updates.map(toInput)),
    /**
     * A gate for work that shares Node's one thread (and, on PGlite, the one connection) with the
     * acknowledgements: awaited before each of its steps, it keeps that work to about `share` of
     * the time while updates are arriving (within the last `quietMs`) — a pass waits
     * (1 − share) / share times as long as the work ran since the previous pass — and costs
     * nothing when none are. Passes are taken one at a time, so several steps in parallel share
     * one budget. More than `idleMs` since the previous pass counts as the work having been idle
     * (no wait: a message after a quiet spell is turned at once). A flood is then acknowledged at
     * nearly full speed and still processed, more slowly, instead of either waiting behind the
     * other. `first` is awaited at each pass before that wait, and its time does not count as work
     * (on the embedded database: the journal's writes into it).
     */
    acksFirst(
      share: number,
      options: { first?: () => Promise<void>; quietMs?: number; idleMs?: number } = {},
    ): () => Promise<void> {
      const { first, quietMs = 20, idleMs = 250 } = options;
      const rest = (1 - share) / share;
      let lastPass = performance.now();
      let passes: Promise<void> = Promise.resolve();
      const pass = async () => {
        const worked = performance.now() - lastPass;
        await first?.();
        const now = performance.now();
        if (worked < idleMs && (receiving > 0 || now - lastReceivedAt < quietMs)) {
          const wait = Math.min(worked * rest, 1_000);
          if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        lastPass = performance.now();
      };
      return () => {
        passes = passes.then(pass);
        return passes;
      };
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
