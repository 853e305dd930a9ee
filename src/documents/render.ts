/**
 * Fills a legal document template with a case's fields — pure. Fields the case cannot supply
 * become «blanks» the official fills in before sending; a document with blanks left is not sent.
 */
import type { CaseKind } from "../case/kind.ts";
import { channelLabel, complaintRights, docs, hiddenSender, longDate } from "../i18n/queue-docs.ts";
import { formatDate, kindLabel } from "../i18n/vi.ts";
import type { DocumentTemplate, DocumentTemplates } from "./templates.ts";
import { buildTemplates, rawTemplates } from "./templates.ts";

/** What a document may say about a case, already reduced to what the viewer may see. */
export interface DocumentCase {
  code: string;
  kind: CaseKind;
  description: string;
  subject: string | null;
  senderName: string | null;
  senderContact: string | null;
  anonymous: boolean;
  /** False when the viewer has no right to see a protected identity: documents name no one. */
  identityVisible: boolean;
  receivedAt: Date;
  acceptedAt: Date | null;
  dueAt: Date | null;
  remote: boolean;
  complex: boolean;
  channel: string;
  agencyName: string;
  agencyLevel: "province" | "commune";
  /** "Ủy ban nhân dân …" bodies have no parent line in the header. */
  agencyIsPeoplesCommittee: boolean;
  placeName: string | null;
  topicName: string;
}

export interface RenderContext {
  now: Date;
  /** Province or city name for the date line and the parent body ("thành phố Đà Nẵng"). */
  provinceName: string;
  /** Short place name for the date line ("Đà Nẵng"). */
  placeOfIssue: string;
  officialName: string;
  /** Settlement period in days for the notice (from data/deadlines.json). */
  settlementDays: number;
  /** Values the official typed in the form (blanks filled, the agency a case is transferred to). */
  inputs?: Record<string, string>;
}

export interface RenderedDocument {
  templateId: string;
  send: DocumentTemplate["send"];
  form: string;
  /** Header: parent body (may be empty) and issuing body, upper case. */
  parentBody: string;
  issuingBody: string;
  numberLine: string;
  dateLine: string;
  docType: string;
  subject: string;
  recipient: string;
  /** Paragraphs separated by blank lines: the part the official edits. */
  body: string;
  recipients: string[];
  signerTitle: string;
  signerName: string;
}

export const KNOWN_FIELDS = [
  "ma_ho_so",
  "co_quan",
  "dia_danh",
  "ngay_van_ban",
  "ngay_nhan",
  "ngay_thu_ly",
  "han_giai_quyet",
  "thoi_han_giai_quyet",
  "nguoi_gui",
  "dia_chi_nguoi_gui",
  "noi_dung",
  "doi_tuong",
  "dia_ban",
  "linh_vuc",
  "loai",
  "kenh",
  "can_bo",
  "quyen_khieu_nai_tiep",
] as const;

let cached: DocumentTemplates | undefined;
export function loadTemplates(): DocumentTemplates {
  cached ??= buildTemplates(rawTemplates, KNOWN_FIELDS);
  return cached;
}

export function templatesFor(kind: CaseKind, all = loadTemplates()): DocumentTemplate[] {
  return all.templates.filter((t) => t.kinds.includes(kind));
}

/** The fields of a case for the templates (identity only where the viewer may see it). */
export function caseFields(c: DocumentCase, ctx: RenderContext): Record<string, string> {
  const showIdentity = c.identityVisible && !c.anonymous;
  const sender = showIdentity && c.senderName ? `ông/bà ${c.senderName}` : hiddenSender(c.kind, c.anonymous);
  const f: Record<string, string> = {
    ma_ho_so: c.code,
    co_quan: c.agencyName,
    dia_danh: ctx.placeOfIssue,
    ngay_van_ban: longDate(ctx.now),
    ngay_nhan: formatDate(c.receivedAt),
    thoi_han_giai_quyet: String(ctx.settlementDays),
    nguoi_gui: sender,
    noi_dung: c.description.replace(/\s*\n\s*/g, " ").trim(),
    dia_ban: c.placeName ?? ctx.provinceName,
    linh_vuc: c.topicName,
    loai: kindLabel(c.kind),
    kenh: channelLabel(c.channel),
    can_bo: ctx.officialName,
    quyen_khieu_nai_tiep: complaintRights(c.remote, "{{nguoi_co_tham_quyen_lan_hai}}"),
  };
  if (c.acceptedAt) f.ngay_thu_ly = formatDate(c.acceptedAt);
  if (c.dueAt) f.han_giai_quyet = formatDate(c.dueAt);
  if (c.subject) f.doi_tuong = c.subject;
  if (showIdentity && c.senderContact) f.dia_chi_nguoi_gui = c.senderContact;
  else if (!showIdentity) f.dia_chi_nguoi_gui = "(thông tin được giữ bí mật)";
  for (const [k, v] of Object.entries(ctx.inputs ?? {})) if (v.trim()) f[k] = v.trim();
  return f;
}

/** Replaces {{field}} by its value, or by «its label» when the case has none (two passes for nested fields). */
export function fill(text: string, fields: Record<string, string>, blanks: Record<string, string>): string {
  let out = text;
  for (let pass = 0; pass < 2; pass++)
    out = out.replace(/\{\{([a-z_]+)\}\}/g, (_, k: string) => fields[k] ?? docs.blankMarker(blanks[k] ?? k));
  return out;
}

/** The «blanks» still in a text, in order, without repeats. */
export function blanksLeft(text: string): string[] {
  return [...new Set([...text.matchAll(/«([^»\n]{1,80})»/g)].map((m) => m[1]!))];
}

export function renderDocument(
  template: DocumentTemplate,
  c: DocumentCase,
  ctx: RenderContext,
  all: DocumentTemplates = loadTemplates(),
): RenderedDocument {
  const fields = caseFields(c, ctx);
  const f = (s: string) => fill(s, fields, all.blanks);
  return {
    templateId: template.id,
    send: template.send,
    form: template.form,
    parentBody: c.agencyIsPeoplesCommittee ? "" : docs.parentOfProvinceBodies(ctx.provinceName),
    issuingBody: c.agencyName.toUpperCase(),
    numberLine: docs.numberLine(template.numberCode),
    dateLine: `${ctx.placeOfIssue}, ${longDate(ctx.now)}`,
    docType: template.docType,
    subject: f(template.subject),
    recipient: f(template.recipient),
    body: template.body.map(f).join("\n\n"),
    recipients: template.recipients.map(f),
    signerTitle: ctx.inputs?.chuc_danh_nguoi_ky?.trim() || docs.defaultSigner,
    signerName: ctx.officialName,
  };
}

/** The message the citizen reads on their channel: the document as plain text. */
export function documentText(d: Pick<RenderedDocument, "docType" | "subject" | "body">): string {
  return [d.docType, d.subject, "", d.body.trim()].filter((l, i) => i !== 1 || l).join("\n");
}
