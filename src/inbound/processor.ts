/**
 * Processes stored inbound updates: in id (arrival) order, strictly one at a time per chat,
 * different chats in parallel up to a bound. Several processors (in one process or several on one
 * PostgreSQL) never handle one update at the same time: updates are claimed with
 * `FOR UPDATE SKIP LOCKED` and leased (`nextAttemptAt` in the future while a processor holds one;
 * the lease is extended while `handle` runs).
 *
 * Guarantees and limits
 * - Nothing is lost: an update stays pending until `handle` resolved and the row was marked
 *   processed, or until it failed `maxAttempts` times. A processor that dies mid-update leaves it
 *   pending; it is taken again when its lease expires (at once on `start()` with `exclusive`).
 * - At-least-once `handle`: a crash between `handle` committing its effects and the mark
 *   "processed" runs `handle` again for that update (a handler that writes the mark in its own
 *   statement through `update.completion` closes that window for its turns). `handle` must therefore be idempotent: derive
 *   the dedupeKey of every reply it enqueues from the update (`updateDedupeKey(update, n)`), so a
 *   second run creates no second reply, and make its other writes conditional (e.g. the
 *   conversation's version) or keyed on the update.
 * - Poison updates: after `maxAttempts` failures (with backoff between them) the update is marked
 *   failed with its lastError and logged, and its chat moves on to its next update.
 */
import { Prisma } from "../generated/prisma/client.ts";
import type { ChannelName } from "../intake/types.ts";
import {
  backoffDelay,
  type Clock,
  type DbClient,
  errorText,
  type Logger,
  silentLogger,
  systemClock,
  Wakeup,
} from "../outbox/support.ts";
import type { Db } from "../store/db.ts";

export interface ClaimedUpdate {
  id: bigint;
  channel: ChannelName;
  externalId: string;
  chatId: string | null;
  payload: Prisma.JsonValue;
  /** 1 on the first attempt, 2 on the first retry, … */
  attempt: number;
  receivedAt: Date;
  /**
   * The statement that records this update as processed (fenced like the processor's own mark:
   * only while this attempt still holds it), writing only when the SQL condition `onlyIf` holds. A
   * handler that runs it inside the statement that commits its effects resolves with "settled",
   * and the processor writes nothing more.
   */
  completion?: (onlyIf: Prisma.Sql) => Prisma.Sql;
}

/**
 * Handles one update. `signal` aborts when the attempt times out (`handleTimeoutMs`): the attempt
 * then counts as failed and is retried later, so stop work and do not write after it fires.
 */
export type UpdateHandler = (
  update: ClaimedUpdate,
  signal: AbortSignal,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that records nothing returns nothing
) => Promise<void | "settled">;

/**
 * A dedupeKey for the `part`-th message produced while handling `update` (stable across
 * re-processing and redelivery): `in:<channel>:<externalId>:<part>`.
 */
export function updateDedupeKey(
  update: Pick<ClaimedUpdate, "channel" | "externalId">,
  part: string | number,
): string {
  return `in:${update.channel}:${update.externalId}:${part}`;
}

export interface InboundProcessorOptions {
  /** A Prisma client (not a transaction). */
  db: Db;
  /** Runs the dialogue for one update; must be idempotent (see above). A throw = a failed attempt. */
  handle: UpdateHandler;
  logger?: Logger;
  clock?: Clock;
  /** Updates handled at once (always of different chats). Default 4. */
  concurrency?: number;
  /**
   * Updates `start()`'s loop claims at once (in flight and waiting for a slot together), so a
   * claim serves several turns. Their leases start at the claim; a stop hands back the waiting
   * ones. Default 4 × concurrency.
   */
  prefetch?: number;
  /** Attempts before an update is marked failed. Default 5. */
  maxAttempts?: number;
  /** First retry delay (then doubling, with jitter). Default 1 000. */
  baseDelayMs?: number;
  /** Cap of the retry delay. Default 60 000. */
  maxDelayMs?: number;
  /** Lease of a claimed update, extended every leaseMs/3 while handle runs. Default 60 000. */
  leaseMs?: number;
  /** An attempt still running after this long counts as failed (its signal aborts). Default 120 000. */
  handleTimeoutMs?: number;
  /** Idle polling interval of `start()`. Default 1 000. */
  pollIntervalMs?: number;
  random?: () => number;
  /**
   * This is the only processor on its database (the embedded PGlite: one process per data folder).
   * `start()` then takes back at once the updates a crashed run was handling instead of waiting for
   * their lease to expire. Never set it with several processors on one server.
   */
  exclusive?: boolean;
  /**
   * Awaited before each claim and each update's handling: lets more urgent work on the same
   * connection go first (on PGlite, the webhook acknowledgements waiting to be written).
   */
  yieldTo?: () => Promise<void>;
}

export interface InboundPassResult {
  claimed: number;
  processed: number;
  retried: number;
  failed: number;
}

type Outcome = "processed" | "retried" | "failed";

/** Ids from the oldest pending update searched for claimable chat heads before a full pass. */
const CLAIM_WINDOW = 256;

interface Row {
  id: bigint;
  channel: ChannelName;
  externalId: string;
  chatId: string | null;
  payload: Prisma.JsonValue;
  attempts: number;
  receivedAt: Date;
  /** When this processor claimed it (clock ms; not a column). */
  claimedAt: number;
}

export class InboundProcessor {
  private readonly db: Db;
  private readonly handle: UpdateHandler;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly concurrency: number;
  /** Updates claimed ahead of the free handling slots, at most (the loop's batch). */
  private readonly prefetch: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly leaseMs: number;
  private readonly handleTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly random: () => number;
  private readonly exclusive: boolean;
  private readonly yieldTo: (() => Promise<void>) | undefined;
  private readonly wakeup = new Wakeup();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private backlog: Promise<void> | undefined;

  constructor(options: InboundProcessorOptions) {
    this.db = options.db;
    this.handle = options.handle;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.prefetch = Math.max(this.concurrency, options.prefetch ?? this.concurrency * 4);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.handleTimeoutMs = options.handleTimeoutMs ?? 120_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.random = options.random ?? Math.random;
    this.exclusive = options.exclusive ?? false;
    this.yieldTo = options.yieldTo;
  }

  /** Wake the loop now (call after `storeUpdate`). */
  kick(): void {
    this.wakeup.notify();
  }

  /**
   * Starts processing: first every pending update left over (by a crash or downtime), then new
   * ones as they are kicked or polled. The promise resolves once that first backlog is done (or
   * on stop); the loop keeps running until `stop()`.
   */
  start(): Promise<void> {
    if (this.loop && this.backlog) return this.backlog;
    this.stopping = false;
    let backlogDone!: () => void;
    this.backlog = new Promise((resolve) => {
      backlogDone = resolve;
    });
    this.loop = this.run(backlogDone);
    return this.backlog;
  }

  /** Lets the updates in flight finish (no new claims), then ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeup.notify();
    await this.loop;
    this.loop = undefined;
    this.backlog = undefined;
  }

  private async run(backlogDone: () => void): Promise<void> {
    if (this.exclusive) {
      try {
        const { count } = await this.db.inboundUpdate.updateMany({
          where: { status: "pending", nextAttemptAt: { not: null } },
          data: { nextAttemptAt: null },
        });
        if (count) this.logger.warn({ count }, "inbound: took back updates left in flight by a previous run");
      } catch (err) {
        this.logger.error({ err }, "inbound: could not take back the updates left in flight");
      }
    }
    let backlogPending = true;
    // Claimed, not yet started (in id order; each the head of its chat, so starting them in any
    // order keeps every chat's order). Claiming a few turns ahead spares a claim per turn.
    const ready: Row[] = [];
    while (!this.stopping) {
      let claimed = 0;
      if (ready.length < this.concurrency - this.inFlight.size) {
        try {
          const rows = await this.claim(this.prefetch - this.inFlight.size - ready.length);
          claimed = rows.length;
          ready.push(...rows);
        } catch (err) {
          this.logger.error({ err }, "inbound: claiming updates failed");
        }
      }
      while (this.inFlight.size < this.concurrency && ready.length && !this.stopping)
        this.launch(ready.shift()!);
      if (backlogPending && claimed === 0 && this.inFlight.size === 0 && ready.length === 0) {
        backlogPending = false;
        backlogDone();
      }
      if (this.stopping) break;
      // Fewer claimed than asked = nothing else due now. A completion (which may unblock its chat's
      // next update), a kick or the poll wakes us.
      await this.wakeup.wait(this.pollIntervalMs);
    }
    await this.release(ready);
    await Promise.allSettled([...this.inFlight]);
    backlogDone();
  }

  /** Hands back claimed updates that were not started (stop): not an attempt, due at once. */
  private async release(rows: Row[]): Promise<void> {
    for (const row of rows) {
      try {
        await this.db.inboundUpdate.updateMany({
          where: { id: row.id, status: "pending", attempts: row.attempts },
          data: { attempts: row.attempts - 1, nextAttemptAt: null },
        });
      } catch (err) {
        this.logger.warn(
          { err, id: String(row.id) },
          "inbound: could not hand back an update; it is retried when its lease expires",
        );
      }
    }
  }

  private launch(row: Row): void {
    const task = this.process(row)
      .then(
        () => {},
        (err: unknown) => {
          this.logger.error(
            { err, id: String(row.id) },
            "inbound: could not record the outcome of an update",
          );
        },
      )
      .finally(() => {
        this.inFlight.delete(task);
        this.wakeup.notify();
      });
    this.inFlight.add(task);
  }

  /** One pass for tests and scripts: claim up to `concurrency` due updates and handle them. */
  async runOnce(): Promise<InboundPassResult> {
    const rows = await this.claim(this.concurrency);
    const result: InboundPassResult = { claimed: rows.length, processed: 0, retried: 0, failed: 0 };
    await Promise.all(
      rows.map(async (row) => {
        try {
          result[await this.process(row)] += 1;
        } catch (err) {
          this.logger.error(
            { err, id: String(row.id) },
            "inbound: could not record the outcome of an update",
          );
        }
      }),
    );
    return result;
  }

  /** Passes until nothing is due now (updates backing off stay for later). */
  async drain(): Promise<InboundPassResult> {
    const total: InboundPassResult = { claimed: 0, processed: 0, retried: 0, failed: 0 };
    for (;;) {
      const r = await this.runOnce();
      if (r.claimed === 0) return total;
      total.claimed += r.claimed;
      total.processed += r.processed;
      total.retried += r.retried;
      total.failed += r.failed;
    }
  }

  private async claim(limit: number): Promise<Row[]> {
    await this.yieldTo?.();
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    // Only the oldest pending update of each chat qualifies (strict order per chat); an update of
    // no chat has no predecessor. Claiming counts the attempt, so crash loops are bounded too.
    // First the heads among the pending updates of the CLAIM_WINDOW ids from the oldest one: a
    // chat's first update in that window is its head (any earlier pending update of the chat would
    // be in the window too), so the cost does not grow with the backlog. When the window holds no
    // claimable head (chats waiting for a retry with long backlogs), DISTINCT ON over every pending
    // update finds each chat's head in one pass (linear in the pending rows, however long one
    // chat's backlog).
    const claimAmong = (heads: Prisma.Sql) => this.db.$queryRaw<Omit<Row, "claimedAt">[]>`
      UPDATE "InboundUpdate"
      SET "attempts" = "attempts" + 1, "nextAttemptAt" = ${leaseUntil}
      WHERE "id" IN (
        SELECT c."id" FROM "InboundUpdate" c
        WHERE c."id" IN (
          SELECT h."id" FROM (${heads}) h
          WHERE h."nextAttemptAt" IS NULL OR h."nextAttemptAt" <= ${now}
          ORDER BY h."id"
          LIMIT ${limit})
        -- Checked again on the row's latest version once it is locked (another processor may
        -- have claimed it since this statement's snapshot).
        AND c."status" = 'pending' AND (c."nextAttemptAt" IS NULL OR c."nextAttemptAt" <= ${now})
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "channel", "externalId", "chatId", "payload", "attempts", "receivedAt"`;
    /** Each chat's oldest update among `pending` (an update of no chat is its own head). */
    const headsOf = (pending: Prisma.Sql) => Prisma.sql`
      SELECT DISTINCT ON (u."channel", u."chatId", CASE WHEN u."chatId" IS NULL THEN u."id" END)
             u."id", u."nextAttemptAt"
      FROM ${pending} u
      ORDER BY u."channel", u."chatId", CASE WHEN u."chatId" IS NULL THEN u."id" END, u."id"`;
    // The window is an id range from the oldest pending update, not "ORDER BY id LIMIT n": both
    // mins and the range are read from the partial index of pending updates whatever the planner's
    // statistics say (with statistics a burst had left stale, the LIMIT form was planned as a
    // bitmap scan and sort of every pending row: 3.5 ms per claim at 4,000 pending, the largest
    // cost of a turn on PostgreSQL; this form 0.5 ms). Gaps in the ids only make the window smaller.
    const oldest = Prisma.sql`(SELECT min(m."id") FROM "InboundUpdate" m WHERE m."status" = 'pending')`;
    const windowed = await claimAmong(
      headsOf(Prisma.sql`(
        SELECT p."id", p."channel", p."chatId", p."nextAttemptAt"
        FROM "InboundUpdate" p
        WHERE p."status" = 'pending' AND p."id" >= ${oldest} AND p."id" < ${oldest} + ${CLAIM_WINDOW})`),
    );
    const rows = windowed.length
      ? windowed
      : await claimAmong(headsOf(Prisma.sql`(SELECT * FROM "InboundUpdate" WHERE "status" = 'pending')`));
    const claimedAt = now.getTime();
    return rows.map((r) => ({ ...r, claimedAt })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async process(row: Row): Promise<Outcome> {
    const context = {
      id: String(row.id),
      channel: row.channel,
      externalId: row.externalId,
      chatId: row.chatId,
    };
    if (row.attempts > this.maxAttempts) {
      // Only reachable when processors keep dying on this update (each claim counts an attempt).
      this.logger.error(
        { ...context, attempts: row.attempts },
        "inbound: update keeps crashing its processor; marked failed",
      );
      await this.settle(row, {
        status: "failed",
        nextAttemptAt: null,
        lastError: `gave up: processing did not complete in ${this.maxAttempts} attempts`,
      });
      return "failed";
    }
    // Claimed ahead and kept waiting for a slot for a while: renew the lease before starting.
    if (this.clock.now().getTime() - row.claimedAt >= this.leaseMs / 3) await this.extendLease(row);
    const heartbeat = setInterval(
      () => void this.extendLease(row),
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref?.();
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`handling did not finish within ${this.handleTimeoutMs} ms`);
        err.name = "TimeoutError";
        abort.abort(err);
        reject(err);
      }, this.handleTimeoutMs);
      timer.unref?.();
    });
    try {
      const update: ClaimedUpdate = {
        id: row.id,
        channel: row.channel,
        externalId: row.externalId,
        chatId: row.chatId,
        payload: row.payload,
        attempt: row.attempts,
        receivedAt: row.receivedAt,
        completion: (onlyIf) => Prisma.sql`
          UPDATE "InboundUpdate"
          SET "status" = 'processed', "processedAt" = ${this.clock.now()}::timestamptz, "nextAttemptAt" = NULL
          WHERE "id" = ${row.id} AND "status" = 'pending' AND "attempts" = ${row.attempts} AND ${onlyIf}`,
      };
      await this.yieldTo?.();
      const outcome = await Promise.race([
        Promise.resolve().then(() => this.handle(update, abort.signal)),
        timeout,
      ]);
      // Marked processed in the handler's own (committed) transaction: nothing left to record.
      if (outcome === "settled") return "processed";
    } catch (err) {
      return await this.onError(row, err);
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timer);
    }
    await this.settle(row, this.processedMark());
    return "processed";
  }

  private processedMark(): Prisma.InboundUpdateUpdateManyMutationInput {
    return { status: "processed", processedAt: this.clock.now(), nextAttemptAt: null };
  }

  private async onError(row: Row, err: unknown): Promise<Outcome> {
    const context = {
      id: String(row.id),
      channel: row.channel,
      externalId: row.externalId,
      chatId: row.chatId,
    };
    const lastError = errorText(err);
    if (row.attempts >= this.maxAttempts) {
      this.logger.error(
        { ...context, attempts: row.attempts, err },
        "inbound: update failed for good (poison); marked failed, its chat moves on",
      );
      await this.settle(row, { status: "failed", nextAttemptAt: null, lastError });
      return "failed";
    }
    const delay = backoffDelay(row.attempts, this.baseDelayMs, this.maxDelayMs, this.random);
    this.logger.warn(
      { ...context, attempts: row.attempts, err, retryInMs: delay },
      "inbound: handling failed; will retry",
    );
    await this.settle(row, { nextAttemptAt: new Date(this.clock.now().getTime() + delay), lastError });
    return "retried";
  }

  private async extendLease(row: Row): Promise<void> {
    try {
      await this.db.inboundUpdate.updateMany({
        where: { id: row.id, status: "pending", attempts: row.attempts },
        data: { nextAttemptAt: new Date(this.clock.now().getTime() + this.leaseMs) },
      });
    } catch (err) {
      this.logger.warn({ err, id: String(row.id) }, "inbound: could not extend a lease");
    }
  }

  /** Writes an outcome only if this processor still holds the update (same claim: attempts). */
  private async settle(
    row: Row,
    data: Prisma.InboundUpdateUpdateManyMutationInput,
    client: DbClient = this.db,
  ): Promise<void> {
    const { count } = await client.inboundUpdate.updateMany({
      where: { id: row.id, status: "pending", attempts: row.attempts },
      data,
    });
    if (count === 0) {
      this.logger.warn(
        { id: String(row.id), attempts: row.attempts, outcome: data.status ?? "retry" },
        "inbound: lost the lease on an update before recording its outcome (another processor took it over)",
      );
    }
  }
}
