/**
 * /queue/cases/:id/documents: legal documents and canned replies of a case — choose a template,
 * edit the filled text, send it to the citizen (through CaseActions and the outbox) or download it
 * as DOCX; the documents sent before, to download again.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import {
  blanksLeft,
  caseFields,
  fill,
  loadTemplates,
  type RenderedDocument,
} from "../../documents/render.ts";
import {
  CaseNotVisibleError,
  DocumentError,
  DocumentService,
  provinceNames,
} from "../../documents/service.ts";
import { q } from "../../i18n/queue.ts";
import { docs, qd } from "../../i18n/queue-docs.ts";
import { formatDate } from "../../i18n/vi.ts";
import { listCanned } from "../../store/reference-live.ts";
import { ForbiddenError } from "../actions.ts";
import { audit } from "../audit.ts";
import { canWriteCases, type QueueApp, type QueueEnv, type QueueServices } from "../context.ts";
import { Flash, Layout } from "../views/layout.tsx";
import { DocsAssets, formOf, identitiesFor, viewerOf } from "./common.tsx";

/** The Word writer (the docx package) loads with the first document downloaded, not with the server. */
async function documentToDocx(d: Parameters<typeof import("../../documents/docx.ts").documentToDocx>[0]) {
  return (await import("../../documents/docx.ts")).documentToDocx(d);
}

// biome-ignore lint/suspicious/noExplicitAny: handlers of several paths share these helpers
type Ctx = Context<QueueEnv, any>;

function Paper(props: { doc: RenderedDocument; editable: boolean; signerTitle: string }) {
  const d = props.doc;
  return (
    <article class="paper">
      <div class="head">
        <div>
          {d.parentBody ? <span>{d.parentBody}</span> : null}
          <b>{d.issuingBody}</b>
          <span>{d.numberLine}</span>
        </div>
        <div>
          <b>{docs.nationalTitle}</b>
          <b>{docs.motto}</b>
          <span class="date">{d.dateLine}</span>
        </div>
      </div>
      <p class="title">{d.docType}</p>
      {d.subject ? <p class="subject">{d.subject}</p> : null}
      {d.recipient ? (
        <p class="to">
          {docs.respectfully} {d.recipient}
        </p>
      ) : null}
      <label>
        {qd.documents.body}
        <textarea id="doc-body" name="body" required readonly={!props.editable}>
          {d.body}
        </textarea>
      </label>
      <label>
        {qd.documents.signer}
        <input name="signerTitle" value={props.signerTitle} maxlength={120} />
      </label>
    </article>
  );
}

export function documentRoutes(app: QueueApp, s: QueueServices) {
  const service = new DocumentService({
    db: s.db,
    data: s.data,
    actions: s.actions,
    identities: identitiesFor(s),
    now: s.now,
  });

  const notFound = (c: Ctx) =>
    c.html(
      <Layout title={q.errors.notFound} official={c.get("official")} csrfToken={c.get("csrfToken")}>
        <Flash kind="error" text={q.errors.notFound} />
      </Layout>,
      404,
    );
  const readOnly = (c: Ctx) =>
    c.html(
      <Layout title={q.errors.readOnly} official={c.get("official")} csrfToken={c.get("csrfToken")}>
        <Flash kind="error" text={q.errors.readOnly} />
      </Layout>,
      403,
    );

  async function page(
    c: Ctx,
    opts: {
      templateId?: string;
      toAgencyId?: string;
      body?: string;
      signerTitle?: string;
      error?: string;
      ok?: string;
    },
    status: 200 | 422 = 200,
  ) {
    const o = c.get("official");
    const viewer = viewerOf(o);
    const id = c.req.param("id") ?? "";
    const dc = await service.documentCase(id, viewer);
    const row = await s.db.case.findUniqueOrThrow({
      where: { id },
      select: { id: true, code: true, conversationId: true, topicId: true, kind: true },
    });
    const templates = service.templatesFor(dc.kind);
    const sent = await service.listSent(id);
    const writable = canWriteCases(o);
    let editor: Child = null;
    if (opts.templateId) {
      const { doc, template } = await service.prepare(
        id,
        viewer,
        opts.templateId,
        opts.toAgencyId ? { toAgencyId: opts.toAgencyId } : {},
      );
      const shown = opts.body !== undefined ? service.merge(doc, { body: opts.body }) : doc;
      const left = blanksLeft([shown.subject, shown.body, shown.recipient].join("\n"));
      const agencies = [...s.data.agencies]
        .filter((a) => a.id !== o.agencyId)
        .sort((a, b) => a.name.localeCompare(b.name, "vi"));
      editor = (
        <section class="card stack">
          <h2>
            {template.docType} {template.subject ? `— ${shown.subject}` : ""}
          </h2>
          <p class="meta">
            {qd.documents.form}: {template.form}. {qd.documents.sendsAs[template.send]}.
          </p>
          {template.send === "transfer" ? (
            <form method="get" action={`/queue/cases/${id}/documents`} class="actions-row">
              <input type="hidden" name="template" value={template.id} />
              <label>
                {qd.documents.toAgency}
                <select name="toAgencyId" required>
                  <option value="">—</option>
                  {agencies.map((a) => (
                    <option value={a.id} selected={opts.toAgencyId === a.id}>
                      {a.name}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit">{qd.documents.refill}</button>
            </form>
          ) : null}
          {left.length ? (
            <p class="blank-warning" data-testid="blanks">
              {qd.documents.blanks(left.length)} ({left.join(", ")})
            </p>
          ) : null}
          <form
            method="post"
            action={`/queue/cases/${id}/documents/send`}
            class="stack"
            data-confirm={qd.documents.confirm}
          >
            <input type="hidden" name="_csrf" value={c.get("csrfToken")} />
            <input type="hidden" name="template" value={template.id} />
            {opts.toAgencyId ? <input type="hidden" name="toAgencyId" value={opts.toAgencyId} /> : null}
            <Paper doc={shown} editable={true} signerTitle={opts.signerTitle ?? shown.signerTitle} />
            <div class="actions-row">
              {writable ? (
                <button type="submit" class="primary">
                  {qd.documents.send}
                </button>
              ) : null}
              <button type="submit" formaction={`/queue/cases/${id}/documents/docx`} formnovalidate>
                {qd.documents.docx}
              </button>
            </div>
          </form>
          {!row.conversationId ? <p class="meta">{qd.documents.paperNote}</p> : null}
        </section>
      );
    }
    let canned: Child = null;
    if (dc.kind === "pakn") {
      const replies = await listCanned(s.db, row.topicId);
      const fields = caseFields(dc, {
        now: s.now(),
        ...provinceNames(s.data.province.name),
        officialName: o.displayName,
        settlementDays: s.data.deadlines.pakn.settlement.n,
      });
      const blanks = loadTemplates().blanks;
      canned = (
        <section class="card stack">
          <h2>{qd.documents.canned}</h2>
          <div class="canned no-print">
            {replies.map((r) => (
              <button type="button" data-insert={fill(r.body, fields, blanks)} data-target="canned-body">
                {r.title}
              </button>
            ))}
          </div>
          {writable ? (
            <form method="post" action={`/queue/cases/${id}/canned/send`} class="stack">
              <input type="hidden" name="_csrf" value={c.get("csrfToken")} />
              <label>
                {qd.documents.cannedText}
                <textarea id="canned-body" name="body" rows={5} required></textarea>
              </label>
              <div class="actions-row">
                <button type="submit" name="mode" value="reply">
                  {qd.documents.cannedReply}
                </button>
                <button type="submit" name="mode" value="answer" class="primary">
                  {qd.documents.cannedAnswer}
                </button>
              </div>
            </form>
          ) : null}
        </section>
      );
    }
    return c.html(
      <Layout title={qd.documents.title(row.code)} official={o} csrfToken={c.get("csrfToken")}>
        <DocsAssets />
        <p class="no-print">
          <a href={`/queue/cases/${id}`}>{qd.documents.back}</a>
        </p>
        <h1>{qd.documents.title(row.code)}</h1>
        {opts.ok ? <Flash kind="ok" text={opts.ok} /> : null}
        {opts.error ? <Flash kind="error" text={opts.error} /> : null}
        <section class="card">
          <h2>{qd.documents.choose}</h2>
          <div class="tabs">
            {templates.map((t) => (
              <a
                href={`/queue/cases/${id}/documents?template=${t.id}`}
                aria-current={opts.templateId === t.id ? "page" : undefined}
              >
                {t.docType.charAt(0) + t.docType.slice(1).toLowerCase()}
                {t.subject
                  ? ` ${t.subject
                      .replace(/\{\{[a-z_]+\}\}/g, "…")
                      .replace(/^Về việc /, "")
                      .toLowerCase()}`
                  : ""}
              </a>
            ))}
          </div>
        </section>
        {editor}
        {canned}
        <section class="card">
          <h2>{qd.documents.sentList}</h2>
          {sent.length ? (
            <ul>
              {sent.map((d) => (
                <li>
                  {formatDate(d.at)} — {d.docType} {d.subject} ·{" "}
                  <a href={`/queue/cases/${id}/documents/${d.id}/docx`}>{qd.documents.docx}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="meta">{qd.documents.none}</p>
          )}
        </section>
      </Layout>,
      status,
    );
  }

  const guard = (fn: (c: Ctx) => Promise<Response>) => async (c: Ctx) => {
    try {
      return await fn(c);
    } catch (e) {
      if (e instanceof CaseNotVisibleError || e instanceof ForbiddenError) return notFound(c);
      throw e;
    }
  };

  app.get(
    "/queue/cases/:id/documents",
    guard(async (c) => {
      const template = c.req.query("template");
      const to = c.req.query("toAgencyId");
      try {
        return await page(c, {
          ...(template ? { templateId: template } : {}),
          ...(to && s.data.agencyById.has(to) ? { toAgencyId: to } : {}),
          ...(c.req.query("sent") ? { ok: qd.documents.sent } : {}),
        });
      } catch (e) {
        if (e instanceof DocumentError) return page(c, { error: e.message }, 422);
        throw e;
      }
    }),
  );

  app.post(
    "/queue/cases/:id/documents/send",
    guard(async (c) => {
      const o = c.get("official");
      if (!canWriteCases(o)) return readOnly(c);
      const f = await formOf(c);
      const id = c.req.param("id") ?? "";
      const edited = {
        body: f.body ?? "",
        ...(f.signerTitle ? { signerTitle: f.signerTitle } : {}),
        ...(f.toAgencyId ? { toAgencyId: f.toAgencyId } : {}),
      };
      try {
        const { eventId } = await service.send(id, viewerOf(o), f.template ?? "", edited);
        await audit(s.db, {
          actorId: o.id,
          action: "document_sent",
          targetType: "case",
          targetId: id,
          data: { templateId: f.template, eventId },
        });
      } catch (e) {
        if (!(e instanceof DocumentError)) throw e;
        return page(
          c,
          {
            templateId: f.template ?? "",
            body: f.body ?? "",
            error: e.message,
            ...(f.signerTitle ? { signerTitle: f.signerTitle } : {}),
            ...(f.toAgencyId && s.data.agencyById.has(f.toAgencyId) ? { toAgencyId: f.toAgencyId } : {}),
          },
          422,
        );
      }
      return c.redirect(`/queue/cases/${id}/documents?sent=1`, 303);
    }),
  );

  const docxResponse = (c: Ctx, buf: Buffer, name: string) =>
    c.body(new Uint8Array(buf), 200, {
      "content-type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "content-disposition": `attachment; filename="${name}.docx"; filename*=UTF-8''${encodeURIComponent(name)}.docx`,
    });

  app.post(
    "/queue/cases/:id/documents/docx",
    guard(async (c) => {
      const o = c.get("official");
      const f = await formOf(c);
      const id = c.req.param("id") ?? "";
      try {
        const { doc, case: dc } = await service.prepare(
          id,
          viewerOf(o),
          f.template ?? "",
          f.toAgencyId ? { toAgencyId: f.toAgencyId } : {},
        );
        const merged = service.merge(doc, {
          body: f.body ?? "",
          ...(f.signerTitle ? { signerTitle: f.signerTitle } : {}),
        });
        await audit(s.db, {
          actorId: o.id,
          action: "document_downloaded",
          targetType: "case",
          targetId: id,
          data: { templateId: f.template },
        });
        return docxResponse(c, await documentToDocx(merged), `${dc.code}-${doc.templateId}`);
      } catch (e) {
        if (e instanceof DocumentError) return page(c, { error: e.message }, 422);
        throw e;
      }
    }),
  );

  app.get(
    "/queue/cases/:id/documents/:eventId/docx",
    guard(async (c) => {
      const o = c.get("official");
      const id = c.req.param("id") ?? "";
      const doc = await service.sent(id, c.req.param("eventId") ?? "", viewerOf(o));
      const dc = await service.documentCase(id, viewerOf(o));
      return docxResponse(c, await documentToDocx(doc), `${dc.code}-${doc.templateId}`);
    }),
  );

  app.post(
    "/queue/cases/:id/canned/send",
    guard(async (c) => {
      const o = c.get("official");
      if (!canWriteCases(o)) return readOnly(c);
      const f = await formOf(c);
      const id = c.req.param("id") ?? "";
      await service.documentCase(id, viewerOf(o));
      const body = (f.body ?? "").normalize("NFC").trim();
      if (!body) return page(c, { error: docs.emptyBody }, 422);
      const left = blanksLeft(body);
      if (left.length) return page(c, { error: docs.blanksLeft(left) }, 422);
      const ref = { id: o.id, agencyId: o.agencyId, role: o.role };
      if (f.mode === "answer") await s.actions.answer(id, ref, body);
      else await s.actions.reply(id, ref, body);
      await audit(s.db, {
        actorId: o.id,
        action: "canned_reply_sent",
        targetType: "case",
        targetId: id,
        data: { mode: f.mode === "answer" ? "answer" : "reply" },
      });
      return c.redirect(`/queue/cases/${id}/documents?sent=1`, 303);
    }),
  );
}
