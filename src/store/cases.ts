/**
 * Cases in the database: filing (code, routing, deadlines, audit events in one transaction),
 * look-up by code with the sender's privacy kept, the citizen's open cases, rating, status changes.
 */
import { generateCode } from "../case/code.ts";
import { computeDeadlines } from "../case/deadline.ts";
import { anonymityAllowed, type CaseKind, identityProtectedByLaw } from "../case/kind.ts";
import { type CaseStatus, isOpen, transition } from "../case/lifecycle.ts";
import type { Embedder } from "../classify/embedder.ts";
import type { ReferenceData } from "../data/index.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { CaseView, Draft, FiledCase } from "../intake/dialogue.ts";
import type { ChannelName } from "../intake/types.ts";
import { placeName, route } from "../routing/router.ts";
import type { Db } from "./db.ts";
import { caseEmbedding } from "./embeddings.ts";
import { searchTextOf } from "./search.ts";

export interface FileCaseInput {
  citizenId: string;
  conversationId?: string;
  /** A messenger, or a paper channel when an officer records a walk-in or posted petition. */
  channel: ChannelName | "walk_in" | "post" | "reception";
  draft: Draft & { kind: CaseKind; topicId: string };
  receivedAt: Date;
}

export interface Actor {
  type: "system" | "citizen" | "official";
  id?: string;
}

export type Tx = Prisma.TransactionClient;
/** The database or a transaction already open on it. */
export type Client = Db | Tx;

/** Runs `fn` in a new transaction, or in the caller's when one is given. */
export function withTx<T>(client: Client, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // A transaction client lacks $disconnect (it has a $transaction of its own, for nesting).
  return "$disconnect" in client ? (client as Db).$transaction(fn, { timeout: 30_000 }) : fn(client);
}

/** Ends a transaction that `LazyTx.rollback` abandons (never seen by callers). */
class Abandoned extends Error {}

/**
 * A transaction opened only when a write needs one: until `begin()`, work goes to the database
 * itself (each statement on its own); after it, to the transaction, which `commit()` or
 * `rollback()` ends. A turn that only reads and then saves in one statement (most dialogue turns)
 * so costs no BEGIN/COMMIT round trips. Given a transaction already open, it works inside it.
 */
export class LazyTx {
  private tx: Promise<Tx> | undefined;
  private done: Promise<void> | undefined;
  private end: ((commit: boolean) => void) | undefined;

  constructor(private readonly base: Client) {}

  /** The transaction if one is open, else the database. */
  client(): Promise<Client> {
    return this.tx ?? Promise.resolve(this.base);
  }

  /** The transaction, opened now if it is not yet. */
  begin(): Promise<Tx> {
    if (this.tx) return this.tx;
    if (!("$disconnect" in this.base)) {
      this.tx = Promise.resolve(this.base as Tx);
      return this.tx;
    }
    const db = this.base as Db;
    this.tx = new Promise<Tx>((resolve, reject) => {
      this.done = db.$transaction(
        (tx) =>
          new Promise<void>((ok, fail) => {
            this.end = (commit) => (commit ? ok() : fail(new Abandoned()));
            resolve(tx);
          }),
        { timeout: 30_000 },
      );
      // A BEGIN that fails (or a timeout before the work got the transaction) fails `begin()`.
      this.done.catch(reject);
    });
    return this.tx;
  }

  /** Commits what was done in the transaction (nothing to do when none was opened). */
  async commit(): Promise<void> {
    if (!this.done) return;
    await this.tx;
    this.end?.(true);
    await this.done;
  }

  /** Rolls the transaction back, if one was opened. */
  async rollback(): Promise<void> {
    if (!this.done) return;
    await this.tx?.catch(() => {});
    this.end?.(false);
    await this.done.catch(() => {});
  }
}

export class CaseStore {
  constructor(
    private readonly db: Db,
    private readonly data: ReferenceData,
    private readonly newCode: () => string = generateCode,
    /** The similar-case search's model: each filed case's text is embedded once, at filing. */
    private readonly embedder?: Embedder,
  ) {}

  async fileCase(input: FileCaseInput, client: Client = this.db): Promise<FiledCase & { caseId: string }> {
    const { draft } = input;
    const placeId = draft.placeId ?? null;
    const details = draft.details ?? {};
    const r = route(
      {
        topicId: draft.topicId,
        kind: draft.kind,
        placeId,
        text: [draft.subject ?? "", ...draft.description].join("\n"),
        ...(details.competentAgencyId
          ? { competent: { agencyId: details.competentAgencyId, reason: details.competentReason ?? "" } }
          : {}),
      },
      this.data,
    );
    const remote = Boolean(placeId && this.data.communeById.get(placeId)?.remote);
    const deadlines = computeDeadlines(
      {
        kind: draft.kind,
        receivedAt: input.receivedAt,
        remote,
        second: Boolean(details.second),
        question: Boolean(details.question),
      },
      this.data.deadlines,
      this.data.calendar,
    );
    const anonymous = anonymityAllowed(draft.kind) && Boolean(draft.anonymous);
    const description = draft.description.join("\n");
    // Embedded before the transaction; a model that fails does not stop the filing (the digest
    // embeds a case that has no vector when it needs one).
    const embedding = this.embedder
      ? await caseEmbedding(this.embedder, description).catch(() => null)
      : null;
    const created = await withTx(client, async (tx) => {
      // A collision is about 1 in 10^11; checking first keeps an enclosing transaction usable.
      let code = this.newCode();
      while (await tx.case.findUnique({ where: { code }, select: { id: true } })) code = this.newCode();
      const c = await tx.case.create({
        data: {
          code,
          kind: draft.kind,
          status: "routed",
          topicId: draft.topicId,
          topicSource: draft.topicSource ?? "citizen",
          topicConfidence: draft.topicConfidence ?? null,
          placeId,
          agencyId: r.agencyId,
          routingExplanation: r.explanation,
          description,
          subject: draft.subject ?? null,
          searchText: searchTextOf({ code, subject: draft.subject ?? null, description }),
          // The sender's identity lives apart from the case (CaseSender), read only through the queue's gate.
          ...(draft.senderName || draft.senderContact || draft.senderAddress
            ? {
                sender: {
                  create: {
                    name: draft.senderName ?? null,
                    contact: draft.senderContact ?? null,
                    address: draft.senderAddress ?? null,
                  },
                },
              }
            : {}),
          details: details as unknown as Prisma.InputJsonValue,
          remote,
          anonymous,
          identityProtected: anonymous || identityProtectedByLaw(draft.kind),
          attachments: draft.photos as unknown as Prisma.InputJsonValue,
          citizenId: input.citizenId,
          conversationId: input.conversationId ?? null,
          channel: input.channel,
          receivedAt: input.receivedAt,
          acceptanceDueAt: deadlines.acceptanceDueAt,
          dueAt: deadlines.dueAt,
        },
      });
      const base = { caseId: c.id, createdAt: input.receivedAt };
      await tx.caseEvent.createMany({
        data: [
          {
            ...base,
            type: "created",
            actorType: "citizen",
            actorId: input.citizenId,
            data: { kind: draft.kind, channel: input.channel },
          },
          {
            ...base,
            type: "classified",
            actorType: draft.topicSource === "classifier" ? "system" : "citizen",
            data: {
              topicId: draft.topicId,
              source: draft.topicSource ?? "citizen",
              confidence: draft.topicConfidence ?? null,
              ...(draft.topicSuggested ? { suggested: draft.topicSuggested } : {}),
            },
          },
          {
            ...base,
            type: "routed",
            actorType: "system",
            data: { agencyId: r.agencyId, ruleId: r.ruleId, explanation: r.explanation },
          },
        ],
      });
      if (embedding) await tx.textEmbedding.createMany({ data: [embedding], skipDuplicates: true });
      if (input.conversationId) {
        // The conversation's messages since its last case belong to this one.
        await tx.message.updateMany({
          where: {
            conversationId: input.conversationId,
            caseId: null,
            createdAt: { gte: new Date(input.receivedAt.getTime() - 24 * 3600_000) },
          },
          data: { caseId: c.id },
        });
      }
      return c;
    });
    return {
      caseId: created.id,
      code: created.code,
      kind: draft.kind,
      agencyName: r.agencyName,
      acceptanceDueAt: deadlines.acceptanceDueAt,
      dueAt: deadlines.dueAt,
    };
  }

  /** What a code shows: public facts for anyone; the description only to the citizen who filed it. */
  async lookup(code: string, citizenId?: string, client: Client = this.db): Promise<CaseView | null> {
    const c = await client.case.findUnique({
      where: { code },
      include: { topic: true, agency: true, place: true },
    });
    if (!c) return null;
    return {
      code: c.code,
      kind: c.kind,
      status: c.status,
      topicName: c.topic.name,
      agencyName: c.agency?.name ?? null,
      placeName: c.place ? placeName(c.place) : null,
      receivedAt: c.receivedAt,
      dueAt: c.dueAt,
      publicAnswer: c.publicAnswer,
      own: Boolean(citizenId && c.citizenId === citizenId),
      description: c.citizenId === citizenId ? c.description : "",
    };
  }

  async listOpenCases(citizenId: string, client: Client = this.db) {
    const rows = await client.case.findMany({
      where: { citizenId, status: { notIn: ["closed", "rejected"] } },
      orderBy: { receivedAt: "desc" },
      select: { id: true, code: true, kind: true, status: true },
      take: 20,
    });
    return rows;
  }

  async rate(
    caseId: string,
    citizenId: string,
    score: number,
    comment?: string,
    client: Client = this.db,
  ): Promise<void> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new RangeError("rating must be 1–5");
    await withTx(client, async (tx) => {
      const c = await tx.case.findUnique({ where: { id: caseId } });
      if (!c || c.citizenId !== citizenId) throw new Error("not the citizen's case");
      await tx.case.update({
        where: { id: caseId },
        data: { rating: score, ratingComment: comment ?? null, ratedAt: new Date() },
      });
      await tx.caseEvent.create({
        data: {
          caseId,
          type: "rated",
          actorType: "citizen",
          actorId: citizenId,
          data: { score, comment: comment ?? null },
        },
      });
    });
  }

  /** What a citizen sent in answer to a request for information: recorded, and the case resumes. */
  async supplement(
    caseId: string,
    citizenId: string,
    input: { text: string; photo?: { ref: string; url?: string } },
    client: Client = this.db,
  ): Promise<void> {
    await withTx(client, async (tx) => {
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      if (c.citizenId !== citizenId) throw new Error("not the citizen's case");
      if (input.photo) {
        const attachments = [
          ...((c.attachments as unknown[]) ?? []),
          input.photo,
        ] as unknown as Prisma.InputJsonValue;
        await tx.case.update({ where: { id: caseId }, data: { attachments } });
      }
      await tx.caseEvent.create({
        data: {
          caseId,
          type: "citizen_message",
          actorType: "citizen",
          actorId: citizenId,
          data: { text: input.text, photo: input.photo ?? null } as Prisma.InputJsonValue,
        },
      });
      if (c.status === "waiting_citizen")
        await this.changeStatus(
          caseId,
          "in_progress",
          { type: "citizen", id: citizenId },
          "Người dân đã bổ sung",
          tx,
        );
    });
  }

  /** Moves a case to a new state if the lifecycle allows it, recording the event. */
  async changeStatus(
    caseId: string,
    to: CaseStatus,
    actor: Actor,
    reason?: string,
    client: Client = this.db,
  ): Promise<void> {
    await withTx(client, async (t) => {
      const c = await t.case.findUniqueOrThrow({ where: { id: caseId } });
      const event = transition(c.status, to, reason);
      const now = new Date();
      await t.case.update({
        where: { id: caseId },
        data: {
          status: to,
          ...(to === "closed" || to === "rejected" ? { closedAt: now } : {}),
          ...(to === "in_progress" && !c.acceptedAt ? this.acceptance(c, now) : {}),
        },
      });
      await t.caseEvent.create({
        data: {
          caseId,
          type: event.type,
          actorType: actor.type,
          actorId: actor.id ?? null,
          data: event.data,
        },
      });
    });
  }

  /** Accepting a case (taking it into work) fixes the settlement deadline from that day. */
  private acceptance(
    c: { kind: CaseKind; receivedAt: Date; complex: boolean; remote: boolean; extensions: number },
    at: Date,
  ) {
    const d = computeDeadlines({ ...c, acceptedAt: at }, this.data.deadlines, this.data.calendar);
    return { acceptedAt: at, dueAt: d.dueAt };
  }

  /** An official corrects the topic: recorded as a correction the training can learn from. */
  async changeTopic(caseId: string, topicId: string, actor: Actor, client: Client = this.db): Promise<void> {
    if (!this.data.topicById.has(topicId)) throw new Error(`unknown topic ${topicId}`);
    await withTx(client, async (tx) => {
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      if (c.topicId === topicId) return;
      await tx.case.update({
        where: { id: caseId },
        data: {
          topicId,
          topicSource: actor.type === "official" ? "official" : "citizen",
          topicConfidence: null,
        },
      });
      await tx.caseEvent.create({
        data: {
          caseId,
          type: "classified",
          actorType: actor.type,
          actorId: actor.id ?? null,
          data: { topicId, source: actor.type, suggested: c.topicId },
        },
      });
    });
  }

  /** Re-classifying the kind (a PAKN that is really a khiếu nại): deadlines follow the new kind. */
  async changeKind(caseId: string, kind: CaseKind, actor: Actor, client: Client = this.db): Promise<void> {
    await withTx(client, async (tx) => {
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      if (c.kind === kind) return;
      const d = computeDeadlines({ ...c, kind }, this.data.deadlines, this.data.calendar);
      await tx.case.update({
        where: { id: caseId },
        data: {
          kind,
          acceptanceDueAt: d.acceptanceDueAt,
          dueAt: d.dueAt,
          anonymous: anonymityAllowed(kind) && c.anonymous,
          identityProtected: c.identityProtected || identityProtectedByLaw(kind),
        },
      });
      await tx.caseEvent.create({
        data: {
          caseId,
          type: "kind_changed",
          actorType: actor.type,
          actorId: actor.id ?? null,
          data: { from: c.kind, to: kind },
        },
      });
    });
  }

  /**
   * Re-routes a case to another agency (transfer): the receiving agency's periods run from the
   * day it receives the case, so the deadlines are computed again from now.
   */
  async reroute(
    caseId: string,
    agencyId: string,
    actor: Actor,
    reason?: string,
    at: Date = new Date(),
    client: Client = this.db,
  ): Promise<void> {
    const agency = this.data.agencyById.get(agencyId);
    if (!agency) throw new Error(`unknown agency ${agencyId}`);
    await withTx(client, async (tx) => {
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      if (c.agencyId === agencyId) return;
      const d = computeDeadlines(
        { ...c, receivedAt: at, acceptedAt: null },
        this.data.deadlines,
        this.data.calendar,
      );
      await tx.case.update({
        where: { id: caseId },
        data: { agencyId, acceptanceDueAt: d.acceptanceDueAt, dueAt: d.dueAt, acceptedAt: null },
      });
      await tx.caseEvent.create({
        data: {
          caseId,
          type: "rerouted",
          actorType: actor.type,
          actorId: actor.id ?? null,
          data: { from: c.agencyId, to: agencyId, reason: reason ?? null },
        },
      });
    });
  }

  isOpen(status: CaseStatus): boolean {
    return isOpen(status);
  }
}
