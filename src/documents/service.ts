/**
 * Legal documents of a case: prepared from a template with the case's fields, edited by the
 * official, sent to the citizen through CaseActions (reply, answer, reject, transfer — so through
 * the outbox, on the citizen's channel), kept as a "document" event to download again as DOCX.
 */
import { computeDeadlines } from "../case/deadline.ts";
import type { ReferenceData } from "../data/index.ts";
import { docs } from "../i18n/queue-docs.ts";
import type { CaseActions } from "../queue/actions.ts";
import { type IdentityReader, readsAllAgencies, type Viewer } from "../registers/query.ts";
import { placeName } from "../routing/router.ts";
import type { Client } from "../store/cases.ts";
import type { Db } from "../store/db.ts";
import {
  blanksLeft,
  type DocumentCase,
  documentText,
  loadTemplates,
  type RenderedDocument,
  renderDocument,
  templatesFor,
} from "./render.ts";
import type { DocumentTemplate } from "./templates.ts";

/** "Thành phố Đà Nẵng" → the body's name ("thành phố Đà Nẵng") and the place of issue ("Đà Nẵng"). */
export function provinceNames(name: string): { provinceName: string; placeOfIssue: string } {
  const m = /^(thành phố|tỉnh)\s+(.+)$/i.exec(name.trim());
  return m
    ? { provinceName: `${m[1]!.toLowerCase()} ${m[2]}`, placeOfIssue: m[2]! }
    : { provinceName: name, placeOfIssue: name };
}

export class DocumentError extends Error {
  override name = "DocumentError";
}
/** The case does not exist or is not the viewer's to see: answered as 404. */
export class CaseNotVisibleError extends Error {
  override name = "CaseNotVisibleError";
}

export interface EditedDocument {
  body: string;
  signerTitle?: string;
  /** transfer: the receiving agency. */
  toAgencyId?: string;
}

export class DocumentService {
  constructor(
    private readonly deps: {
      db: Db;
      data: ReferenceData;
      actions: CaseActions;
      identities: IdentityReader;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The case as a document may show it to this viewer (404 when it is not theirs to see). */
  async documentCase(caseId: string, viewer: Viewer, client: Client = this.deps.db): Promise<DocumentCase> {
    const c = /^[0-9a-f-]{36}$/i.test(caseId)
      ? await client.case.findUnique({
          where: { id: caseId },
          include: { topic: true, place: true, agency: true },
        })
      : null;
    if (!c || (!readsAllAgencies(viewer) && c.agencyId !== viewer.agencyId)) throw new CaseNotVisibleError();
    const who = (await this.deps.identities(viewer, [c])).get(c.id);
    const { data } = this.deps;
    // Before acceptance, a notice of acceptance accepts the case today: show the deadline it will have.
    const now = this.now();
    const acceptedAt = c.acceptedAt ?? now;
    const dueAt = c.acceptedAt
      ? c.dueAt
      : computeDeadlines({ ...c, acceptedAt }, data.deadlines, data.calendar).dueAt;
    return {
      code: c.code,
      kind: c.kind,
      description: c.description,
      subject: c.subject,
      senderName: who?.name ?? null,
      senderContact: who?.contact ?? null,
      anonymous: c.anonymous,
      // A protected identity never enters a document: its text is kept in the case's history,
      // which officials without the right also read.
      identityVisible: Boolean(who) && !c.identityProtected,
      receivedAt: c.receivedAt,
      acceptedAt,
      dueAt,
      remote: c.remote,
      complex: c.complex,
      channel: c.channel,
      agencyName: c.agency?.name ?? "",
      agencyLevel: c.agency?.level === "commune" ? "commune" : "province",
      agencyIsPeoplesCommittee: /^Ủy ban nhân dân/i.test(c.agency?.name ?? ""),
      placeName: c.place ? placeName(c.place) : null,
      topicName: c.topic.name,
    };
  }

  template(id: string, kind: DocumentCase["kind"]): DocumentTemplate {
    const t = loadTemplates().templates.find((x) => x.id === id);
    if (!t) throw new DocumentError(docs.unknownTemplate);
    if (!t.kinds.includes(kind)) throw new DocumentError(docs.templateNotForKind);
    return t;
  }

  templatesFor(kind: DocumentCase["kind"]): DocumentTemplate[] {
    return templatesFor(kind);
  }

  /** The template filled with the case's fields (and the official's inputs), ready to edit. */
  async prepare(
    caseId: string,
    viewer: Viewer & { displayName: string },
    templateId: string,
    inputs: Record<string, string> = {},
  ): Promise<{ doc: RenderedDocument; template: DocumentTemplate; case: DocumentCase }> {
    const c = await this.documentCase(caseId, viewer);
    const template = this.template(templateId, c.kind);
    const { data } = this.deps;
    const s = data.deadlines[c.kind].settlement;
    const settlementDays =
      c.remote && c.complex
        ? (s.remoteComplexN ?? s.n)
        : c.remote
          ? (s.remoteN ?? s.n)
          : c.complex
            ? (s.complexN ?? s.n)
            : s.n;
    const toAgency = inputs.toAgencyId ? data.agencyById.get(inputs.toAgencyId)?.name : undefined;
    const doc = renderDocument(template, c, {
      now: this.now(),
      ...provinceNames(data.province.name),
      officialName: viewer.displayName,
      settlementDays,
      inputs: { ...inputs, ...(toAgency ? { co_quan_tiep_nhan: toAgency } : {}) },
    });
    return { doc, template, case: c };
  }

  /** The edited document merged over the prepared one (only the body and the signer's title are editable). */
  merge(doc: RenderedDocument, edited: EditedDocument): RenderedDocument {
    const body = edited.body.normalize("NFC").replace(/\r\n/g, "\n").trim();
    if (!body) throw new DocumentError(docs.emptyBody);
    return {
      ...doc,
      body,
      ...(edited.signerTitle?.trim() ? { signerTitle: edited.signerTitle.trim() } : {}),
    };
  }

  /**
   * Sends the edited document to the citizen through the case action its template names, and
   * keeps it for download. Refused while «blanks» are left.
   */
  async send(
    caseId: string,
    viewer: Viewer & { displayName: string },
    templateId: string,
    edited: EditedDocument,
  ): Promise<{ eventId: string; doc: RenderedDocument }> {
    const { doc: prepared, template } = await this.prepare(caseId, viewer, templateId, {
      ...(edited.toAgencyId ? { toAgencyId: edited.toAgencyId } : {}),
    });
    const doc = this.merge(prepared, edited);
    const left = blanksLeft([doc.subject, doc.body, doc.recipient].join("\n"));
    if (left.length) throw new DocumentError(docs.blanksLeft(left));
    const text = documentText(doc);
    const official = { id: viewer.id, agencyId: viewer.agencyId, role: viewer.role };
    const { actions } = this.deps;
    switch (template.send) {
      case "reply":
        await actions.reply(caseId, official, text);
        break;
      case "answer":
        await actions.answer(caseId, official, text);
        break;
      case "reject":
        await actions.reject(caseId, official, text);
        break;
      case "transfer": {
        if (!edited.toAgencyId || !this.deps.data.agencyById.has(edited.toAgencyId))
          throw new DocumentError(docs.needAgency);
        await actions.transfer(caseId, official, edited.toAgencyId, text);
        break;
      }
    }
    const e = await this.deps.db.caseEvent.create({
      data: {
        caseId,
        type: "document",
        actorType: "official",
        actorId: viewer.id,
        data: { templateId, send: template.send, doc: doc as never },
        createdAt: this.now(),
      },
    });
    return { eventId: String(e.id), doc };
  }

  /** A document sent earlier (for download), if the viewer may see the case. */
  async sent(caseId: string, eventId: string, viewer: Viewer): Promise<RenderedDocument> {
    await this.documentCase(caseId, viewer);
    if (!/^\d{1,18}$/.test(eventId)) throw new CaseNotVisibleError();
    const e = await this.deps.db.caseEvent.findFirst({
      where: { id: BigInt(eventId), caseId, type: "document" },
    });
    if (!e) throw new CaseNotVisibleError();
    return (e.data as unknown as { doc: RenderedDocument }).doc;
  }

  async listSent(
    caseId: string,
  ): Promise<{ id: string; templateId: string; docType: string; subject: string; at: Date }[]> {
    const rows = await this.deps.db.caseEvent.findMany({
      where: { caseId, type: "document" },
      orderBy: { id: "asc" },
    });
    return rows.map((r) => {
      const d = r.data as unknown as { templateId: string; doc: RenderedDocument };
      return {
        id: String(r.id),
        templateId: d.templateId,
        docType: d.doc.docType,
        subject: d.doc.subject,
        at: r.createdAt,
      };
    });
  }
}
