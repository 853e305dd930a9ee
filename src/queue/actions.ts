/**
 * What an official does to a case — reply, ask the citizen for more, transfer, answer, close,
 * refuse — each in one transaction with its audit event and the notice to the citizen, queued in
 * the outbox for the channel the citizen wrote from. The officials' web queue builds on this.
 */
import { canExtend, computeDeadlines } from "../case/deadline.ts";
import type { CaseKind } from "../case/kind.ts";
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

export interface ActionOptions {
  /**
   * The case's version the official saw (Case.version). When the case changed since, the action
   * is refused with ConflictError instead of silently overwriting the other official's work.
   */
  expectedVersion?: number;
}

/** A request the case cannot take in its state (e.g. a second extension the law does not allow). */
export class ActionNotAllowedError extends Error {
  override name = "ActionNotAllowedError";
}

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

  /** The case store the actions write through (it also stores each filed text's embedding). */
  get cases(): CaseStore {
    return this.deps.cases;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Loads the case for a write: the official must belong to its agency (administrators excepted;
   * leaders never write), and the case's version is checked and incremented — which also locks
   * the row until the transaction ends, so two officials' writes never interleave.
   */
  private async load(
    tx: Tx,
    caseId: string,
    official: OfficialRef,
    opts: ActionOptions = {},
  ): Promise<CaseRow> {
    if (official.role === "leader") throw new ForbiddenError("Lãnh đạo thành phố chỉ được xem hồ sơ");
    const c = await tx.case.findUnique({ where: { id: caseId } });
    if (!c) throw new NotFoundError("Không tìm thấy hồ sơ");
    if (official.role !== "admin" && c.agencyId !== official.agencyId) {
      throw new ForbiddenError("Cán bộ chỉ được xử lý hồ sơ của cơ quan mình");
    }
    const bumped = await tx.case.updateMany({
      where: { id: caseId, version: opts.expectedVersion ?? c.version },
      data: { version: { increment: 1 } },
    });
    if (bumped.count !== 1) throw new ConflictError("Hồ sơ vừa được người khác cập nhật");
    return { ...c, version: c.version + 1 };
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
  reply(caseId: string, official: OfficialRef, text: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official, opts);
      if (c.status === "routed" || c.status === "received") await this.moveTo(tx, c, "in_progress", official);
      const key = await this.event(tx, caseId, "replied", official, { text, final: false });
      await this.notify(tx, c, key, [{ text: vi.replyNotice(c.code, this.agencyName(c.agencyId), text) }]);
    });
  }

  /** The answer: the case becomes answered and the text its public answer. */
  answer(caseId: string, official: OfficialRef, text: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      let c = await this.load(tx, caseId, official, opts);
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
  requestInfo(caseId: string, official: OfficialRef, question: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      let c = await this.load(tx, caseId, official, opts);
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
  transfer(
    caseId: string,
    official: OfficialRef,
    toAgencyId: string,
    reason?: string,
    opts?: ActionOptions,
  ): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official, opts);
      if (!this.deps.data.agencyById.has(toAgencyId))
        throw new ActionNotAllowedError("Cơ quan không tồn tại");
      if (toAgencyId === c.agencyId) throw new ActionNotAllowedError("Hồ sơ đã ở cơ quan này");
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
      // The receiving agency assigns it anew.
      const after = await tx.case.update({ where: { id: caseId }, data: { assigneeId: null } });
      const key = `transfer-${await this.event(tx, caseId, "noted", official, { transferredTo: toAgencyId })}`;
      await this.notify(tx, after, key, [
        { text: vi.transferredNotice(c.code, this.agencyName(toAgencyId), reason, formatDate(after.dueAt!)) },
      ]);
    });
  }

  /** Ends the case and asks the citizen to rate it (1–5, optional comment). */
  close(caseId: string, official: OfficialRef, note?: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      let c = await this.load(tx, caseId, official, opts);
      // Closed without a separate answer: the outcome is the answer, and the citizen reads it.
      if (c.status === "received" || c.status === "routed") {
        await this.moveTo(tx, c, "in_progress", official);
        c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      }
      if (c.status === "in_progress") {
        await this.moveTo(tx, c, "answered", official);
        const text = note ?? "Hồ sơ đã được giải quyết.";
        c = await tx.case.update({
          where: { id: caseId },
          data: { publicAnswer: c.publicAnswer ?? text, answeredAt: c.answeredAt ?? this.now() },
        });
        const answerKey = await this.event(tx, caseId, "replied", official, { text, final: true });
        await this.notify(tx, c, answerKey, [
          { text: vi.answerNotice(c.code, this.agencyName(c.agencyId), text) },
        ]);
      }
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
  reject(caseId: string, official: OfficialRef, reason: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official, opts);
      await this.moveTo(tx, c, "rejected", official, reason);
      const key = await this.event(tx, caseId, "noted", official, { rejected: true, reason });
      await this.notify(tx, c, key, [
        { text: vi.rejectedNotice(c.code, this.agencyName(c.agencyId), reason) },
      ]);
    });
  }

  /** Marks the case complex (longer legal period) — deadlines follow. */
  markComplex(caseId: string, official: OfficialRef, complex: boolean, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official, opts);
      const d = computeDeadlines({ ...c, complex }, this.deps.data.deadlines, this.deps.data.calendar);
      await tx.case.update({ where: { id: caseId }, data: { complex, dueAt: d.dueAt } });
      await this.event(tx, caseId, "noted", official, { complex });
    });
  }

  /** Takes the case (the official becomes its assignee). */
  claim(caseId: string, official: OfficialRef, opts?: ActionOptions): Promise<void> {
    return this.assign(caseId, official, official.id, opts);
  }

  /** Gives the case to an official of its agency (agency leads; anyone may take it themselves). */
  assign(
    caseId: string,
    official: OfficialRef,
    assigneeId: string | null,
    opts?: ActionOptions,
  ): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official, opts);
      if (assigneeId !== official.id && official.role !== "supervisor" && official.role !== "admin")
        throw new ForbiddenError("Chỉ lãnh đạo cơ quan được phân công cho người khác");
      if (assigneeId) {
        const who = await tx.official.findUnique({ where: { id: assigneeId } });
        if (
          !who?.active ||
          who.agencyId !== c.agencyId ||
          (who.role !== "officer" && who.role !== "supervisor")
        )
          throw new ActionNotAllowedError("Người được phân công phải là cán bộ của cơ quan xử lý");
      }
      await tx.case.update({ where: { id: caseId }, data: { assigneeId } });
      await this.event(tx, caseId, "assigned", official, { from: c.assigneeId, to: assigneeId });
    });
  }

  /** An internal note: recorded on the case, never sent to the citizen. */
  note(caseId: string, official: OfficialRef, text: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      await this.load(tx, caseId, official, opts);
      await this.event(tx, caseId, "internal_note", official, { text });
    });
  }

  /** Corrects the topic; recorded as a correction the classifier's training learns from. */
  changeTopic(caseId: string, official: OfficialRef, topicId: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      await this.load(tx, caseId, official, opts);
      if (!this.deps.data.topicById.has(topicId)) throw new ActionNotAllowedError("Lĩnh vực không tồn tại");
      await this.deps.cases.changeTopic(caseId, topicId, { type: "official", id: official.id }, tx);
    });
  }

  /** Re-classifies the kind (a PAKN that is really a khiếu nại): deadlines follow the new kind. */
  changeKind(caseId: string, official: OfficialRef, kind: CaseKind, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      await this.load(tx, caseId, official, opts);
      await this.deps.cases.changeKind(caseId, kind, { type: "official", id: official.id }, tx);
    });
  }

  /**
   * Extends the settlement period of a tố cáo (Luật Tố cáo 2018, Art. 30: once by 30 days for a
   * complex case, twice for an especially complex one), with the reason; the denouncer is told.
   */
  extend(caseId: string, official: OfficialRef, reason: string, opts?: ActionOptions): Promise<void> {
    return this.run(async (tx) => {
      const c = await this.load(tx, caseId, official, opts);
      const rules = this.deps.data.deadlines;
      if (c.status === "closed" || c.status === "rejected" || !canExtend(c.kind, c.extensions, rules))
        throw new ActionNotAllowedError("Luật không cho phép gia hạn thêm hồ sơ này");
      const extensions = c.extensions + 1;
      const d = computeDeadlines({ ...c, extensions }, rules, this.deps.data.calendar);
      const after = await tx.case.update({
        where: { id: caseId },
        data: { extensions, complex: true, dueAt: d.dueAt },
      });
      const key = await this.event(tx, caseId, "extended", official, {
        extensions,
        reason,
        from: c.dueAt?.toISOString() ?? null,
        to: d.dueAt.toISOString(),
      });
      await this.notify(tx, after, `extend-${key}`, [
        { text: vi.extendedNotice(c.code, this.agencyName(c.agencyId), formatDate(d.dueAt), reason) },
      ]);
    });
  }
}
