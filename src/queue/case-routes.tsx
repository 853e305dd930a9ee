/**
 * The case page and its actions. Every read is confined to the official's agencies (a case of
 * another agency answers 404, like one that does not exist); every write is refused to a leader
 * (403), checks the CSRF token (middleware) and the version the official saw (409 on a conflict).
 */
import type { Context } from "hono";
import { isCaseKind } from "../case/kind.ts";
import { IllegalTransitionError } from "../case/lifecycle.ts";
import type { SimilarCase } from "../classify/similar.ts";
import type { ReferenceData } from "../data/index.ts";
import { q, qCase } from "../i18n/queue.ts";
import { kindLabel, statusLabel, vi as viText } from "../i18n/vi.ts";
import type { Db } from "../store/db.ts";
import {
  ActionNotAllowedError,
  type CaseActions,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from "./actions.ts";
import { audit } from "./audit.ts";
import { agencyScope, canWriteCases, type QueueApp, type QueueEnv, type SessionOfficial } from "./context.ts";
import {
  identityStrings,
  maySeeIdentity,
  redactMessages,
  redactText,
  type SenderIdentity,
  viewIdentity,
} from "./identity.ts";
import { CasePage, type CasePageProps, type EventView } from "./views/case-page.tsx";

/** What a citizen tapped (the stored text of a button is its choice id), as the label they saw. */
export function tappedLabel(text: string, ref: ReferenceData): string | undefined {
  const c = viText.choice;
  const fixed: Record<string, string> = {
    file: c.file,
    lookup: c.lookup,
    help: c.help,
    next: c.next,
    cancel: c.cancel,
    skip: c.skip,
    send: c.send,
    yes: c.yes,
    other_place: c.otherPlace,
    city_wide: c.cityWide,
    no_photo: c.noPhoto,
    not_anonymous: c.notAnonymous,
    anonymous: c.anonymous,
    change_topic: c.changeTopic,
    pakn: kindLabel("pakn"),
    khieu_nai: kindLabel("khieu_nai"),
    to_cao: kindLabel("to_cao"),
  };
  if (fixed[text]) return fixed[text];
  const m = /^(topic|place|rate):(.+)$/.exec(text);
  if (!m) return undefined;
  if (m[1] === "topic") return ref.topicById.get(m[2]!)?.name;
  if (m[1] === "place") return ref.communeById.get(m[2]!)?.name;
  return /^[1-5]$/.test(m[2]!) ? `${m[2]} / 5` : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CaseRouteDeps {
  db: Db;
  data: ReferenceData;
  actions: CaseActions;
  now: () => Date;
  similarCases?: ((caseId: string) => Promise<SimilarCase[]>) | undefined;
  /** Whether photo references of a channel can be shown through the queue's photo route. */
  photoPreview?: ((channel: string) => boolean) | undefined;
}

/** The case if the official may see it; NotFoundError otherwise (same answer either way). */
export async function caseFor(db: Db, o: SessionOfficial, id: string) {
  if (!UUID.test(id)) throw new NotFoundError();
  const agency = agencyScope(o);
  const c = await db.case.findFirst({ where: { id, ...(agency ? { agencyId: agency } : {}) } });
  if (!c) throw new NotFoundError();
  return c;
}

function eventText(type: string, data: Record<string, unknown>, ref: ReferenceData): string {
  const agency = (id: unknown) =>
    (typeof id === "string" && ref.agencyById.get(id)?.name) || String(id ?? "—");
  const topic = (id: unknown) => (typeof id === "string" && ref.topicById.get(id)?.name) || String(id ?? "—");
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (type) {
    case "created":
      return qCase.channels[str(data.channel)] ?? "";
    case "classified":
      return `${topic(data.topicId)}${data.suggested && data.suggested !== data.topicId ? ` (trước: ${topic(data.suggested)})` : ""}${
        typeof data.confidence === "number" ? ` — ${Math.round(data.confidence * 100)}%` : ""
      }`;
    case "routed":
      return str(data.explanation) || agency(data.agencyId);
    case "rerouted":
      return `${agency(data.from)} → ${agency(data.to)}${data.reason ? ` — ${str(data.reason)}` : ""}`;
    case "status_changed":
      return `${statusLabel(data.from as never)} → ${statusLabel(data.to as never)}${data.reason ? ` — ${str(data.reason)}` : ""}`;
    case "kind_changed":
      return `${kindLabel(data.from as never)} → ${kindLabel(data.to as never)}`;
    case "replied":
    case "internal_note":
    case "citizen_message":
      return str(data.text);
    case "info_requested":
      return str(data.question);
    case "rated":
      return `${String(data.score)}/5${data.comment ? ` — ${str(data.comment)}` : ""}`;
    case "extended":
      return `lần ${String(data.extensions)} — ${str(data.reason)}`;
    case "assigned":
      return "";
    case "noted":
      if (data.transferredTo) return `chuyển đến ${agency(data.transferredTo)}`;
      if (data.closed) return `kết thúc${data.note ? ` — ${str(data.note)}` : ""}`;
      if (data.rejected) return `không thụ lý — ${str(data.reason)}`;
      if ("complex" in data) return data.complex ? "vụ việc phức tạp" : "";
      return "";
    default:
      return "";
  }
}

export async function casePageProps(
  deps: CaseRouteDeps,
  c: Context<QueueEnv>,
  id: string,
  extra: { identity?: SenderIdentity | null; flash?: string; error?: string } = {},
): Promise<CasePageProps> {
  const o = c.get("official");
  const row = await caseFor(deps.db, o, id);
  const allowed = maySeeIdentity(o, row);
  // Identity in the messages only once it was revealed (and the view audited) in this request.
  const revealed = allowed && Boolean(extra.identity);
  const [messages, outbox, events, secrets, colleagues, similar] = await Promise.all([
    deps.db.message.findMany({
      where: { caseId: id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 500,
    }),
    deps.db.outboxMessage.findMany({
      where: { caseId: id },
      orderBy: { createdAt: "asc" },
      select: { text: true, status: true },
    }),
    deps.db.caseEvent.findMany({ where: { caseId: id }, orderBy: { id: "asc" }, take: 500 }),
    revealed ? Promise.resolve([] as string[]) : identityStrings(deps.db, id),
    row.agencyId
      ? deps.db.official.findMany({
          where: { agencyId: row.agencyId, active: true, role: { in: ["officer", "supervisor"] } },
          select: { id: true, displayName: true },
          orderBy: { displayName: "asc" },
        })
      : Promise.resolve([]),
    deps.similarCases
      ? deps.similarCases(id).catch(() => [] as SimilarCase[])
      : Promise.resolve([] as SimilarCase[]),
  ]);
  // Delivery state of each outbound message: the outbox row with the same text, in order.
  const pending = [...outbox];
  const shown = redactMessages(messages, secrets, revealed).map((m) => {
    if (m.direction !== "out") {
      const tapped = m.redacted ? undefined : tappedLabel(m.text, deps.data);
      return { ...m, text: tapped ? `▸ ${tapped}` : m.text, delivery: undefined };
    }
    const i = pending.findIndex((r) => r.text === messages.find((x) => x.id === m.id)!.text);
    const delivery = i >= 0 ? pending.splice(i, 1)[0]!.status : undefined;
    return { ...m, delivery };
  });
  const actorIds = [
    ...new Set(events.filter((e) => e.actorType === "official" && e.actorId).map((e) => e.actorId!)),
  ];
  const names = new Map(
    (
      await deps.db.official.findMany({
        where: { id: { in: actorIds.filter((x) => UUID.test(x)) } },
        select: { id: true, displayName: true },
      })
    ).map((x) => [x.id, x.displayName]),
  );
  const eventViews: EventView[] = events.map((e) => {
    const text = eventText(e.type, (e.data ?? {}) as Record<string, unknown>, deps.data);
    return {
      id: String(e.id),
      type: e.type,
      actorType: e.actorType,
      actorName: e.actorType === "official" && e.actorId ? names.get(e.actorId) : undefined,
      text: revealed ? text : redactText(text, secrets),
      createdAt: e.createdAt,
    };
  });
  // Similar cases only within what the official may see.
  const agency = agencyScope(o);
  const similarRows = similar.length
    ? await deps.db.case.findMany({
        where: { id: { in: similar.map((s) => s.caseId) }, ...(agency ? { agencyId: agency } : {}) },
        select: { id: true, code: true, status: true, description: true },
      })
    : [];
  const byId = new Map(similarRows.map((r) => [r.id, r]));
  const assignee = row.assigneeId
    ? await deps.db.official.findUnique({ where: { id: row.assigneeId }, select: { displayName: true } })
    : null;
  return {
    official: o,
    csrfToken: c.get("csrfToken"),
    agencyName: deps.data.agencyById.get(o.agencyId)?.name,
    data: deps.data,
    c: {
      ...row,
      description: revealed ? row.description : redactText(row.description, secrets),
      subject: row.subject && !revealed ? redactText(row.subject, secrets) : row.subject,
    },
    messages: shown,
    events: eventViews,
    similar: similar
      .filter((s) => byId.has(s.caseId))
      .map((s) => {
        const r = byId.get(s.caseId)!;
        return {
          id: r.id,
          code: r.code,
          similarity: s.similarity,
          status: r.status,
          description: r.description.slice(0, 200),
        };
      }),
    colleagues,
    assigneeName: assignee?.displayName,
    identityAllowed: allowed,
    photoPreview: deps.photoPreview?.(row.channel) ?? false,
    identity: extra.identity,
    now: deps.now(),
    flash: extra.flash,
    error: extra.error,
  };
}

type Form = Record<string, string>;
type Action = (id: string, o: SessionOfficial, f: Form, version: number | undefined) => Promise<void>;

class InvalidInput extends Error {}

function text(f: Form, name: string, max: number, required = true): string {
  const v = (f[name] ?? "").normalize("NFC").trim();
  if (required && !v) throw new InvalidInput(name);
  if (v.length > max) throw new InvalidInput(name);
  return v;
}

export function caseRoutes(app: QueueApp, deps: CaseRouteDeps) {
  const { actions } = deps;
  const opts = (version: number | undefined) => (version === undefined ? {} : { expectedVersion: version });
  const handlers: Record<string, Action> = {
    claim: (id, o, _f, v) => actions.claim(id, o, opts(v)),
    assign: (id, o, f, v) => {
      const who = f.assignee?.trim() || null;
      if (who && !UUID.test(who)) throw new InvalidInput("assignee");
      return actions.assign(id, o, who, opts(v));
    },
    reply: (id, o, f, v) => actions.reply(id, o, text(f, "text", 4000), opts(v)),
    answer: (id, o, f, v) => actions.answer(id, o, text(f, "text", 4000), opts(v)),
    "request-info": (id, o, f, v) => actions.requestInfo(id, o, text(f, "text", 2000), opts(v)),
    note: (id, o, f, v) => actions.note(id, o, text(f, "text", 4000), opts(v)),
    topic: (id, o, f, v) => {
      if (!deps.data.topicById.has(f.topic ?? "")) throw new InvalidInput("topic");
      return actions.changeTopic(id, o, f.topic!, opts(v));
    },
    kind: (id, o, f, v) => {
      if (!isCaseKind(f.kind)) throw new InvalidInput("kind");
      return actions.changeKind(id, o, f.kind, opts(v));
    },
    transfer: (id, o, f, v) => {
      if (!deps.data.agencyById.has(f.agency ?? "")) throw new InvalidInput("agency");
      return actions.transfer(id, o, f.agency!, text(f, "reason", 500), opts(v));
    },
    refuse: (id, o, f, v) => {
      const body = text(f, "body", 300);
      const reason = text(f, "reason", 500);
      return actions.reject(
        id,
        o,
        `${reason}. Không thuộc thẩm quyền giải quyết của cơ quan; đề nghị ông/bà gửi đến: ${body}.`,
        opts(v),
      );
    },
    extend: (id, o, f, v) => actions.extend(id, o, text(f, "reason", 500), opts(v)),
    close: (id, o, f, v) => {
      const outcome = qCase.a.outcomes[f.outcome ?? ""];
      if (!outcome) throw new InvalidInput("outcome");
      const note = text(f, "note", 1000, false);
      return actions.close(id, o, note ? `${outcome} — ${note}` : outcome, opts(v));
    },
  };

  const page = async (
    c: Context<QueueEnv>,
    id: string,
    status: 200 | 400 | 403 | 409,
    extra: Parameters<typeof casePageProps>[3] = {},
  ) => c.html(<CasePage {...(await casePageProps(deps, c, id, extra))} />, status);

  app.get("/queue/cases/:id", async (c) => {
    const id = c.req.param("id");
    const o = c.get("official");
    const row = await caseFor(deps.db, o, id);
    if (row.identityProtected)
      await audit(deps.db, { actorId: o.id, action: "case_viewed", targetType: "case", targetId: id });
    const done = c.req.query("done");
    return page(c, id, 200, done && qCase.done[done] ? { flash: qCase.done[done] } : {});
  });

  app.post("/queue/cases/:id/identity", async (c) => {
    const id = c.req.param("id");
    const o = c.get("official");
    const row = await caseFor(deps.db, o, id);
    const identity = await viewIdentity(deps.db, o, row);
    if (!identity) return page(c, id, 403, { error: q.errors.forbidden });
    return page(c, id, 200, { identity });
  });

  app.post("/queue/cases/:id/:action", async (c) => {
    const id = c.req.param("id");
    const name = c.req.param("action");
    const o = c.get("official");
    const handler = handlers[name];
    await caseFor(deps.db, o, id);
    if (!handler) throw new NotFoundError();
    if (!canWriteCases(o)) {
      await audit(deps.db, {
        actorId: o.id,
        action: "write_refused",
        targetType: "case",
        targetId: id,
        data: { action: name },
      });
      return page(c, id, 403, { error: q.errors.readOnly });
    }
    const body = await c.req.parseBody();
    const form: Form = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") form[k] = v;
    const version = /^\d{1,9}$/.test(form.version ?? "") ? Number(form.version) : undefined;
    try {
      await handler(id, o, form, version);
    } catch (e) {
      if (e instanceof ConflictError) return page(c, id, 409, { error: q.errors.conflict });
      if (e instanceof InvalidInput) return page(c, id, 400, { error: q.errors.invalid });
      if (e instanceof ActionNotAllowedError) return page(c, id, 400, { error: e.message });
      if (e instanceof IllegalTransitionError) return page(c, id, 400, { error: q.errors.illegal });
      if (e instanceof ForbiddenError) return page(c, id, 403, { error: q.errors.forbidden });
      throw e;
    }
    return c.redirect(`/queue/cases/${id}?done=${name}`, 303);
  });

  /** The case as JSON, with the same confinement and the same redaction as the page. */
  app.get("/queue/api/cases/:id", async (c) => {
    const p = await casePageProps(deps, c, c.req.param("id"));
    return c.json({
      case: {
        id: p.c.id,
        code: p.c.code,
        kind: p.c.kind,
        status: p.c.status,
        version: p.c.version,
        topicId: p.c.topicId,
        agencyId: p.c.agencyId,
        dueAt: p.c.dueAt,
        description: p.c.description,
        anonymous: p.c.anonymous,
        identityProtected: p.c.identityProtected,
      },
      messages: p.messages.map((m) => ({
        direction: m.direction,
        text: m.text,
        createdAt: m.createdAt,
        delivery: m.delivery ?? null,
      })),
      events: p.events.map((e) => ({ type: e.type, text: e.text, createdAt: e.createdAt })),
    });
  });
}
