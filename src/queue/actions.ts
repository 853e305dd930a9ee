/**
 * What an official does to a case — reply, ask the citizen for more, transfer, answer, close,
 * refuse — each in one transaction with its audit event and the notice to the citizen, queued in
 * the outbox for the channel the citizen wrote from. The officials' web queue builds on this.
 */
import { computeDeadlines } from "../case/deadline.ts";
import type { CaseStatus } from "../case/lifecycle.ts";
import type { ReferenceData } from "../data/index.ts";
import { complaintClosedRights } from "../i18n/queue-docs.ts";
import { formatDate, vi } from "../i18n/vi.ts";
import { ratingState, supplementState } from "../intake/dialogue.ts";
import type { IntakeService } from "../intake/service.ts";
import type { ChannelName, Reply } from "../intake/types.ts";
import { enqueue } from "../outbox/index.ts";
import { type CaseStore, type Tx, withTx } from "../store/cases.ts";
import type { Db } from "../store/db.ts";

export interface OfficialRef {
  id: string;
  agencyId: string;
  role?: "officer" | "supervisor" | "leader" | "admin";
}

export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

/** No such case (or, to an official of another agency, one they may not know of). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The case changed since the official loaded it (optimistic concurrency: Case.version). */
export class ConflictError extends Error {
  override name = "ConflictError";
}

type CaseRow = NonNullable<Awaited<ReturnType<Tx["case"]["findUnique"]>>>;

export class CaseActions {
  constructor(
    private readonly deps: {
      db: Db;
      cases: CaseStore;
      intake: IntakeService;
      data: ReferenceData;
      now?: () => Date;
      /** Called after a commit that queued messages (wakes the outbox worker). */
      onQueued?: () => void;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async load(tx: Tx, caseId: string, official: OfficialRef): Promise<CaseRow> {
    const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
    if (official.role !== "admin" && c.agencyId !== official.agencyId) {
      throw new ForbiddenError("Cán bộ chỉ được xử lý hồ sơ của cơ quan mình");
    }
    return c;
  }

  private agencyName(id: string | null): string {
    return (id && this.deps.data.agencyById.get(id)?.name) || "Cơ quan xử lý";
  }

  /** Queues replies to the citizen's chat, linked to the case, once per (case, event). */
  private async notify(tx: Tx, c: CaseRow, eventKey: string, replies: Reply[]): Promise<void> {
    if (!c.conversationId) return;
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: c.conversationId } });
    const at = this.now();
    for (const [i, r] of replies.entries()) {
      await enqueue(tx, {
        dedupeKey: `case:${c.id}:${eventKey}:${i}`,
        // A conversation is always on a messenger (walk-in and post cases have none).
        channel: conversation.channel as ChannelName,
        chatId: conversation.chatId,
        text: r.text,
        ...(r.choices ? { choices: r.choices } : {}),
        caseId: c.id,
      });
      await tx.message.create({
        data: {
          conversationId: conversation.id,
          caseId: c.id,
          direction: "out",
          text: r.text,
          createdAt: at,
        },
      });
    }
  }

  private async event(
    tx: Tx,
    caseId: string,
    type: string,
    official: OfficialRef,
    data: object,
  ): Promise<string> {
    const e = await tx.caseEvent.create({
      data: {
        caseId,
        type,
        actorType: "official",
        actorId: official.id,
        data: data as never,
        createdAt: this.now(),
      },
    });
    return String(e.id);
  }

  private async moveTo(tx: Tx, c: CaseRow, to: CaseStatus, official: OfficialRef, reason?: string) {
    if (c.status !== to)
      await this.deps.cases.changeStatus(c.id, to, { type: "official", id: official.id }, reason, tx);
  }

  private async run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const out = await withTx(this.deps.db, fn);
    this.deps.onQueued?.();
    return out;
  }

  /** A message to the citizen while the case is worked on (not the final answer). */
  reply(caseId: string, official: OfficialRef, text: string): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official);
      if (c.status === "routed" || c.status === "received") await this.moveTo(tx, c, "in_progress", official);
      const key = await this.event(tx, caseId, "replied", official, { text, final: false });
      await this.notify(tx, c, key, [{ text: vi.replyNotice(c.code, this.agencyName(c.agencyId), text) }]);
    });
  }

  /** The answer: the case becomes answered and the text its public answer. */
  answer(caseId: string, official: OfficialRef, text: string): Promise<void> {
    return this.run(async (tx) => {
      let c = await this.load(tx, caseId, official);
      if (c.status === "routed" || c.status === "received" || c.status === "waiting_citizen") {
        await this.moveTo(tx, c, "in_progress", official);
        c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      }
      await this.moveTo(tx, c, "answered", official);
      await tx.case.update({ where: { id: caseId }, data: { publicAnswer: text, answeredAt: this.now() } });
      const key = await this.event(tx, caseId, "replied", official, { text, final: true });
      await this.notify(tx, c, key, [{ text: vi.answerNotice(c.code, this.agencyName(c.agencyId), text) }]);
    });
  }

  /** Asks the citizen for more; their next message in that chat attaches to the case. */
  requestInfo(caseId: string, official: OfficialRef, question: string): Promise<void> {
    return this.run(async (tx) => {
      let c = await this.load(tx, caseId, official);
      if (c.status === "routed") {
        await this.moveTo(tx, c, "in_progress", official);
        c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      }
      await this.moveTo(tx, c, "waiting_citizen", official, question);
      const key = await this.event(tx, caseId, "info_requested", official, { question });
      if (!c.conversationId) return;
      const replies = await this.deps.intake.enterStep(tx, c.conversationId, (s) =>
        supplementState(s, c.id, c.code, question, this.agencyName(c.agencyId)),
      );
      await this.notify(tx, c, key, replies);
    });
  }

  /** Sends the case to another agency; its deadlines run again from today. */
  transfer(caseId: string, official: OfficialRef, toAgencyId: string, reason?: string): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official);
      await this.moveTo(tx, c, "transferred", official, reason);
      await this.deps.cases.reroute(
        caseId,
        toAgencyId,
        { type: "official", id: official.id },
        reason,
        this.now(),
        tx,
      );
      await this.deps.cases.changeStatus(caseId, "routed", { type: "system" }, "Cơ quan mới tiếp nhận", tx);
      const after = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      const key = `transfer-${await this.event(tx, caseId, "noted", official, { transferredTo: toAgencyId })}`;
      await this.notify(tx, after, key, [
        { text: vi.transferredNotice(c.code, this.agencyName(toAgencyId), reason, formatDate(after.dueAt!)) },
      ]);
    });
  }

  /** Ends the case and asks the citizen to rate it (1–5, optional comment). */
  close(caseId: string, official: OfficialRef, note?: string): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official);
      await this.moveTo(tx, c, "closed", official, note);
      const key = await this.event(tx, caseId, "noted", official, { closed: true, note: note ?? null });
      if (!c.conversationId) return;
      const rating = await this.deps.intake.enterStep(tx, c.conversationId, (s) =>
        ratingState(s, c.id, c.code),
      );
      // A complaint's end tells the citizen their right to complain again or sue, and by when.
      const rights = c.kind === "khieu_nai" ? [{ text: complaintClosedRights(c.code, c.remote) }] : [];
      await this.notify(tx, c, key, [...rights, ...rating]);
    });
  }

  /** Refuses the case (not competent, not admissible), with the reason the citizen reads. */
  reject(caseId: string, official: OfficialRef, reason: string): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official);
      await this.moveTo(tx, c, "rejected", official, reason);
      const key = await this.event(tx, caseId, "noted", official, { rejected: true, reason });
      await this.notify(tx, c, key, [
        { text: vi.rejectedNotice(c.code, this.agencyName(c.agencyId), reason) },
      ]);
    });
  }

  /** Marks the case complex (longer legal period) — deadlines follow. */
  markComplex(caseId: string, official: OfficialRef, complex: boolean): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official);
      const d = computeDeadlines({ ...c, complex }, this.deps.data.deadlines, this.deps.data.calendar);
      await tx.case.update({ where: { id: caseId }, data: { complex, dueAt: d.dueAt } });
      await this.event(tx, caseId, "noted", official, { complex });
    });
  }
}
