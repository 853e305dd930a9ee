/**
 * The outbox worker: claims due messages, hands them to the channel senders, and records the
 * outcome. Several workers (threads of one process or several processes on one PostgreSQL) can
 * run side by side: rows are claimed with `FOR UPDATE SKIP LOCKED` and leased (`lockedUntil`).
 *
 * Guarantees
 * - No message is lost: a row stays until it is `sent` or `failed`; a worker that dies while
 *   sending leaves a `sending` row whose lease expires, and another worker (or the next start)
 *   takes it again.
 * - No double sending, with one exception. Every outcome is written fenced on
 *   (id, status 'sending', attempts), and a successful send is marked `sent` immediately — nothing
 *   else (not even a log line) runs between the sender returning and that UPDATE (at most the one
 *   mark already being written: marks arriving meanwhile follow together in one UPDATE), which is
 *   itself retried a few times on database errors. The one window left is a crash (or a database outage
 *   outlasting those retries) between the messenger accepting the message and the UPDATE: the row
 *   is then sent again after its lease expires — at-least-once at that point, which no messenger API
 *   without idempotency keys lets us close. A send that outlives its lease could also be repeated by
 *   another worker: senders must time out well within `lockMs` (default 2 min), and a worker does
 *   not start a send when less than a safety margin of its lease remains.
 * - Order per chat: only the oldest undelivered (pending or sending) message of each
 *   (channel, chatId) is claimable, so a chat's messages go out in creation order, and a message
 *   waiting for a retry holds back the chat's later ones. A `failed` message no longer holds them
 *   back (otherwise one dead message would silence a chat forever).
 * - Bounded retrying: retryable errors (and unknown errors) are retried with exponential backoff and
 *   jitter, honouring the messenger's retry-after; after `giveUpAfterMs` since enqueue (default
 *   24 h) or `maxAttempts` the row is `failed` and shows in `listFailed` for the officials.
 * - Rate limits are per process (see rate-limit.ts).
 */
import { type ChannelSender, DeliveryError } from "../channels/sender.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ChannelName, Choice } from "../intake/types.ts";
import type { Db } from "../store/db.ts";
import { defaultRateLimits, RateLimiter, type RateLimits } from "./rate-limit.ts";
import {
  backoffDelay,
  type Clock,
  type DbClient,
  errorText,
  type Logger,
  silentLogger,
  sleep,
  systemClock,
  Wakeup,
} from "./support.ts";

export interface OutboxPolicy {
  /** Rows claimed per pass (each from a different chat). Default 20. */
  batchSize?: number;
  /** Sends in flight at once within a pass. Default 8. */
  concurrency?: number;
  /** Lease of a claimed row; a worker dead longer than this loses its rows. Default 120 000. */
  lockMs?: number;
  /** A send is not started when less than this remains of the lease. Default min(lockMs / 4, 30 000). */
  lockSafetyMs?: number;
  /** First retry delay (then doubling, with jitter). Default 2 000. */
  baseDelayMs?: number;
  /** Cap of the retry delay. Default 15 min. */
  maxDelayMs?: number;
  /** Stop retrying once the next attempt would come later than this after enqueue. Default 24 h. */
  giveUpAfterMs?: number;
  /** Stop retrying after this many attempts (also bounds crash loops). Default 100. */
  maxAttempts?: number;
  /** Idle polling interval of `start()`. Default 1 000. */
  pollIntervalMs?: number;
  /** Source of jitter, [0, 1). Default Math.random. */
  random?: () => number;
}

export interface OutboxWorkerOptions {
  /** A Prisma client (not a transaction). */
  db: Db;
  /** One sender per channel; rows of channels without a sender are left alone. */
  senders: Partial<Record<ChannelName, ChannelSender>>;
  clock?: Clock;
  logger?: Logger;
  policy?: OutboxPolicy;
  /** Per-channel limits merged over `defaultRateLimits`; `false` disables rate limiting. */
  rateLimits?: RateLimits | false;
  /** A ready limiter (tests; or one shared by several workers of a process). Wins over rateLimits. */
  limiter?: RateLimiter;
  /**
   * This worker is the only one on its database (the embedded PGlite: one process per data
   * folder). `start()` then takes back at once the rows a crashed run left in `sending`, instead of
   * waiting for their lease to expire. Never set it with several workers on one server.
   */
  exclusive?: boolean;
}

export interface OutboxPassResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Claimed but handed back unsent (stopping, or lease too short to start a send). */
  released: number;
}

type Outcome = "sent" | "retried" | "failed" | "released";

interface ClaimedRow {
  id: string;
  dedupeKey: string;
  channel: ChannelName;
  chatId: string;
  text: string;
  choices: Prisma.JsonValue | null;
  photoUrl: string | null;
  caseId: string | null;
  attempts: number;
  createdAt: Date;
  lockedUntil: Date;
}

interface PendingMark {
  row: ClaimedRow;
  externalMessageId: string | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const HOUR = 3_600_000;
/** The oldest undelivered rows searched for claimable chat heads before a pass over all of them. */
const CLAIM_WINDOW = 512;

export class OutboxWorker {
  private readonly db: Db;
  private readonly senders: Partial<Record<ChannelName, ChannelSender>>;
  private readonly channels: ChannelName[];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly limiter: RateLimiter | undefined;
  private readonly exclusive: boolean;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly lockMs: number;
  private readonly lockSafetyMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly giveUpAfterMs: number;
  private readonly maxAttempts: number;
  private readonly pollIntervalMs: number;
  private readonly random: () => number;
  private readonly wakeup = new Wakeup();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly marks: PendingMark[] = [];
  private marking: Promise<void> | undefined;

  constructor(options: OutboxWorkerOptions) {
    const p = options.policy ?? {};
    this.db = options.db;
    this.senders = options.senders;
    this.channels = (Object.keys(options.senders) as ChannelName[]).filter((c) => options.senders[c]);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.exclusive = options.exclusive ?? false;
    if (options.limiter) this.limiter = options.limiter;
    else if (options.rateLimits !== false) {
      this.limiter = new RateLimiter({ ...defaultRateLimits, ...(options.rateLimits ?? {}) });
    }
    this.batchSize = p.batchSize ?? 20;
    this.concurrency = p.concurrency ?? 8;
    this.lockMs = p.lockMs ?? 120_000;
    this.lockSafetyMs = p.lockSafetyMs ?? Math.min(this.lockMs / 4, 30_000);
    this.baseDelayMs = p.baseDelayMs ?? 2_000;
    this.maxDelayMs = p.maxDelayMs ?? 15 * 60_000;
    this.giveUpAfterMs = p.giveUpAfterMs ?? 24 * HOUR;
    this.maxAttempts = p.maxAttempts ?? 100;
    this.pollIntervalMs = p.pollIntervalMs ?? 1_000;
    this.random = p.random ?? Math.random;
  }

  /** Wake the loop now (call after a transaction that enqueued messages has committed). */
  notify(): void {
    this.wakeup.notify();
  }

  /** Runs the delivery loop until `stop()`. Idempotent. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the sends in flight, hands back claimed rows not yet started, and ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeup.notify();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    if (this.exclusive) {
      try {
        const n = await this.db.outboxMessage.updateMany({
          where: { status: "sending" },
          data: { status: "pending", lockedUntil: null, nextAttemptAt: this.clock.now() },
        });
        if (n.count)
          this.logger.warn({ count: n.count }, "outbox: took back messages a previous run left in sending");
      } catch (err) {
        this.logger.error({ err }, "outbox: could not take back the messages left in sending");
      }
    }
    while (!this.stopping) {
      let again = false;
      try {
        const r = await this.runOnce();
        // A full batch may have more behind it; a sent message may have unblocked its chat's next one.
        again = r.claimed >= this.batchSize || r.sent > 0;
      } catch (err) {
        this.logger.error({ err }, "outbox: delivery pass failed");
      }
      if (this.stopping) break;
      if (!again) await this.wakeup.wait(this.pollIntervalMs);
    }
  }

  /** One pass: claim due rows (one per chat), deliver them, record the outcomes. */
  async runOnce(): Promise<OutboxPassResult> {
    const rows = await this.claim();
    const result: OutboxPassResult = { claimed: rows.length, sent: 0, retried: 0, failed: 0, released: 0 };
    let next = 0;
    const runner = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          const outcome: Outcome = this.stopping ? await this.release(row) : await this.deliver(row);
          result[outcome] += 1;
        } catch (err) {
          this.logger.error(
            { err, id: row.id, dedupeKey: row.dedupeKey },
            "outbox: could not record a delivery outcome; the row is retried when its lease expires",
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, rows.length) }, runner));
    return result;
  }

  private async claim(): Promise<ClaimedRow[]> {
    if (this.channels.length === 0) return [];
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + this.lockMs);
    // Due = pending and its time has come, or sending with an expired lease (its worker died).
    // Only the oldest undelivered row of each chat qualifies (per-chat order): DISTINCT ON picks
    // each chat's head. First among the WINDOW oldest undelivered rows: a chat's first row there is
    // its head (any earlier undelivered row of the chat would be in the window too), and the window
    // is read in order from a partial index, so a claim costs the same however many replies wait
    // (over every undelivered row it took 30 ms a claim with 80,000 waiting). When the window
    // holds no due head (chats backing off with long backlogs), the heads of all undelivered rows
    // are found in one pass (linear: a NOT EXISTS per candidate grew quadratically, 35 ms at 1k
    // rows, 620 ms at 8k). SKIP LOCKED keeps concurrent workers off each other's rows.
    const claimAmong = (tx: DbClient, undelivered: Prisma.Sql, limit: number) => tx.$queryRaw<ClaimedRow[]>`
      UPDATE "OutboxMessage"
      SET "status" = 'sending', "lockedUntil" = ${lockedUntil}, "attempts" = "attempts" + 1
      WHERE "id" IN (
        SELECT c."id" FROM "OutboxMessage" c
        WHERE c."id" IN (
          SELECT h."id" FROM (
            SELECT DISTINCT ON (u."channel", u."chatId")
                   u."id", u."status", u."nextAttemptAt", u."lockedUntil", u."createdAt"
            FROM ${undelivered} u
            ORDER BY u."channel", u."chatId", u."createdAt", u."id") h
          WHERE (h."status" = 'pending' AND h."nextAttemptAt" <= ${now})
             OR (h."status" = 'sending' AND h."lockedUntil" <= ${now})
          ORDER BY h."createdAt", h."id"
          LIMIT ${limit})
        -- Checked again on the row's latest version once it is locked (another worker may have
        -- claimed it since this statement's snapshot).
        AND ((c."status" = 'pending' AND c."nextAttemptAt" <= ${now})
             OR (c."status" = 'sending' AND c."lockedUntil" <= ${now}))
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "dedupeKey", "channel", "chatId", "text", "choices", "photoUrl", "caseId", "attempts", "createdAt", "lockedUntil"`;
    const undelivered = Prisma.sql`
      SELECT * FROM "OutboxMessage"
      WHERE "status" IN ('pending', 'sending') AND "channel"::text IN (${Prisma.join(this.channels)})`;
    // Both read the partial indexes in order, never as a bitmap: after a burst the statistics still
    // say few rows are undelivered, and a bitmap scan then visited every entry the delivered rows
    // left in the index until vacuum (48,000 for a window of 512: 18 ms instead of about 1).
    const rows = await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL enable_bitmapscan = off`;
      const windowed = await claimAmong(
        tx,
        Prisma.sql`(${undelivered} ORDER BY "createdAt", "id" LIMIT ${CLAIM_WINDOW})`,
        this.batchSize,
      );
      // A short batch: the rest may be past the window (or nothing more is due: then the pass over
      // every undelivered row is short too, as few are waiting).
      return windowed.length < this.batchSize
        ? [
            ...windowed,
            ...(await claimAmong(tx, Prisma.sql`(${undelivered})`, this.batchSize - windowed.length)),
          ]
        : windowed;
    });
    // RETURNING has no order: send the oldest first.
    return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  private async deliver(row: ClaimedRow): Promise<Outcome> {
    if (row.attempts > this.maxAttempts) {
      // Only reachable through repeated lease expiries: a worker keeps dying on this row.
      return this.fail(
        row,
        `gave up after ${row.attempts - 1} attempts (the worker stopped while sending it)`,
      );
    }
    const sender = this.senders[row.channel]!;
    if (this.limiter) await this.limiter.acquire(row.channel, row.chatId);
    if (this.clock.now().getTime() > row.lockedUntil.getTime() - this.lockSafetyMs) return this.release(row);
    let sent: { externalMessageId?: string };
    try {
      sent = await sender.send({
        chatId: row.chatId,
        text: row.text,
        ...(Array.isArray(row.choices) && { choices: row.choices as unknown as Choice[] }),
        ...(row.photoUrl && { photoUrl: row.photoUrl }),
      });
    } catch (err) {
      return this.onError(row, err);
    }
    // Nothing between a successful send and this mark: it is the at-least-once window.
    await this.markSent(row, sent.externalMessageId);
    this.logger.info(
      {
        id: row.id,
        dedupeKey: row.dedupeKey,
        channel: row.channel,
        chatId: row.chatId,
        attempts: row.attempts,
      },
      "outbox: message sent",
    );
    return "sent";
  }

  /**
   * Marks a sent row `sent`. Marks are written at once, but the ones arriving while a mark is
   * being written wait for it and then go together in one statement (a group commit): no mark
   * waits longer than one statement in flight, and a busy worker writes one UPDATE per group.
   */
  private markSent(row: ClaimedRow, externalMessageId: string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.marks.push({ row, externalMessageId, resolve, reject });
      if (!this.marking) this.marking = this.writeMarks();
    });
  }

  private async writeMarks(): Promise<void> {
    while (this.marks.length) {
      const group = this.marks.splice(0, 200);
      try {
        await this.writeSent(group);
        for (const m of group) m.resolve();
      } catch (err) {
        for (const m of group) m.reject(err);
      }
    }
    this.marking = undefined;
  }

  private async writeSent(group: PendingMark[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const sentAt = this.clock.now();
        const values = group.map(
          ({ row, externalMessageId }) =>
            Prisma.sql`(${row.id}::uuid, ${row.attempts}::int, ${externalMessageId ?? null}::text)`,
        );
        // Fenced per row on (id, status 'sending', attempts), like every other outcome.
        const marked = await this.db.$queryRaw<Array<{ id: string }>>`
          UPDATE "OutboxMessage" m
          SET "status" = 'sent', "sentAt" = ${sentAt}::timestamptz, "externalMessageId" = v."ext",
              "lockedUntil" = NULL
          FROM (VALUES ${Prisma.join(values)}) AS v("id", "attempts", "ext")
          WHERE m."id" = v."id" AND m."status" = 'sending' AND m."attempts" = v."attempts"
          RETURNING m."id"::text AS "id"`;
        if (marked.length < group.length) {
          const done = new Set(marked.map((m) => m.id));
          for (const { row } of group) {
            if (done.has(row.id)) continue;
            this.logger.warn(
              { id: row.id, dedupeKey: row.dedupeKey, attempts: row.attempts, outcome: "sent" },
              "outbox: lost the lease on a message before recording its outcome (another worker took it over)",
            );
          }
        }
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        this.logger.warn(
          { err, ids: group.map((m) => m.row.id), attempt },
          "outbox: could not mark sent messages; retrying",
        );
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  private async onError(row: ClaimedRow, err: unknown): Promise<Outcome> {
    const now = this.clock.now().getTime();
    const text = errorText(err);
    const retryable = !(err instanceof DeliveryError) || err.retryable;
    const context = {
      id: row.id,
      dedupeKey: row.dedupeKey,
      channel: row.channel,
      chatId: row.chatId,
      attempts: row.attempts,
    };
    if (!retryable) {
      this.logger.error({ ...context, err }, "outbox: message rejected by the channel; marked failed");
      return this.fail(row, text);
    }
    const retryAfterMs =
      err instanceof DeliveryError && err.retryAfterSeconds !== undefined && err.retryAfterSeconds >= 0
        ? err.retryAfterSeconds * 1000
        : undefined;
    const delay =
      retryAfterMs !== undefined
        ? retryAfterMs + Math.round(this.random() * Math.min(1_000, retryAfterMs / 10))
        : backoffDelay(row.attempts, this.baseDelayMs, this.maxDelayMs, this.random);
    const nextAt = now + delay;
    if (nextAt - row.createdAt.getTime() > this.giveUpAfterMs || row.attempts >= this.maxAttempts) {
      this.logger.error({ ...context, err }, "outbox: gave up on a message; marked failed");
      const hours = ((now - row.createdAt.getTime()) / HOUR).toFixed(1);
      return this.fail(row, `gave up after ${row.attempts} attempts over ${hours} h: ${text}`);
    }
    this.logger.warn({ ...context, err, retryInMs: delay }, "outbox: delivery failed; will retry");
    await this.settle(row, {
      status: "pending",
      nextAttemptAt: new Date(nextAt),
      lastError: text,
      lockedUntil: null,
    });
    return "retried";
  }

  private async fail(row: ClaimedRow, lastError: string): Promise<Outcome> {
    await this.settle(row, { status: "failed", lastError, lockedUntil: null });
    return "failed";
  }

  private async release(row: ClaimedRow): Promise<Outcome> {
    await this.settle(row, { status: "pending", lockedUntil: null, attempts: row.attempts - 1 });
    return "released";
  }

  /** Writes an outcome only if this worker still holds the row (same claim: status + attempts). */
  private async settle(row: ClaimedRow, data: Prisma.OutboxMessageUpdateManyMutationInput): Promise<void> {
    const { count } = await this.db.outboxMessage.updateMany({
      where: { id: row.id, status: "sending", attempts: row.attempts },
      data,
    });
    if (count === 0) {
      this.logger.warn(
        { id: row.id, dedupeKey: row.dedupeKey, attempts: row.attempts, outcome: data.status },
        "outbox: lost the lease on a message before recording its outcome (another worker took it over)",
      );
    }
  }
}
