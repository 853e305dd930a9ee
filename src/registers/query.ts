/**
 * The registers' queries: the sổ xử lý đơn (cases received, any channel) and the sổ tiếp công dân
 * (visits recorded by officers), filtered, always confined to the viewer's agency unless the
 * viewer reads every agency (leader, administrator). Identity goes through the IdentityReader.
 */
import type { CaseKind } from "../case/kind.ts";
import { isCaseKind } from "../case/kind.ts";
import { CASE_STATUSES, type CaseStatus } from "../case/lifecycle.ts";
import type { ReferenceData } from "../data/index.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { hiddenSender } from "../i18n/queue-docs.ts";
import { placeName } from "../routing/router.ts";
import type { Client } from "../store/cases.ts";
import type { ReceptionRow, RegisterCase } from "./columns.ts";

export interface Viewer {
  id: string;
  agencyId: string;
  role: "officer" | "supervisor" | "leader" | "admin";
  canSeeIdentity: boolean;
}

/** The sender identities the viewer may see, by case id (absent = hidden or none given). */
export type IdentityReader = (
  viewer: Viewer,
  cases: { id: string; kind: CaseKind; anonymous: boolean; identityProtected: boolean }[],
) => Promise<Map<string, { name: string | null; contact: string | null }>>;

export interface RegisterFilter {
  from?: Date;
  to?: Date;
  kind?: CaseKind;
  status?: CaseStatus;
  topicId?: string;
  channel?: string;
  /** Only honoured for viewers who read every agency. */
  agencyId?: string;
}

export const REGISTER_LIMIT = 20_000;

export function readsAllAgencies(v: Pick<Viewer, "role">): boolean {
  return v.role === "leader" || v.role === "admin";
}

const CHANNELS = ["web", "telegram", "zalo", "walk_in", "post", "reception"] as const;

/** Parses query-string filters; anything malformed is ignored rather than trusted. */
export function parseFilter(q: Record<string, string | undefined>): RegisterFilter {
  const f: RegisterFilter = {};
  const day = (s: string | undefined, end: boolean) => {
    if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
    const d = new Date(`${s}T${end ? "23:59:59.999" : "00:00:00.000"}+07:00`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const from = day(q.from, false);
  const to = day(q.to, true);
  if (from) f.from = from;
  if (to) f.to = to;
  if (isCaseKind(q.kind)) f.kind = q.kind;
  if (q.status && (CASE_STATUSES as readonly string[]).includes(q.status)) f.status = q.status as CaseStatus;
  if (q.topic && /^[a-z_]+$/.test(q.topic)) f.topicId = q.topic;
  if (q.channel && (CHANNELS as readonly string[]).includes(q.channel)) f.channel = q.channel;
  if (q.agency && /^[a-z0-9-]+$/.test(q.agency)) f.agencyId = q.agency;
  return f;
}

function caseWhere(viewer: Viewer, f: RegisterFilter): Prisma.CaseWhereInput {
  const agencyId = readsAllAgencies(viewer) ? f.agencyId : viewer.agencyId;
  return {
    ...(agencyId ? { agencyId } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.topicId ? { topicId: f.topicId } : {}),
    ...(f.channel ? { channel: f.channel as never } : {}),
  };
}

const caseInclude = {
  topic: { select: { name: true } },
  place: { select: { name: true, type: true } },
  agency: { select: { name: true } },
  events: {
    where: { type: { in: ["rerouted", "status_changed"] } },
    select: { type: true, data: true },
    orderBy: { id: "asc" },
  },
} satisfies Prisma.CaseInclude;

type CaseWithRefs = Prisma.CaseGetPayload<{ include: typeof caseInclude }>;

async function toRegisterCases(
  rows: CaseWithRefs[],
  viewer: Viewer,
  identities: IdentityReader,
  data: ReferenceData,
): Promise<RegisterCase[]> {
  const ids = await identities(viewer, rows);
  return rows.map((c) => {
    const who = ids.get(c.id);
    const transfers: string[] = [];
    let rejectReason: string | null = null;
    for (const e of c.events) {
      const d = e.data as { to?: string; reason?: string };
      if (e.type === "rerouted" && d.to) transfers.push(data.agencyById.get(d.to)?.name ?? d.to);
      if (e.type === "status_changed" && d.to === "rejected") rejectReason = d.reason ?? null;
    }
    return {
      id: c.id,
      code: c.code,
      kind: c.kind,
      status: c.status,
      channel: c.channel,
      receivedAt: c.receivedAt,
      description: c.description,
      subject: c.subject,
      sender: who?.name ?? (who ? "" : hiddenSender(c.kind, c.anonymous)),
      senderContact: who?.contact ?? "",
      topicName: c.topic.name,
      placeName: c.place ? placeName(c.place) : null,
      agencyName: c.agency?.name ?? null,
      acceptedAt: c.acceptedAt,
      dueAt: c.dueAt,
      closedAt: c.closedAt,
      publicAnswer: c.publicAnswer,
      transfers,
      rejectReason,
    };
  });
}

/** Sổ xử lý đơn: every petition received in the period, oldest first (the register's order). */
export async function petitionRegister(
  db: Client,
  viewer: Viewer,
  f: RegisterFilter,
  deps: { identities: IdentityReader; data: ReferenceData },
  limit = REGISTER_LIMIT,
): Promise<RegisterCase[]> {
  const rows = await db.case.findMany({
    where: {
      ...caseWhere(viewer, f),
      ...(f.from || f.to
        ? { receivedAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } }
        : {}),
    },
    include: caseInclude,
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  return toRegisterCases(rows, viewer, deps.identities, deps.data);
}

/** Sổ tiếp công dân: the visits of the period, oldest first. */
export async function receptionRegister(
  db: Client,
  viewer: Viewer,
  f: RegisterFilter,
  deps: { identities: IdentityReader; data: ReferenceData },
  limit = REGISTER_LIMIT,
): Promise<ReceptionRow[]> {
  const agencyId = readsAllAgencies(viewer) ? f.agencyId : viewer.agencyId;
  const visits = await db.reception.findMany({
    where: {
      ...(agencyId ? { agencyId } : {}),
      ...(f.channel ? { channel: f.channel as never } : {}),
      ...(f.from || f.to
        ? { receivedAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } }
        : {}),
    },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  if (!visits.length) return [];
  const { agencyId: _ignored, ...rest } = caseWhere(viewer, f);
  const cases = await db.case.findMany({
    where: { id: { in: [...new Set(visits.map((v) => v.caseId))] }, ...rest },
    include: caseInclude,
  });
  const byId = new Map(
    (await toRegisterCases(cases, viewer, deps.identities, deps.data)).map((c) => [c.id, c]),
  );
  const officialIds = [...new Set(visits.map((v) => v.officialId).filter((x): x is string => Boolean(x)))];
  const officials = new Map(
    (
      await db.official.findMany({
        where: { id: { in: officialIds } },
        select: { id: true, displayName: true },
      })
    ).map((o) => [o.id, o.displayName]),
  );
  const out: ReceptionRow[] = [];
  for (const v of visits) {
    const c = byId.get(v.caseId);
    if (!c) continue;
    out.push({
      receivedAt: v.receivedAt,
      channel: v.channel,
      peopleCount: v.peopleCount,
      presidedBy: v.presidedBy,
      note: v.note,
      officialName: v.officialId ? (officials.get(v.officialId) ?? null) : null,
      case: c,
    });
  }
  return out;
}

/** May this viewer see the sender's identity of a case? (Protected: only officials given the right.) */
export function identityVisibleTo(
  viewer: Viewer,
  c: { identityProtected: boolean; anonymous: boolean },
): boolean {
  if (c.anonymous) return false;
  return !c.identityProtected || viewer.canSeeIdentity;
}

/**
 * Reads the sender identity kept apart from each case (CaseSender), for the cases the viewer may
 * see it of, and records each view in the audit trail (the names never enter the trail).
 */
export function storedIdentityReader(db: Client, audit?: AuditFn): IdentityReader {
  return async (viewer, cases) => {
    const visible = cases.filter((c) => identityVisibleTo(viewer, c)).map((c) => c.id);
    if (!visible.length) return new Map();
    const rows = await db.caseSender.findMany({ where: { caseId: { in: visible } } });
    const protectedIds = new Set(cases.filter((c) => c.identityProtected).map((c) => c.id));
    const viewed = rows.filter((r) => protectedIds.has(r.caseId)).map((r) => r.caseId);
    if (audit && viewed.length)
      await audit(db, {
        actorId: viewer.id,
        action: "identity_viewed",
        targetType: "case",
        targetId: viewed.length === 1 ? viewed[0]! : null,
        data: { cases: viewed, via: "register" },
      });
    return new Map(
      rows.filter((r) => r.name || r.contact).map((r) => [r.caseId, { name: r.name, contact: r.contact }]),
    );
  };
}

export type AuditFn = (
  db: Client,
  e: {
    actorId: string;
    action: string;
    targetType: string;
    targetId: string | null;
    data: Record<string, unknown>;
  },
) => Promise<void>;
