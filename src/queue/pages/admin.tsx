/**
 * /queue/admin: agencies, officials, routing rules, holidays (administrators) and canned replies
 * (agency leads and administrators), each edit validated with the data files' schemas, audited,
 * and effective at once (src/store/reference-live.ts).
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { CASE_KINDS } from "../../case/kind.ts";
import { q, qInbound, ROLE_LABELS } from "../../i18n/queue.ts";
import { qd } from "../../i18n/queue-docs.ts";
import { kindLabel } from "../../i18n/vi.ts";
import { placeName } from "../../routing/router.ts";
import { AdminError, ReferenceAdmin } from "../../store/reference-live.ts";
import { audit } from "../audit.ts";
import {
  isSupervisor,
  type OfficialRole,
  type QueueApp,
  type QueueEnv,
  type QueueServices,
} from "../context.ts";
import { hashPassword, oneTimePassword } from "../password.ts";
import { Flash, Layout } from "../views/layout.tsx";
import { DocsAssets, formOf } from "./common.tsx";

// biome-ignore lint/suspicious/noExplicitAny: handlers of several paths share these helpers
type Ctx = Context<QueueEnv, any>;
type Section = "agencies" | "rules" | "holidays" | "canned" | "officials";
const SECTIONS: Section[] = ["canned", "rules", "agencies", "holidays", "officials"];
const ROLES: OfficialRole[] = ["officer", "supervisor", "leader", "admin"];

const lines = (v: string | undefined) =>
  (v ?? "")
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

const officialForm = z.object({
  id: z.string().uuid().optional(),
  username: z
    .string()
    .trim()
    .regex(/^[a-z0-9._-]{3,40}$/, "Tên đăng nhập: 3–40 ký tự chữ thường không dấu, số, dấu chấm, gạch"),
  displayName: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "Họ và tên không được để trống").max(200)),
  agencyId: z.string().min(1),
  role: z.enum(ROLES),
  canSeeIdentity: z.boolean(),
  active: z.boolean(),
});

const allowed = (o: { role: OfficialRole }, section: Section) =>
  o.role === "admin" || (section === "canned" && isSupervisor(o));

/** The administration's tabs: the sections the official may edit, and for administrators the inbound review. */
export function AdminTabs(props: { official: { role: OfficialRole }; current: Section | "inbound" }) {
  return (
    <nav class="tabs">
      {SECTIONS.filter((x) => allowed(props.official, x)).map((x) => (
        <a href={`/queue/admin?section=${x}`} aria-current={x === props.current ? "page" : undefined}>
          {qd.admin[x]}
        </a>
      ))}
      {props.official.role === "admin" ? (
        <a href="/queue/admin/inbound" aria-current={props.current === "inbound" ? "page" : undefined}>
          {qInbound.tab}
        </a>
      ) : null}
    </nav>
  );
}

export function adminRoutes(app: QueueApp, s: QueueServices) {
  const admin = new ReferenceAdmin({
    db: s.db,
    live: s.data,
    now: s.now,
    audit: (tx, e) => audit(tx, e),
  });
  const sectionOf = (v: string | undefined): Section =>
    (SECTIONS as string[]).includes(v ?? "") ? (v as Section) : "canned";

  async function listing(c: Ctx, section: Section): Promise<Child> {
    const o = c.get("official");
    const edit = (id: string) => `/queue/admin/${section}/edit?id=${encodeURIComponent(id)}`;
    if (section === "canned") {
      const rows = await s.db.cannedReply.findMany({ orderBy: { id: "asc" } });
      return (
        <table class="admin">
          <thead>
            <tr>
              <th>{qd.admin.id}</th>
              <th>{qd.admin.title_}</th>
              <th>{qd.admin.topics}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr class={r.active ? "" : "inactive"}>
                <td class="code">{r.id}</td>
                <td>{r.title}</td>
                <td>{r.topics.map((t) => s.data.topicById.get(t)?.name ?? t).join(", ")}</td>
                <td>
                  <a href={edit(r.id)}>{qd.admin.edit}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    if (section === "rules") {
      const rows = await s.db.routingRule.findMany({ orderBy: [{ position: "asc" }, { id: "asc" }] });
      return (
        <table class="admin">
          <thead>
            <tr>
              <th>#</th>
              <th>{qd.admin.position}</th>
              <th>{qd.admin.name}</th>
              <th>{qd.admin.agency}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr class={r.active ? "" : "inactive"}>
                <td>{r.id}</td>
                <td>{r.position}</td>
                <td>{r.name}</td>
                <td>
                  {r.agency === "$commune"
                    ? qd.admin.agencyCommune
                    : (s.data.agencyById.get(r.agency)?.name ?? r.agency)}
                </td>
                <td>
                  <a href={edit(String(r.id))}>{qd.admin.edit}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    if (section === "agencies") {
      const rows = await s.db.agency.findMany({ orderBy: [{ level: "desc" }, { name: "asc" }] });
      return (
        <table class="admin">
          <thead>
            <tr>
              <th>{qd.admin.id}</th>
              <th>{qd.admin.name}</th>
              <th>{qd.admin.level}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr class={r.active ? "" : "inactive"}>
                <td class="code">{r.id}</td>
                <td>{r.name}</td>
                <td>{qd.admin.levels[r.level as "province" | "commune"] ?? r.level}</td>
                <td>
                  <a href={edit(r.id)}>{qd.admin.edit}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    if (section === "holidays") {
      const rows = await s.db.calendarDay.findMany({ orderBy: { date: "desc" } });
      return (
        <table class="admin">
          <thead>
            <tr>
              <th>{qd.admin.date}</th>
              <th>{qd.admin.name}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr class={r.active ? "" : "inactive"}>
                <td class="code">{r.date}</td>
                <td>
                  {r.name}
                  {r.workingDay ? ` (${qd.admin.workingDay})` : ""}
                  {r.provisional ? ` — ${qd.admin.provisional}` : ""}
                </td>
                <td>
                  <a href={edit(r.date)}>{qd.admin.edit}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    const rows = await s.db.official.findMany({
      orderBy: [{ agencyId: "asc" }, { username: "asc" }],
      take: 2000,
    });
    void o;
    return (
      <table class="admin">
        <thead>
          <tr>
            <th>{qd.admin.username}</th>
            <th>{qd.admin.displayName}</th>
            <th>{qd.admin.role}</th>
            <th>{qd.admin.agency}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr class={r.active ? "" : "inactive"}>
              <td class="code">{r.username}</td>
              <td>{r.displayName}</td>
              <td>{ROLE_LABELS[r.role]}</td>
              <td>{s.data.agencyById.get(r.agencyId)?.name ?? r.agencyId}</td>
              <td>
                <a href={edit(r.id)}>{qd.admin.edit}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  async function editForm(
    c: Ctx,
    section: Section,
    id: string | undefined,
    values?: Record<string, string>,
  ): Promise<Child> {
    const v: Record<string, string> = values ?? {};
    const check = (name: string, label: string, on: boolean) => (
      <label class="check">
        <input type="checkbox" name={name} value="1" checked={on} />
        {label}
      </label>
    );
    const agencies = [...s.data.agencies].sort((a, b) => a.name.localeCompare(b.name, "vi"));
    if (!values && id) {
      if (section === "canned") {
        const r = await s.db.cannedReply.findUnique({ where: { id } });
        if (r)
          Object.assign(v, {
            id: r.id,
            title: r.title,
            body: r.body,
            topics: r.topics.join("\n"),
            active: r.active ? "1" : "",
          });
      } else if (section === "rules") {
        const r = await s.db.routingRule.findUnique({ where: { id: Number(id) || 0 } });
        if (r)
          Object.assign(v, {
            id: String(r.id),
            position: String(r.position),
            name: r.name,
            kinds: r.kinds.join("\n"),
            topics: r.topics.join("\n"),
            scope: r.scope,
            agency: r.agency,
            active: r.active ? "1" : "",
          });
      } else if (section === "agencies") {
        const r = await s.db.agency.findUnique({ where: { id } });
        if (r)
          Object.assign(v, {
            id: r.id,
            name: r.name,
            shortName: r.shortName,
            level: r.level,
            kind: r.kind,
            communeId: r.placeId ?? "",
            active: r.active ? "1" : "",
          });
      } else if (section === "holidays") {
        const r = await s.db.calendarDay.findUnique({ where: { date: id } });
        if (r)
          Object.assign(v, {
            date: r.date,
            name: r.name,
            workingDay: r.workingDay ? "1" : "",
            provisional: r.provisional ? "1" : "",
            active: r.active ? "1" : "",
          });
      } else {
        const r = /^[0-9a-f-]{36}$/i.test(id) ? await s.db.official.findUnique({ where: { id } }) : null;
        if (r)
          Object.assign(v, {
            id: r.id,
            username: r.username,
            displayName: r.displayName,
            agencyId: r.agencyId,
            role: r.role,
            canSeeIdentity: r.canSeeIdentity ? "1" : "",
            active: r.active ? "1" : "",
          });
      }
    }
    const isNew = !v.id && !v.date;
    const active = values ? v.active === "1" : isNew || v.active === "1";
    let fields: Child;
    if (section === "canned")
      fields = (
        <>
          <label>
            {qd.admin.id}
            <input name="id" value={v.id ?? ""} required readonly={!isNew} pattern="[a-z0-9-]+" />
          </label>
          <label>
            {qd.admin.title_}
            <input name="title" value={v.title ?? ""} required maxlength={200} />
          </label>
          <label>
            {qd.admin.topics}
            <select name="topics" multiple size={6}>
              {s.data.topics.map((t) => (
                <option value={t.id} selected={lines(v.topics).includes(t.id)}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {qd.admin.body}
            <textarea name="body" rows={6} required>
              {v.body ?? ""}
            </textarea>
          </label>
        </>
      );
    else if (section === "rules")
      fields = (
        <>
          <div class="row2">
            <label>
              #
              <input name="id" type="number" min={1} value={v.id ?? ""} required readonly={!isNew} />
            </label>
            <label>
              {qd.admin.position}
              <input name="position" type="number" min={1} value={v.position ?? ""} required />
            </label>
          </div>
          <label>
            {qd.admin.name}
            <input name="name" value={v.name ?? ""} required maxlength={300} />
          </label>
          <div class="row2">
            <label>
              {qd.admin.kinds}
              <select name="kinds" multiple size={3}>
                {CASE_KINDS.map((k) => (
                  <option value={k} selected={lines(v.kinds).includes(k)}>
                    {kindLabel(k)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {qd.admin.topics}
              <select name="topics" multiple size={6}>
                {s.data.topics.map((t) => (
                  <option value={t.id} selected={lines(v.topics).includes(t.id)}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {qd.admin.scope}
              <select name="scope">
                {(["commune", "province", "any"] as const).map((x) => (
                  <option value={x} selected={v.scope === x}>
                    {qd.admin.scopes[x]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {qd.admin.agency}
              <select name="agency">
                <option value="$commune" selected={v.agency === "$commune"}>
                  {qd.admin.agencyCommune}
                </option>
                {agencies.map((a) => (
                  <option value={a.id} selected={v.agency === a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </>
      );
    else if (section === "agencies")
      fields = (
        <>
          <label>
            {qd.admin.id}
            <input name="id" value={v.id ?? ""} required readonly={!isNew} pattern="[a-z0-9-]+" />
          </label>
          <label>
            {qd.admin.name}
            <input name="name" value={v.name ?? ""} required maxlength={300} />
          </label>
          <div class="row2">
            <label>
              {qd.admin.shortName}
              <input name="shortName" value={v.shortName ?? ""} required maxlength={100} />
            </label>
            <label>
              {qd.admin.level}
              <select name="level">
                <option value="province" selected={v.level !== "commune"}>
                  {qd.admin.levels.province}
                </option>
                <option value="commune" selected={v.level === "commune"}>
                  {qd.admin.levels.commune}
                </option>
              </select>
            </label>
            <label>
              {qd.admin.agencyKind}
              <input name="kind" value={v.kind ?? ""} required maxlength={60} />
            </label>
            <label>
              {qd.admin.commune}
              <select name="communeId">
                <option value="">—</option>
                {s.data.communes.map((p) => (
                  <option value={p.id} selected={v.communeId === p.id}>
                    {placeName(p)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </>
      );
    else if (section === "holidays")
      fields = (
        <>
          <label>
            {qd.admin.date}
            <input name="date" type="date" value={v.date ?? ""} required readonly={!isNew} />
          </label>
          <label>
            {qd.admin.name}
            <input name="name" value={v.name ?? ""} required maxlength={200} />
          </label>
          {check("workingDay", qd.admin.workingDay, v.workingDay === "1")}
          {check("provisional", qd.admin.provisional, v.provisional === "1")}
        </>
      );
    else
      fields = (
        <>
          {v.id ? <input type="hidden" name="id" value={v.id} /> : null}
          <label>
            {qd.admin.username}
            <input name="username" value={v.username ?? ""} required readonly={!isNew} autocomplete="off" />
          </label>
          <label>
            {qd.admin.displayName}
            <input name="displayName" value={v.displayName ?? ""} required maxlength={200} />
          </label>
          <div class="row2">
            <label>
              {qd.admin.role}
              <select name="role">
                {ROLES.map((r) => (
                  <option value={r} selected={(v.role ?? "officer") === r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {qd.admin.agency}
              <select name="agencyId">
                {agencies.map((a) => (
                  <option value={a.id} selected={v.agencyId === a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {check("canSeeIdentity", qd.admin.canSeeIdentity, v.canSeeIdentity === "1")}
        </>
      );
    return (
      <form method="post" action={`/queue/admin/${section}`} class="card stack">
        <input type="hidden" name="_csrf" value={c.get("csrfToken")} />
        {fields}
        {check("active", qd.admin.active, active)}
        <p class="meta">{qd.admin.inactiveNote}</p>
        <div class="actions-row">
          <button type="submit" class="primary">
            {qd.admin.save}
          </button>
          <a class="button" href={`/queue/admin?section=${section}`}>
            ←
          </a>
        </div>
      </form>
    );
  }

  function page(
    c: Ctx,
    section: Section,
    body: Child,
    flash?: { kind: "ok" | "error"; text: string },
    status: 200 | 403 | 422 = 200,
  ) {
    const o = c.get("official");
    return c.html(
      <Layout
        title={qd.admin.title}
        official={o}
        csrfToken={c.get("csrfToken")}
        active="admin"
        agencyName={s.data.agencyById.get(o.agencyId)?.name}
      >
        <DocsAssets />
        <h1>{qd.admin.title}</h1>
        <AdminTabs official={o} current={section} />
        {flash ? <Flash kind={flash.kind} text={flash.text} /> : null}
        {body}
      </Layout>,
      status,
    );
  }

  const forbidden = (c: Ctx, section: Section) =>
    page(c, section, null, { kind: "error", text: q.errors.forbidden }, 403);

  app.get("/queue/admin", async (c) => {
    const o = c.get("official");
    const section = sectionOf(c.req.query("section"));
    if (!allowed(o, section)) return forbidden(c, section);
    const flash = c.req.query("saved") ? { kind: "ok" as const, text: qd.admin.saved } : undefined;
    return page(
      c,
      section,
      <>
        <p>
          <a class="button" href={`/queue/admin/${section}/edit`}>
            {qd.admin.add}
          </a>
        </p>
        {await listing(c, section)}
      </>,
      flash,
    );
  });

  app.get("/queue/admin/:section/edit", async (c) => {
    const o = c.get("official");
    const section = sectionOf(c.req.param("section"));
    if (!allowed(o, section)) return forbidden(c, section);
    return page(c, section, await editForm(c, section, c.req.query("id")));
  });

  app.post("/queue/admin/:section", async (c) => {
    const o = c.get("official");
    const section = sectionOf(c.req.param("section"));
    if (!allowed(o, section)) return forbidden(c, section);
    const f = await formOf(c);
    const on = (k: string) => f[k] === "1";
    try {
      if (section === "canned")
        await admin.saveCanned(o.id, {
          id: f.id ?? "",
          title: f.title ?? "",
          body: f.body ?? "",
          topics: lines(f.topics),
          active: on("active"),
        });
      else if (section === "rules") {
        const kinds = lines(f.kinds);
        const topics = lines(f.topics);
        await admin.saveRule(o.id, {
          id: Number(f.id),
          position: Number(f.position),
          name: f.name ?? "",
          ...(kinds.length ? { kinds } : {}),
          ...(topics.length ? { topics } : {}),
          scope: f.scope,
          agency: f.agency,
          active: on("active"),
        });
      } else if (section === "agencies")
        await admin.saveAgency(o.id, {
          id: f.id ?? "",
          name: f.name ?? "",
          shortName: f.shortName ?? "",
          level: f.level,
          kind: f.kind ?? "",
          ...(f.communeId ? { communeId: f.communeId } : {}),
          active: on("active"),
        });
      else if (section === "holidays")
        await admin.saveCalendarDay(o.id, {
          date: f.date ?? "",
          name: f.name ?? "",
          workingDay: on("workingDay"),
          ...(on("provisional") ? { provisional: true } : {}),
          active: on("active"),
        });
      else {
        const r = officialForm.safeParse({
          ...(f.id ? { id: f.id } : {}),
          username: f.username ?? "",
          displayName: f.displayName ?? "",
          agencyId: f.agencyId ?? "",
          role: f.role,
          canSeeIdentity: on("canSeeIdentity"),
          active: on("active"),
        });
        if (!r.success) throw new AdminError(r.error.issues[0]!.message);
        const v = r.data;
        if (!s.data.agencyById.has(v.agencyId)) throw new AdminError(q.errors.invalid);
        if (v.id === o.id && (v.role !== "admin" || !v.active)) throw new AdminError(qd.admin.selfDemote);
        const fields = {
          displayName: v.displayName,
          agencyId: v.agencyId,
          role: v.role,
          canSeeIdentity: v.canSeeIdentity,
          active: v.active,
        };
        if (v.id) {
          await s.db.$transaction(async (tx) => {
            const before = await tx.official.findUniqueOrThrow({ where: { id: v.id! } });
            await tx.official.update({ where: { id: v.id! }, data: fields });
            // A changed role, agency or right ends the official's sessions: they sign in again with it.
            if (
              before.role !== v.role ||
              before.agencyId !== v.agencyId ||
              before.canSeeIdentity !== v.canSeeIdentity ||
              !v.active
            )
              await tx.officialSession.deleteMany({ where: { officialId: v.id! } });
            await audit(tx, {
              actorId: o.id,
              action: "official_updated",
              targetType: "official",
              targetId: v.id!,
              data: {
                before: {
                  role: before.role,
                  agencyId: before.agencyId,
                  canSeeIdentity: before.canSeeIdentity,
                  active: before.active,
                },
                after: fields,
              },
            });
          });
        } else {
          if (await s.db.official.findUnique({ where: { username: v.username } }))
            throw new AdminError(qd.admin.usernameTaken);
          const password = oneTimePassword();
          const created = await s.db.$transaction(async (tx) => {
            const row = await tx.official.create({
              data: {
                username: v.username,
                ...fields,
                passwordHash: await hashPassword(password),
                mustChangePassword: true,
              },
            });
            await audit(tx, {
              actorId: o.id,
              action: "official_created",
              targetType: "official",
              targetId: row.id,
              data: { role: v.role, agencyId: v.agencyId },
            });
            return row;
          });
          return page(c, section, await listing(c, section), {
            kind: "ok",
            text: qd.admin.created(created.username, password),
          });
        }
      }
    } catch (e) {
      if (!(e instanceof AdminError)) throw e;
      return page(
        c,
        section,
        await editForm(c, section, undefined, f),
        { kind: "error", text: e.message },
        422,
      );
    }
    return c.redirect(`/queue/admin?section=${section}&saved=1`, 303);
  });
}
