/**
 * /queue/registers: the sổ xử lý đơn and the sổ tiếp công dân (Thông tư 05/2021/TT-TTCP) as
 * filtered lists, and any of them as CSV or XLSX — always confined to the official's agency
 * unless they read every agency.
 */
import { CASE_KINDS } from "../../case/kind.ts";
import { CASE_STATUSES } from "../../case/lifecycle.ts";
import { channelLabel, qd } from "../../i18n/queue-docs.ts";
import { formatDate, kindLabel, statusLabel } from "../../i18n/vi.ts";
import { type Column, petitionColumns, receptionColumns, table } from "../../registers/columns.ts";
import { toCsv, toXlsx } from "../../registers/export.ts";
import {
  parseFilter,
  petitionRegister,
  type RegisterFilter,
  readsAllAgencies,
  receptionRegister,
} from "../../registers/query.ts";
import { audit } from "../audit.ts";
import type { QueueApp, QueueServices } from "../context.ts";
import { Layout } from "../views/layout.tsx";
import { DocsAssets, identitiesFor, viewerOf } from "./common.tsx";

const SHOWN = 500;
const CHANNELS = ["web", "telegram", "zalo", "walk_in", "post", "reception"];
type Book = "don" | "tiep";

export function registerRoutes(app: QueueApp, s: QueueServices) {
  const identities = identitiesFor(s);

  async function rows(book: Book, o: ReturnType<typeof viewerOf>, f: RegisterFilter, limit?: number) {
    const deps = { identities, data: s.data };
    if (book === "tiep") {
      const r = await receptionRegister(s.db, o, f, deps, limit);
      return table(receptionColumns as Column<unknown>[], r);
    }
    const r = await petitionRegister(s.db, o, f, deps, limit);
    return table(petitionColumns as Column<unknown>[], r);
  }

  const bookOf = (v: string | undefined): Book => (v === "tiep" ? "tiep" : "don");
  const scopeName = (o: ReturnType<typeof viewerOf>, f: RegisterFilter) =>
    readsAllAgencies(o)
      ? f.agencyId
        ? (s.data.agencyById.get(f.agencyId)?.name ?? qd.registers.allAgencies)
        : qd.registers.allAgencies
      : (s.data.agencyById.get(o.agencyId)?.name ?? "");

  app.get("/queue/registers", async (c) => {
    const o = c.get("official");
    const viewer = viewerOf(o);
    const query = c.req.query();
    const book = bookOf(query.book);
    const f = parseFilter(query);
    const t = await rows(book, viewer, f, SHOWN + 1);
    const truncated = t.rows.length > SHOWN;
    const shown = t.rows.slice(0, SHOWN);
    const qs = new URLSearchParams(Object.entries(query).filter(([k, v]) => v && k !== "format")).toString();
    const all = readsAllAgencies(viewer);
    const title = book === "tiep" ? qd.registers.receptions : qd.registers.petitions;
    return c.html(
      <Layout
        title={title}
        official={o}
        csrfToken={c.get("csrfToken")}
        active="registers"
        agencyName={s.data.agencyById.get(o.agencyId)?.name}
      >
        <DocsAssets />
        <h1>{qd.registers.title}</h1>
        <nav class="tabs" aria-label={qd.registers.title}>
          <a href="/queue/registers?book=don" aria-current={book === "don" ? "page" : undefined}>
            {qd.registers.petitions}
          </a>
          <a href="/queue/registers?book=tiep" aria-current={book === "tiep" ? "page" : undefined}>
            {qd.registers.receptions}
          </a>
          <a href="/queue/walk-in">{qd.walkIn.nav}</a>
        </nav>
        <form method="get" action="/queue/registers" class="card filters">
          <input type="hidden" name="book" value={book} />
          <label>
            {qd.registers.from}
            <input type="date" name="from" value={query.from ?? ""} />
          </label>
          <label>
            {qd.registers.to}
            <input type="date" name="to" value={query.to ?? ""} />
          </label>
          <label>
            {qd.registers.kind}
            <select name="kind">
              <option value="">{qd.registers.all}</option>
              {CASE_KINDS.map((k) => (
                <option value={k} selected={f.kind === k}>
                  {kindLabel(k)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {qd.registers.status}
            <select name="status">
              <option value="">{qd.registers.all}</option>
              {CASE_STATUSES.map((k) => (
                <option value={k} selected={f.status === k}>
                  {statusLabel(k)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {qd.registers.topic}
            <select name="topic">
              <option value="">{qd.registers.all}</option>
              {s.data.topics.map((t) => (
                <option value={t.id} selected={f.topicId === t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {qd.registers.channel}
            <select name="channel">
              <option value="">{qd.registers.all}</option>
              {CHANNELS.map((ch) => (
                <option value={ch} selected={f.channel === ch}>
                  {channelLabel(ch)}
                </option>
              ))}
            </select>
          </label>
          {all ? (
            <label>
              {qd.registers.agency}
              <select name="agency">
                <option value="">{qd.registers.allAgencies}</option>
                {[...s.data.agencies]
                  .sort((a, b) => a.name.localeCompare(b.name, "vi"))
                  .map((a) => (
                    <option value={a.id} selected={f.agencyId === a.id}>
                      {a.name}
                    </option>
                  ))}
              </select>
            </label>
          ) : null}
          <div class="actions">
            <button type="submit" class="primary">
              {qd.registers.filter}
            </button>
          </div>
        </form>
        <div class="actions-row">
          <span class="meta">
            {title} · {scopeName(viewer, f)} · {qd.registers.count(truncated ? SHOWN : shown.length)}
            {f.from || f.to
              ? ` · ${f.from ? formatDate(f.from) : "…"} – ${f.to ? formatDate(f.to) : "…"}`
              : ""}
          </span>
          <a class="button" href={`/queue/registers/export?${qs}&format=csv`}>
            {qd.registers.csv}
          </a>
          <a class="button" href={`/queue/registers/export?${qs}&format=xlsx`}>
            {qd.registers.xlsx}
          </a>
        </div>
        {truncated ? <p class="meta">{qd.registers.truncated(SHOWN)}</p> : null}
        <p class="meta">{qd.registers.basis}</p>
        {shown.length ? (
          <div class="register-wrap">
            <table class="register">
              <thead>
                <tr>
                  {t.headers.map((h) => (
                    <th scope="col">{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr>
                    {r.map((v, i) => (
                      <td class={`col-${t.keys[i]}`}>{String(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="card">{qd.registers.empty}</p>
        )}
      </Layout>,
    );
  });

  app.get("/queue/registers/export", async (c) => {
    const o = c.get("official");
    const viewer = viewerOf(o);
    const query = c.req.query();
    const book = bookOf(query.book);
    const f = parseFilter(query);
    const format = query.format === "xlsx" ? "xlsx" : "csv";
    const t = await rows(book, viewer, f);
    const columns = (book === "tiep" ? receptionColumns : petitionColumns) as Column<unknown>[];
    const title = book === "tiep" ? qd.registers.receptions : qd.registers.petitions;
    await audit(s.db, {
      actorId: o.id,
      action: "register_exported",
      targetType: "register",
      targetId: book,
      data: {
        format,
        rows: t.rows.length,
        agencyId: readsAllAgencies(viewer) ? (f.agencyId ?? null) : o.agencyId,
      },
    });
    const stamp = new Date(s.now().getTime() + 7 * 3600_000).toISOString().slice(0, 10);
    const name = `${book === "tiep" ? "so-tiep-cong-dan" : "so-xu-ly-don"}-${stamp}`;
    const disposition = (ext: string) => `attachment; filename="${name}.${ext}"`;
    if (format === "csv")
      return c.body(toCsv(t.headers, t.rows), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": disposition("csv"),
      });
    const buf = await toXlsx(title, qd.registers.sheetTitle(title, scopeName(viewer, f)), columns, t.rows);
    return c.body(new Uint8Array(buf), 200, {
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": disposition("xlsx"),
    });
  });
}
