/**
 * Runs the dialogue for one incoming message: finds the citizen and the conversation, loads the
 * stored state, takes one turn, and saves the new state and both sides of the exchange. Turns
 * of one conversation are serialised (in process by a lock, across processes by a version check).
 */
import type { ReferenceData } from "../data/index.ts";
import type { Prisma } from "../generated/prisma/client.ts";
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

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string })?.code === "P2002";
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
          if (msg.externalId && isUniqueViolation(e) && attempt < 5) continue;
          throw e;
        }
      }
    });
  }

  /** Finds or creates the citizen (one per channel identity) and their conversation. */
  async conversationFor(
    msg: Pick<IncomingMessage, "channel" | "chatId" | "userId" | "displayName">,
    db: Client = this.deps.db,
  ) {
    const known = await db.conversation.findUnique({
      where: { channel_chatId: { channel: msg.channel, chatId: msg.chatId } },
      include: { citizen: true },
    });
    if (
      known &&
      known.citizen.externalId === msg.userId &&
      (!msg.displayName || known.citizen.displayName === msg.displayName)
    ) {
      const { citizen, ...conversation } = known;
      return { citizen, conversation };
    }
    const citizen = await db.citizen.upsert({
      where: { channel_externalId: { channel: msg.channel, externalId: msg.userId } },
      create: { channel: msg.channel, externalId: msg.userId, displayName: msg.displayName ?? null },
      update: msg.displayName ? { displayName: msg.displayName } : {},
    });
    const conversation = await db.conversation.upsert({
      where: { channel_chatId: { channel: msg.channel, chatId: msg.chatId } },
      create: { channel: msg.channel, chatId: msg.chatId, citizenId: citizen.id },
      update: {},
    });
    return { citizen, conversation };
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
      const { citizen, conversation } = await this.conversationFor(msg, tx);
      const base = { conversationId: conversation.id, citizenId: citizen.id };
      if (msg.externalId) {
        const seen = await tx.message.findFirst({
          where: { conversationId: conversation.id, direction: "in", externalId: msg.externalId },
          select: { id: true },
        });
        if (seen) return { ...base, replies: [], duplicate: true };
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
      await options.deliver?.(tx, result.replies, { ...conversation, channel: msg.channel });
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
    const updated = await tx.conversation.updateMany({
      where: { id: conversationId, version },
      data: { state: state as unknown as Prisma.InputJsonValue, step: state.step, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new VersionConflict();
    if (!keepHistory) return;
    await tx.message.create({
      data: {
        conversationId,
        caseId: caseId ?? null,
        direction: "in",
        text: (msg.text ?? "").slice(0, 20_000),
        attachments: msg.photo ? [msg.photo as unknown as Prisma.InputJsonValue] : [],
        externalId: msg.externalId ?? null,
        identity,
        createdAt: inboundAt,
      },
    });
    if (replies.length) {
      const outAt = new Date(inboundAt.getTime() + 1);
      await tx.message.createMany({
        data: replies.map((r) => ({
          conversationId,
          caseId: caseId ?? null,
          direction: "out" as const,
          text: r.text,
          createdAt: outAt,
        })),
      });
    }
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
