/**
 * /queue/admin/inbound: the messages the system could not process (failed after every attempt,
 * or quarantined at intake), for administrators — channel, time, reason, an excerpt with the
 * sender's identity taken out (src/queue/unprocessed.ts) — with "retry" (failed ones: back to the
 * processor's queue, after what the chat received since) and "dismiss". Both are audited in the
 * same transaction as the change. Not for agency leads: an update that was never processed
 * belongs to no agency yet, and reading every chat's messages is beyond an agency's scope.
 */
import type { Child } from "hono/jsx";
import { qCase, qInbound } from "../../i18n/queue.ts";
import { formatDateTime } from "../../i18n/vi.ts";
import { dismissUpdate, retryUpdate } from "../../inbound/store.ts";
import { withTx } from "../../store/cases.ts";
import { audit } from "../audit.ts";
import type { QueueApp, QueueServices } from "../context.ts";
import { listUnprocessed } from "../unprocessed.ts";
import { Flash, Layout } from "../views/layout.tsx";
import { AdminTabs } from "./admin.tsx";
import { DocsAssets } from "./common.tsx";

const ID = /^[0-9]{1,19}$/;
const DONE: Record<string, { kind: "ok" | "error"; text: string }> = {
  retried: { kind: "ok", text: qInbound.retried },
  dismissed: { kind: "ok", text: qInbound.dismissed },
  gone: { kind: "error", text: qInbound.gone },
};

export function inboundReviewRoutes(app: QueueApp, s: QueueServices) {
  app.get("/queue/admin/inbound", async (c) => {
    const o = c.get("official");
    const before = c.req.query("before");
    const frame = (body: Child, status: 200 | 403 = 200) =>
      c.html(
        <Layout
          title={qInbound.title}
          official={o}
          csrfToken={c.get("csrfToken")}
          active="admin"
          agencyName={s.data.agencyById.get(o.agencyId)?.name}
        >
          <DocsAssets />
          <h1>{qInbound.title}</h1>
          <AdminTabs official={o} current="inbound" />
          {body}
        </Layout>,
        status,
      );
    if (o.role !== "admin") return frame(<Flash kind="error" text={qInbound.forbidden} />, 403);
    const { rows, more } = await listUnprocessed(s.db, {
      ...(before && ID.test(before) ? { before: BigInt(before) } : {}),
    });
    const done = DONE[c.req.query("done") ?? ""];
    const csrf = c.get("csrfToken");
    return frame(
      <>
        {done ? <Flash kind={done.kind} text={done.text} /> : null}
        <p class="meta">{qInbound.intro}</p>
        {rows.length === 0 ? (
          <p class="card">{qInbound.empty}</p>
        ) : (
          <table class="admin inbound">
            <thead>
              <tr>
                <th scope="col">{qInbound.columns.received}</th>
                <th scope="col">{qInbound.columns.channel}</th>
                <th scope="col">{qInbound.columns.status}</th>
                <th scope="col">{qInbound.columns.excerpt}</th>
                <th scope="col">{qInbound.columns.reason}</th>
                <th scope="col">{qInbound.columns.actions}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr data-update={String(r.id)}>
                  <td>{formatDateTime(r.receivedAt)}</td>
                  <td>{qCase.channels[r.channel] ?? r.channel}</td>
                  <td>
                    {qInbound.status[r.status]}
                    {r.status === "failed" ? <div class="meta">{qInbound.attempts(r.attempts)}</div> : null}
                  </td>
                  <td class="excerpt">{r.excerpt}</td>
                  <td class="meta">{r.reason}</td>
                  <td>
                    {r.retryable ? (
                      <form method="post" action={`/queue/admin/inbound/${r.id}/retry`} class="inline">
                        <input type="hidden" name="_csrf" value={csrf} />
                        <button type="submit">{qInbound.retry}</button>
                      </form>
                    ) : (
                      <p class="meta">{qInbound.noRetry}</p>
                    )}
                    <form method="post" action={`/queue/admin/inbound/${r.id}/dismiss`} class="inline">
                      <input type="hidden" name="_csrf" value={csrf} />
                      <button type="submit">{qInbound.dismiss}</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          {before ? <a href="/queue/admin/inbound">{qInbound.first}</a> : null}{" "}
          {more ? <a href={`/queue/admin/inbound?before=${rows.at(-1)!.id}`}>{qInbound.more}</a> : null}
        </p>
      </>,
    );
  });

  for (const action of ["retry", "dismiss"] as const) {
    app.post(`/queue/admin/inbound/:id/${action}`, async (c) => {
      const o = c.get("official");
      const idText = c.req.param("id");
      if (o.role !== "admin" || !ID.test(idText)) return c.redirect("/queue/admin/inbound", 303);
      const id = BigInt(idText);
      const ok = await withTx(s.db, async (tx) => {
        const row = await tx.inboundUpdate.findUnique({
          where: { id },
          select: { channel: true, status: true, attempts: true },
        });
        if (!row) return false;
        const changed = action === "retry" ? await retryUpdate(tx, id) : await dismissUpdate(tx, id);
        if (!changed) return false;
        await audit(tx, {
          actorId: o.id,
          action: action === "retry" ? "inbound_update_retried" : "inbound_update_dismissed",
          targetType: "inbound_update",
          targetId: idText,
          data: { channel: row.channel, status: row.status, attempts: row.attempts },
        });
        return true;
      });
      if (ok)
        s.logger.info({ id: idText, action, official: o.id }, "inbound: an administrator acted on an update");
      return c.redirect(
        `/queue/admin/inbound?done=${ok ? (action === "retry" ? "retried" : "dismissed") : "gone"}`,
        303,
      );
    });
  }
}
