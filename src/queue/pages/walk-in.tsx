/**
 * /queue/walk-in: an officer records a petition received in person, by post or at a citizen
 * reception session; the citizen gets the tracking code on a printable receipt.
 */
import type { Context } from "hono";
import { CASE_KINDS } from "../../case/kind.ts";
import type { ReferenceData } from "../../data/index.ts";
import { q } from "../../i18n/queue.ts";
import { channelLabel, qd } from "../../i18n/queue-docs.ts";
import { formatDate, kindLabel } from "../../i18n/vi.ts";
import { identityVisibleTo, readsAllAgencies } from "../../registers/query.ts";
import { placeName } from "../../routing/router.ts";
import { audit } from "../audit.ts";
import { canWriteCases, type QueueApp, type QueueEnv, type QueueServices } from "../context.ts";

// biome-ignore lint/suspicious/noExplicitAny: handlers of several paths share these helpers
type Ctx = Context<QueueEnv, any>;

import { Flash, Layout } from "../views/layout.tsx";
import { PAPER_CHANNELS, parseWalkIn, recordPetition, WalkInError } from "../walk-in.ts";
import { DocsAssets, FieldError, formOf, viewerOf } from "./common.tsx";

function WalkInForm(props: {
  data: ReferenceData;
  values: Record<string, string>;
  errors: Record<string, string>;
  csrfToken: string;
}) {
  const v = props.values;
  const { data, errors } = props;
  const communes = [...data.communes].sort((a, b) => a.name.localeCompare(b.name, "vi"));
  return (
    <form method="post" action="/queue/walk-in" class="card stack" novalidate>
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <div class="row2">
        <label>
          {qd.walkIn.channel}
          <select name="channel" required>
            {PAPER_CHANNELS.map((ch) => (
              <option value={ch} selected={(v.channel ?? "walk_in") === ch}>
                {channelLabel(ch)}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="channel" />
        </label>
        <label>
          {qd.walkIn.kind}
          <select name="kind" required>
            {CASE_KINDS.map((k) => (
              <option value={k} selected={(v.kind ?? "pakn") === k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="kind" />
        </label>
        <label>
          {qd.walkIn.topic}
          <select name="topicId" required>
            {data.topics.map((t) => (
              <option value={t.id} selected={v.topicId === t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="topicId" />
        </label>
        <label>
          {qd.walkIn.place}
          <select name="placeId">
            <option value="">{qd.walkIn.placeCity}</option>
            {communes.map((p) => (
              <option value={p.id} selected={v.placeId === p.id}>
                {placeName(p)}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="placeId" />
        </label>
      </div>
      <label>
        {qd.walkIn.description}
        <textarea name="description" rows={6} required>
          {v.description ?? ""}
        </textarea>
        <FieldError errors={errors} name="description" />
      </label>
      <label>
        {qd.walkIn.subject}
        <input name="subject" value={v.subject ?? ""} maxlength={500} />
        <FieldError errors={errors} name="subject" />
      </label>
      <fieldset class="stack">
        <legend>{qd.walkIn.sender}</legend>
        <div class="row2">
          <label>
            {qd.walkIn.senderName}
            <input name="senderName" value={v.senderName ?? ""} maxlength={200} autocomplete="off" />
            <FieldError errors={errors} name="senderName" />
          </label>
          <label>
            {qd.walkIn.senderAddress}
            <input name="senderAddress" value={v.senderAddress ?? ""} maxlength={300} autocomplete="off" />
            <FieldError errors={errors} name="senderAddress" />
          </label>
          <label>
            {qd.walkIn.senderIdNumber}
            <input
              name="senderIdNumber"
              value={v.senderIdNumber ?? ""}
              maxlength={20}
              inputmode="numeric"
              autocomplete="off"
            />
            <FieldError errors={errors} name="senderIdNumber" />
          </label>
          <label>
            {qd.walkIn.senderPhone}
            <input
              name="senderPhone"
              value={v.senderPhone ?? ""}
              maxlength={20}
              inputmode="tel"
              autocomplete="off"
            />
            <FieldError errors={errors} name="senderPhone" />
          </label>
        </div>
        <label class="check">
          <input type="checkbox" name="anonymous" value="1" checked={v.anonymous === "1"} />
          {qd.walkIn.anonymous}
        </label>
      </fieldset>
      <div class="row2">
        <label>
          {qd.walkIn.peopleCount}
          <input name="peopleCount" type="number" min={1} max={1000} value={v.peopleCount ?? "1"} />
          <FieldError errors={errors} name="peopleCount" />
        </label>
        <label>
          {qd.walkIn.presidedBy}
          <input name="presidedBy" value={v.presidedBy ?? ""} maxlength={200} />
        </label>
        <label>
          {qd.walkIn.receivedAt}
          <input name="receivedAt" type="date" value={v.receivedAt ?? ""} />
          <FieldError errors={errors} name="receivedAt" />
        </label>
        <label>
          {qd.walkIn.note}
          <input name="note" value={v.note ?? ""} maxlength={1000} />
        </label>
      </div>
      <div class="actions-row">
        <button type="submit" class="primary">
          {qd.walkIn.submit}
        </button>
      </div>
    </form>
  );
}

function toInput(f: Record<string, string>) {
  const receivedAt = /^\d{4}-\d{2}-\d{2}$/.test(f.receivedAt ?? "")
    ? new Date(`${f.receivedAt}T09:00:00+07:00`)
    : undefined;
  return {
    channel: f.channel,
    kind: f.kind,
    topicId: f.topicId ?? "",
    placeId: f.placeId,
    description: f.description ?? "",
    subject: f.subject,
    senderName: f.senderName,
    senderAddress: f.senderAddress,
    senderIdNumber: f.senderIdNumber,
    senderPhone: f.senderPhone,
    anonymous: f.anonymous === "1",
    peopleCount: f.peopleCount || "1",
    presidedBy: f.presidedBy,
    note: f.note,
    ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}),
  };
}

export function walkInRoutes(app: QueueApp, s: QueueServices) {
  // The runtime's store: a walk-in case's text gets its stored embedding like any other.
  const { cases } = s.actions;
  const page = (
    c: Ctx,
    values: Record<string, string>,
    errors: Record<string, string>,
    status: 200 | 422 = 200,
  ) => {
    const o = c.get("official");
    return c.html(
      <Layout
        title={qd.walkIn.title}
        official={o}
        csrfToken={c.get("csrfToken")}
        active="walk-in"
        agencyName={s.data.agencyById.get(o.agencyId)?.name}
      >
        <DocsAssets />
        <h1>{qd.walkIn.title}</h1>
        <p class="meta">{qd.walkIn.intro}</p>
        {Object.keys(errors).length ? <Flash kind="error" text={qd.walkIn.invalid} /> : null}
        <WalkInForm data={s.data} values={values} errors={errors} csrfToken={c.get("csrfToken")} />
      </Layout>,
      status,
    );
  };

  app.get("/queue/walk-in", (c) => {
    if (!canWriteCases(c.get("official")))
      return c.html(
        <Layout title={q.errors.readOnly} official={c.get("official")} csrfToken={c.get("csrfToken")}>
          <Flash kind="error" text={q.errors.readOnly} />
        </Layout>,
        403,
      );
    return page(c, {}, {});
  });

  app.post("/queue/walk-in", async (c) => {
    const o = c.get("official");
    if (!canWriteCases(o))
      return c.html(
        <Layout title={q.errors.readOnly} official={o} csrfToken={c.get("csrfToken")}>
          <Flash kind="error" text={q.errors.readOnly} />
        </Layout>,
        403,
      );
    const f = await formOf(c);
    const now = s.now();
    let input: ReturnType<typeof parseWalkIn>;
    try {
      input = parseWalkIn(toInput(f), s.data, now);
    } catch (e) {
      if (!(e instanceof WalkInError)) throw e;
      const errors: Record<string, string> = {};
      for (const i of e.issues) errors[i.path || "form"] ??= i.message;
      return page(c, f, errors, 422);
    }
    const r = await recordPetition(s.db, cases, input, o, now);
    await audit(s.db, {
      actorId: o.id,
      action: "petition_recorded",
      targetType: "case",
      targetId: r.caseId,
      data: { channel: input.channel, kind: input.kind },
    });
    return c.redirect(`/queue/walk-in/${r.caseId}/receipt?new=1`, 303);
  });

  app.get("/queue/walk-in/:id/receipt", async (c) => {
    const o = c.get("official");
    const id = c.req.param("id");
    if (!/^[0-9a-f-]{36}$/i.test(id)) return c.notFound();
    const row = await s.db.case.findUnique({
      where: { id },
      include: { agency: true, topic: true, sender: true },
    });
    if (!row) return notFoundPage(c);
    const visits = await s.db.reception.findMany({ where: { caseId: id } });
    const mine =
      readsAllAgencies(o) || row.agencyId === o.agencyId || visits.some((v) => v.agencyId === o.agencyId);
    if (!mine) return notFoundPage(c);
    const recordedByMe = visits.some((v) => v.officialId === o.id);
    const showName = recordedByMe || identityVisibleTo(viewerOf(o), row);
    const name = showName ? (row.sender?.name ?? "") : qd.receipt.hidden;
    const visit = visits[0];
    const recorder = visit?.officialId
      ? await s.db.official.findUnique({ where: { id: visit.officialId } })
      : null;
    const issuing = s.data.agencyById.get(visit?.agencyId ?? o.agencyId)?.name ?? "";
    const base = new URL(c.req.url);
    return c.html(
      <Layout title={qd.receipt.title} official={o} csrfToken={c.get("csrfToken")} active="walk-in">
        <DocsAssets />
        {c.req.query("new") ? <Flash kind="ok" text={qd.receipt.recorded(row.code)} /> : null}
        <div class="actions-row no-print">
          <button type="button" class="primary" data-print="1">
            {qd.receipt.print}
          </button>
          <a class="button" href="/queue/walk-in">
            {qd.receipt.another}
          </a>
          <a class="button" href={`/queue/cases/${row.id}`}>
            {q.nav.queue}
          </a>
        </div>
        <article class="paper receipt" aria-label={qd.receipt.title}>
          <div class="head">
            <div>
              <b>{issuing.toUpperCase()}</b>
            </div>
            <div>
              <b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>
              <b>Độc lập - Tự do - Hạnh phúc</b>
            </div>
          </div>
          <p class="title">{qd.receipt.heading}</p>
          <p class="subject">{qd.receipt.subheading}</p>
          <div class="code-big" data-testid="receipt-code">
            {row.code}
          </div>
          <dl>
            <dt>{qd.receipt.received}</dt>
            <dd>{formatDate(row.receivedAt)}</dd>
            <dt>{qd.receipt.channel}</dt>
            <dd>{channelLabel(row.channel)}</dd>
            <dt>{qd.receipt.kind}</dt>
            <dd>
              {kindLabel(row.kind)} — {row.topic.name}
            </dd>
            <dt>{qd.receipt.sender}</dt>
            <dd>{name}</dd>
            <dt>{qd.receipt.content}</dt>
            <dd>{row.description.length > 300 ? `${row.description.slice(0, 300)}…` : row.description}</dd>
            <dt>{qd.receipt.agency}</dt>
            <dd>{row.agency?.name ?? ""}</dd>
            <dt>{qd.receipt.acceptanceDue}</dt>
            <dd>{row.acceptanceDueAt ? formatDate(row.acceptanceDueAt) : ""}</dd>
            <dt>{qd.receipt.due}</dt>
            <dd>{row.dueAt ? formatDate(row.dueAt) : ""}</dd>
          </dl>
          <p>{qd.receipt.lookup(`${base.protocol}//${base.host}/`)}</p>
          <p class="muted">{qd.receipt.note}</p>
          <div class="sign">
            <div>
              <b>{qd.receipt.citizenSign}</b>
            </div>
            <div>
              <b>{qd.receipt.officialSign}</b>
              <br />
              <br />
              <br />
              {recorder?.displayName ?? ""}
            </div>
          </div>
        </article>
      </Layout>,
    );
  });
}

function notFoundPage(c: Ctx) {
  return c.html(
    <Layout title={q.errors.notFound} official={c.get("official")} csrfToken={c.get("csrfToken")}>
      <Flash kind="error" text={q.errors.notFound} />
    </Layout>,
    404,
  );
}
