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
import { type CaseStore, type Client, type Tx, withTx } from "../store/cases.ts";
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

export interface HandleOptions {
  /**
   * Runs inside the turn's transaction with its replies, so the replies are queued for delivery
   * if and only if the turn is saved (messenger channels enqueue them in the outbox here).
   */
  deliver?: (
    tx: Tx,
    replies: Reply[],
    conversation: { id: string; channel: ChannelName; chatId: string },
  ) => Promise<void>;
  /**
   * Runs last inside the turn's transaction on every path that commits (a redelivered message
   * too): whatever must be recorded exactly when the turn is (the processor's "processed" mark).
   */
  commit?: (tx: Tx) => Promise<void>;
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

  private ports(
    tx: Tx,
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
      fileCase: (draft) =>
        cases.fileCase({ citizenId, conversationId, channel, draft, receivedAt: this.now() }, tx),
      lookup: async (code) => {
        const wait = this.lookups?.take(
          `${msg.channel}:${msg.chatId}`,
          msg.address ?? `${msg.channel}:user:${msg.userId}`,
        );
        if (wait) {
          flags.failedLookup = true;
          throw new LookupLimited(wait);
        }
        const view = await cases.lookup(code, citizenId, tx);
        if (!view) flags.failedLookup = true;
        return view;
      },
      listOpenCases: () => cases.listOpenCases(citizenId, tx),
      rate: (caseId, score, comment) => cases.rate(caseId, citizenId, score, comment, tx),
      supplement: (caseId, text, photo) =>
        cases.supplement(caseId, citizenId, { text, ...(photo ? { photo } : {}) }, tx),
      ...(classify ? { classify } : {}),
    };
  }

  /**
   * One turn in one transaction: the dialogue's effects (a filed case, a rating), the new state,
   * both sides of the exchange and the queued replies are saved together or not at all.
   */
  private async turn(msg: IncomingMessage, options: HandleOptions): Promise<TurnOutcome> {
    return withTx(this.deps.db, async (tx) => {
      const conversation = await this.conversationFor(msg, tx);
      const citizen = { id: conversation.citizenId };
      const base = { conversationId: conversation.id, citizenId: citizen.id };
      if (msg.externalId && conversation.seen) {
        await options.commit?.(tx);
        return { ...base, replies: [], duplicate: true };
      }
      const state = { ...initialState, ...(conversation.state as object) } as DialogueState;
      const inboundAt = this.now();
      const flags: TurnFlags = { failedLookup: false };
      let result: TurnResult;
      try {
        result = await handleTurn(state, msg, this.ports(tx, citizen.id, conversation.id, msg, flags));
      } catch (e) {
        if (!(e instanceof LookupLimited)) throw e;
        result = { state, replies: [{ text: guardStrings.lookupLimited(e.waitMinutes) }] };
      }
      // A failed guess of a tracking code is answered but not kept as conversation history (a
      // brute-force attempt would otherwise write two rows per guess).
      await this.save(
        tx,
        conversation.id,
        conversation.version,
        result,
        msg,
        inboundAt,
        isIdentityStep(state.step),
        !flags.failedLookup,
      );
      // Conversations exist only on messengers (paper channels have none).
      await options.deliver?.(tx, result.replies, {
        id: conversation.id,
        channel: msg.channel,
        chatId: msg.chatId,
      });
      await options.commit?.(tx);
      return { ...base, replies: result.replies };
    });
  }

  private async save(
    tx: Tx,
    conversationId: string,
    version: number,
    { state, replies, caseId }: TurnResult,
    msg: IncomingMessage,
    inboundAt: Date,
    identity = false,
    keepHistory = true,
  ): Promise<void> {
    // The new state, the inbound message and the replies in ONE statement, all conditional on the
    // version read (the messages are written only if the update matched).
    const history = keepHistory
      ? [
          Prisma.sql`(${randomUUID()}::uuid, 'in'::"Direction", ${(msg.text ?? "").slice(0, 20_000)}::text,
            ${JSON.stringify(msg.photo ? [msg.photo] : [])}::jsonb, ${msg.externalId ?? null}::text,
            ${identity}::boolean, ${inboundAt}::timestamptz)`,
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
          RETURNING "direction")
        SELECT (SELECT count(*) FROM upd)::int AS "updated",
               (SELECT count(*) FROM ins WHERE "direction" = 'in')::int AS "inbound"`
      : Prisma.sql` SELECT (SELECT count(*) FROM upd)::int AS "updated", 1 AS "inbound"`;
    const [r] = await tx.$queryRaw<Array<{ updated: number; inbound: number }>>`
      WITH upd AS (
        UPDATE "Conversation"
        SET "state" = ${JSON.stringify(state)}::jsonb, "step" = ${state.step}, "version" = "version" + 1,
            "updatedAt" = ${new Date()}::timestamptz
        WHERE "id" = ${conversationId}::uuid AND "version" = ${version}
        RETURNING "id")${messages}`;
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
