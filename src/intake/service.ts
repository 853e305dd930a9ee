/**
 * Runs the dialogue for one incoming message: finds the citizen and the conversation, loads the
 * stored state, takes one turn, and saves the new state and both sides of the exchange. Turns
 * of one conversation are serialised (in process by a lock, across processes by a version check).
 */

import { randomUUID } from "node:crypto";
import type { ReferenceData } from "../data/index.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { LookupGuard } from "../guard/lookups.ts";
import { guardStrings } from "../i18n/guard.ts";
import { type CaseStore, type Client, LazyTx, type Tx, withTx } from "../store/cases.ts";
import type { Db } from "../store/db.ts";
import {
  type Classification,
  type DialoguePorts,
  type DialogueState,
  handleTurn,
  initialState,
  isIdentityStep,
  ratingState,
  type TurnResult,
} from "./dialogue.ts";
import type { PlaceIndex } from "./places.ts";
import type { ChannelName, IncomingMessage, Reply } from "./types.ts";

export interface IntakeDeps {
  db: Db;
  data: ReferenceData;
  places: PlaceIndex;
  cases: CaseStore;
  now?: () => Date;
  classify?: (text: string) => Promise<Classification>;
  /** Limits on tracking-code look-ups (default limits when absent; false = none). */
  lookups?: LookupGuard | false;
}

export interface TurnOutcome {
  conversationId: string;
  citizenId: string;
  replies: Reply[];
  /** True when this message (same channel message id) was already handled: nothing was done again. */
  duplicate?: boolean;
}

/** A conversation of a messenger channel (paper channels have none). */
export interface TurnConversation {
  id: string;
  channel: ChannelName;
  chatId: string;
}

export interface HandleOptions {
  /**
   * What must be recorded exactly when the turn is (the replies queued in the outbox, the
   * processor's "processed" mark): data-modifying statements run inside the turn's own save
   * statement, so they commit with it or not at all. Each must write only when `saved` (a SQL
   * condition, true iff the turn is being saved) holds. On a redelivered message (already handled)
   * it is called with no replies and its statements run alone.
   */
  record?: (replies: Reply[], conversation: TurnConversation, saved: Prisma.Sql) => Prisma.Sql[];
}

/** Statements as the common table expressions `w0 AS (…), w1 AS (…)` of one WITH. */
function ctes(statements: Prisma.Sql[]): Prisma.Sql {
  return Prisma.join(
    statements.map((w, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${w})`),
    ", ",
  );
}

class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

class VersionConflict extends Error {}

/** Thrown by the look-up port when the conversation or address is over its look-up limit. */
class LookupLimited extends Error {
  constructor(readonly waitMinutes: number) {
    super("tracking-code look-ups over the limit");
  }
}

/** What a turn did that decides what is kept of it. */
interface TurnFlags {
  /** A tracking code was looked up and not found, or the look-up was refused: a guess. */
  failedLookup: boolean;
}

/** The inbound message was saved meanwhile by a concurrent turn (another process). */
class DuplicateInbound extends Error {}

/** What `conversationFor` finds: the conversation, its stored state, the citizen writing. */
export interface ResolvedConversation {
  id: string;
  state: Prisma.JsonValue;
  version: number;
  citizenId: string;
  /** The conversation already holds this inbound message (a redelivery). */
  seen: boolean;
}

export class IntakeService {
  private readonly lock = new KeyedLock();
  private readonly now: () => Date;
  private readonly lookups: LookupGuard | undefined;

  constructor(private readonly deps: IntakeDeps) {
    this.now = deps.now ?? (() => new Date());
    this.lookups = deps.lookups === false ? undefined : (deps.lookups ?? new LookupGuard());
  }

  async handle(msg: IncomingMessage, options: HandleOptions = {}): Promise<TurnOutcome> {
    return this.lock.run(`${msg.channel}:${msg.chatId}`, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.turn(msg, options);
        } catch (e) {
          if (e instanceof VersionConflict && attempt < 5) continue;
          // The same channel message saved by a concurrent turn: it was handled once, by that turn.
          if (e instanceof DuplicateInbound && attempt < 5) continue;
          throw e;
        }
      }
    });
  }

  /**
   * Finds or creates the citizen (one per channel identity) and their conversation, in ONE
   * statement; `seen` = this conversation already holds the inbound message `externalId` (a
   * redelivery). A known conversation whose citizen matches costs a read only; otherwise the citizen
   * is upserted (its display name refreshed) and the conversation created if missing (an existing
   * one keeps its citizen). Throws a (retryable) VersionConflict when a concurrent turn created the
   * conversation after this statement's snapshot.
   */
  async conversationFor(
    msg: Pick<IncomingMessage, "channel" | "chatId" | "userId" | "displayName"> & { externalId?: string },
    db: Client = this.deps.db,
  ): Promise<ResolvedConversation> {
    const name = msg.displayName || null;
    const rows = await db.$queryRaw<ResolvedConversation[]>`
      WITH known AS (
        SELECT v."id", v."citizenId", v."state", v."version",
               c."externalId" AS "citizenExternalId", c."displayName" AS "citizenName"
        FROM "Conversation" v JOIN "Citizen" c ON c."id" = v."citizenId"
        WHERE v."channel" = ${msg.channel}::"Channel" AND v."chatId" = ${msg.chatId}
      ), cit AS (
        INSERT INTO "Citizen" ("id", "channel", "externalId", "displayName")
        SELECT ${randomUUID()}::uuid, ${msg.channel}::"Channel", ${msg.userId}::text, ${name}::text
        WHERE NOT EXISTS (
          SELECT 1 FROM known k
          WHERE k."citizenExternalId" = ${msg.userId}
            AND (${name}::text IS NULL OR k."citizenName" IS NOT DISTINCT FROM ${name}::text))
        ON CONFLICT ("channel", "externalId")
          DO UPDATE SET "displayName" = COALESCE(EXCLUDED."displayName", "Citizen"."displayName")
        RETURNING "id"
      ), conv AS (
        INSERT INTO "Conversation" ("id", "channel", "chatId", "citizenId", "updatedAt")
        SELECT ${randomUUID()}::uuid, ${msg.channel}::"Channel", ${msg.chatId}::text, cit."id", ${new Date()}::timestamptz
        FROM cit WHERE NOT EXISTS (SELECT 1 FROM known)
        ON CONFLICT ("channel", "chatId") DO NOTHING
        RETURNING "id", "state", "version"
      )
      SELECT k."id"::text AS "id", k."state", k."version", COALESCE((SELECT "id" FROM cit), k."citizenId")::text AS "citizenId",
             EXISTS (SELECT 1 FROM "Message" m
                     WHERE m."conversationId" = k."id" AND m."direction" = 'in'
                       AND m."externalId" = ${msg.externalId ?? null}::text) AS "seen"
      FROM known k
      UNION ALL
      SELECT v."id"::text, v."state", v."version", (SELECT "id" FROM cit)::text, false FROM conv v`;
    const row = rows[0];
    // Created by a concurrent turn (another process) after this statement's snapshot: again.
    if (!row) throw new VersionConflict();
    return row;
  }

  /**
   * The dialogue's ports. Reads go to the turn's transaction once one is open, else to the
   * database; a write (filing a case, a rating, a supplement) opens the transaction first, so the
   * write and the turn's save commit together.
   */
  private ports(
    work: LazyTx,
    citizenId: string,
    conversationId: string,
    msg: IncomingMessage,
    flags: TurnFlags,
  ): DialoguePorts {
    const { cases, data, places, classify } = this.deps;
    const channel = msg.channel;
    return {
      data,
      places,
      now: this.now,
      fileCase: async (draft) =>
        cases.fileCase(
          { citizenId, conversationId, channel, draft, receivedAt: this.now() },
          await work.begin(),
        ),
      lookup: async (code) => {
        const wait = this.lookups?.take(
          `${msg.channel}:${msg.chatId}`,
          msg.address ?? `${msg.channel}:user:${msg.userId}`,
        );
        if (wait) {
          flags.failedLookup = true;
          throw new LookupLimited(wait);
        }
        const view = await cases.lookup(code, citizenId, await work.client());
        if (!view) flags.failedLookup = true;
        return view;
      },
      listOpenCases: async () => cases.listOpenCases(citizenId, await work.client()),
      rate: async (caseId, score, comment) =>
        cases.rate(caseId, citizenId, score, comment, await work.begin()),
      supplement: async (caseId, text, photo) =>
        cases.supplement(caseId, citizenId, { text, ...(photo ? { photo } : {}) }, await work.begin()),
      ...(classify ? { classify } : {}),
    };
  }

  /**
   * One turn, saved whole or not at all: the dialogue's effects (a filed case, a rating), the new
   * state, both sides of the exchange and what `record` adds (the queued replies). A turn that
   * writes nothing but its save (most turns) is one read and one statement, with no transaction;
   * one with effects runs them and the save in a transaction the first effect opens. A concurrent
   * turn (another process) is caught by the conversation's version, checked by the save.
   */
  private async turn(msg: IncomingMessage, options: HandleOptions): Promise<TurnOutcome> {
    const work = new LazyTx(this.deps.db);
    try {
      const outcome = await this.turnIn(work, msg, options);
      await work.commit();
      return outcome;
    } catch (e) {
      await work.rollback();
      throw e;
    }
  }

  private async turnIn(work: LazyTx, msg: IncomingMessage, options: HandleOptions): Promise<TurnOutcome> {
    const conversation = await this.conversationFor(msg, await work.client());
    const citizen = { id: conversation.citizenId };
    const base = { conversationId: conversation.id, citizenId: citizen.id };
    const where = { id: conversation.id, channel: msg.channel, chatId: msg.chatId };
    if (msg.externalId && conversation.seen) {
      const writes = options.record?.([], where, Prisma.sql`true`) ?? [];
      if (writes.length) await (await work.client()).$executeRaw`WITH ${ctes(writes)} SELECT 1`;
      return { ...base, replies: [], duplicate: true };
    }
    const state = { ...initialState, ...(conversation.state as object) } as DialogueState;
    const inboundAt = this.now();
    const flags: TurnFlags = { failedLookup: false };
    let result: TurnResult;
    try {
      result = await handleTurn(state, msg, this.ports(work, citizen.id, conversation.id, msg, flags));
    } catch (e) {
      if (!(e instanceof LookupLimited)) throw e;
      result = { state, replies: [{ text: guardStrings.lookupLimited(e.waitMinutes) }] };
    }
    // A failed guess of a tracking code is answered but not kept as conversation history (a
    // brute-force attempt would otherwise write two rows per guess).
    await this.save(await work.client(), conversation.id, conversation.version, result, msg, inboundAt, {
      identity: isIdentityStep(state.step),
      keepHistory: !flags.failedLookup,
      also: (saved) => options.record?.(result.replies, where, saved) ?? [],
    });
    return { ...base, replies: result.replies };
  }

  /**
   * The new state, the inbound message, the replies and `also`'s writes in ONE statement, all
   * conditional on the version read (the rest is written only if the conversation's update matched).
   */
  private async save(
    client: Client,
    conversationId: string,
    version: number,
    { state, replies, caseId }: TurnResult,
    msg: IncomingMessage,
    inboundAt: Date,
    options: { identity: boolean; keepHistory: boolean; also: (saved: Prisma.Sql) => Prisma.Sql[] },
  ): Promise<void> {
    const history = options.keepHistory
      ? [
          Prisma.sql`(${randomUUID()}::uuid, 'in'::"Direction", ${(msg.text ?? "").slice(0, 20_000)}::text,
            ${JSON.stringify(msg.photo ? [msg.photo] : [])}::jsonb, ${msg.externalId ?? null}::text,
            ${options.identity}::boolean, ${inboundAt}::timestamptz)`,
          ...replies.map(
            (
              r,
            ) => Prisma.sql`(${randomUUID()}::uuid, 'out'::"Direction", ${r.text}::text, '[]'::jsonb, NULL::text,
              false, ${new Date(inboundAt.getTime() + 1)}::timestamptz)`,
          ),
        ]
      : [];
    const messages = history.length
      ? Prisma.sql`, ins AS (
          INSERT INTO "Message"
            ("id", "conversationId", "caseId", "direction", "text", "attachments", "externalId", "identity", "createdAt")
          SELECT v."id", u."id", ${caseId ?? null}::uuid, v."direction", v."text", v."attachments", v."externalId",
                 v."identity", v."createdAt"
          FROM upd u, (VALUES ${Prisma.join(history)})
            AS v("id", "direction", "text", "attachments", "externalId", "identity", "createdAt")
          ON CONFLICT ("conversationId", "direction", "externalId") DO NOTHING
          RETURNING "direction")`
      : Prisma.empty;
    const inbound = history.length
      ? Prisma.sql`(SELECT count(*) FROM ins WHERE "direction" = 'in')::int`
      : Prisma.sql`1`;
    // Saved = the conversation matched its version and (when kept) the inbound message is new: a
    // redelivery saved meanwhile by a concurrent turn writes nothing of `also`.
    const saved = history.length
      ? Prisma.sql`EXISTS (SELECT 1 FROM ins WHERE "direction" = 'in')`
      : Prisma.sql`EXISTS (SELECT 1 FROM upd)`;
    const also = options.also(saved);
    // A message already kept (a redelivery a concurrent turn saved) leaves the conversation as it is.
    const unseen = msg.externalId
      ? Prisma.sql` AND NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."conversationId" = ${conversationId}::uuid
          AND m."direction" = 'in' AND m."externalId" = ${msg.externalId}::text)`
      : Prisma.empty;
    const [r] = await client.$queryRaw<Array<{ updated: number; inbound: number }>>`
      WITH upd AS (
        UPDATE "Conversation"
        SET "state" = ${JSON.stringify(state)}::jsonb, "step" = ${state.step}, "version" = "version" + 1,
            "updatedAt" = ${new Date()}::timestamptz
        WHERE "id" = ${conversationId}::uuid AND "version" = ${version}${unseen}
        RETURNING "id")${messages}${also.length ? Prisma.sql`, ${ctes(also)}` : Prisma.empty}
      SELECT (SELECT count(*) FROM upd)::int AS "updated", ${inbound} AS "inbound"`;
    if (r?.updated !== 1) throw new VersionConflict();
    // The same channel message saved by a concurrent turn: it was handled once, by that turn.
    if (r.inbound !== 1) throw new DuplicateInbound();
  }

  /**
   * Moves a conversation to a step that an official's action opens (rating a closed case,
   * supplementing a case), inside the action's transaction; returns the question to send.
   */
  async enterStep(
    tx: Tx,
    conversationId: string,
    step: (state: DialogueState) => { state: DialogueState; replies: Reply[] },
  ): Promise<Reply[]> {
    const current = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const { state, replies } = step({ ...initialState, ...(current.state as object) } as DialogueState);
    await tx.conversation.update({
      where: { id: conversationId },
      data: { state: state as unknown as Prisma.InputJsonValue, step: state.step, version: { increment: 1 } },
    });
    return replies;
  }

  /** Puts a conversation in the rating step for a closed case; returns the question to send. */
  async askRating(
    conversationId: string,
    caseId: string,
    code: string,
    client: Client = this.deps.db,
  ): Promise<Reply[]> {
    return withTx(client, (tx) => this.enterStep(tx, conversationId, (s) => ratingState(s, caseId, code)));
  }
}
