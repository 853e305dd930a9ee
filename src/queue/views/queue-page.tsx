/** The list of cases (/queue): filters with their counts, the cases sorted by deadline, paging. */
import type { CaseKind } from "../../case/kind.ts";
import type { CaseStatus } from "../../case/lifecycle.ts";
import type { ReferenceData } from "../../data/index.ts";
import { qInbound, qList } from "../../i18n/queue.ts";
import { formatDate, kindLabel } from "../../i18n/vi.ts";
import type { SessionOfficial } from "../context.ts";
import { agencyScope } from "../context.ts";
import { deadlineBadge } from "../deadline-badge.ts";
import { DUE_FILTERS, PAGE_SIZE, type QueueFilters, STATE_FILTERS, type StateFilter } from "../list.ts";
import { Flash, Layout } from "./layout.tsx";

export const STATUS_SHORT: Record<CaseStatus, string> = {
  received: "Mới nhận",
  routed: "Mới",
  in_progress: "Đang xử lý",
  waiting_citizen: "Chờ dân bổ sung",
  answered: "Đã trả lời",
  closed: "Đã kết thúc",
  rejected: "Không thụ lý",
  transferred: "Đang chuyển",
};

export interface QueueRow {
  id: string;
  code: string;
  kind: CaseKind;
  status: CaseStatus;
  topicId: string;
  placeId: string | null;
  agencyId: string | null;
  assigneeId: string | null;
  description: string;
  identityProtected: boolean;
  anonymous: boolean;
  receivedAt: Date;
  dueAt: Date | null;
}

export interface QueuePageProps {
  official: SessionOfficial;
  csrfToken: string;
  agencyName?: string | undefined;
  data: ReferenceData;
  filters: QueueFilters;
  rows: QueueRow[];
  total: number;
  counts: {
    states: Map<StateFilter, number>;
    kind: Map<string, number>;
    topic: Map<string, number>;
    place: Map<string, number>;
    assignee: Map<string, number>;
    agency: Map<string, number>;
    due: { overdue: number; soon: number };
  };
  officials: { id: string; displayName: string }[];
  stamp: string;
  now: Date;
  pollMs: number;
  flash?: string | undefined;
  /** Administrators: messages the system could not process, waiting for review. */
  unprocessed?: number | undefined;
}

/** The query string of the filters with some values changed (undefined removes one). */
export function filterHref(
  f: QueueFilters,
  change: Partial<Record<keyof QueueFilters, string | number | undefined>>,
): string {
  const merged: Record<string, string | number | undefined> = {
    state: f.state === "open" ? undefined : f.state,
    kind: f.kind,
    topic: f.topic,
    place: f.place,
    assignee: f.assignee,
    due: f.due,
    agency: f.agency,
    q: f.q,
    ...change,
  };
  if (!("page" in change)) delete merged.page;
  if (merged.state === "open") delete merged.state;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged))
    if (v !== undefined && v !== "" && !(k === "page" && v === 1)) params.set(k, String(v));
  const s = params.toString();
  return s ? `/queue?${s}` : "/queue";
}

function excerpt(text: string): string {
  return text.length > 180 ? `${text.slice(0, 179)}…` : text;
}

function n(v: number | undefined): string {
  return (v ?? 0).toLocaleString("vi-VN");
}

export function QueueResults(p: QueuePageProps) {
  const { data, filters: f, now } = p;
  const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE));
  const officialName = new Map(p.officials.map((o) => [o.id, o.displayName]));
  return (
    <section id="results" data-stamp={p.stamp} data-poll={String(p.pollMs)} aria-live="polite">
      <nav class="chips" aria-label="Tình trạng">
        {STATE_FILTERS.map((s) => (
          <a class="chip" href={filterHref(f, { state: s })} aria-current={f.state === s ? "true" : "false"}>
            {qList.states[s]} <span class="count">{n(p.counts.states.get(s))}</span>
          </a>
        ))}
      </nav>
      <nav class="chips" aria-label="Hạn">
        {DUE_FILTERS.map((d) => (
          <a
            class={`chip ${d === "overdue" ? "red" : "amber"}`}
            href={filterHref(f, { due: f.due === d ? undefined : d })}
            aria-current={f.due === d ? "true" : "false"}
          >
            {qList.due[d]} <span class="count">{n(p.counts.due[d])}</span>
          </a>
        ))}
      </nav>
      <p class="meta">
        {qList.total(p.total)}
        {pages > 1 ? ` · ${qList.page(f.page, pages)}` : ""}
      </p>
      {p.rows.length === 0 ? (
        <p class="card">{qList.empty}</p>
      ) : (
        <table class="cases">
          <thead>
            <tr>
              <th scope="col">{qList.columns.code}</th>
              <th scope="col">{qList.columns.content}</th>
              <th scope="col">{qList.columns.state}</th>
              <th scope="col">{qList.columns.place}</th>
              <th scope="col">{qList.columns.assignee}</th>
              <th scope="col">{qList.columns.deadline}</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => {
              const badge = deadlineBadge(r, now, data);
              const place = r.placeId ? data.communeById.get(r.placeId)?.name : undefined;
              return (
                <tr data-id={r.id}>
                  <td data-label={qList.columns.code}>
                    <a class="code" href={`/queue/cases/${r.id}`}>
                      {r.code}
                    </a>
                    <div class="meta">
                      {qList.received} {formatDate(r.receivedAt)}
                    </div>
                  </td>
                  <td data-label={qList.columns.content}>
                    <span class="badge kind">{kindLabel(r.kind)}</span>{" "}
                    <span class="meta">{data.topicById.get(r.topicId)?.name ?? r.topicId}</span>
                    {r.identityProtected ? (
                      <>
                        {" "}
                        <span class="badge protected">{r.anonymous ? qList.anonymous : qList.protected}</span>
                      </>
                    ) : null}
                    <div class="excerpt">{excerpt(r.description)}</div>
                    {agencyScope(p.official) ? null : (
                      <div class="meta">
                        {(r.agencyId && data.agencyById.get(r.agencyId)?.shortName) || ""}
                      </div>
                    )}
                  </td>
                  <td data-label={qList.columns.state}>{STATUS_SHORT[r.status]}</td>
                  <td data-label={qList.columns.place}>{place ?? qList.placeNone}</td>
                  <td data-label={qList.columns.assignee}>
                    {(r.assigneeId && officialName.get(r.assigneeId)) || qList.unassigned}
                  </td>
                  <td data-label={qList.columns.deadline}>
                    <span class={`badge ${badge.tone}`}>{badge.text}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pages > 1 ? (
        <nav class="pager" aria-label="Trang">
          {f.page > 1 ? <a href={filterHref(f, { page: f.page - 1 })}>{qList.prev}</a> : <span />}
          <span class="meta">{qList.page(f.page, pages)}</span>
          {f.page < pages ? <a href={filterHref(f, { page: f.page + 1 })}>{qList.next}</a> : <span />}
        </nav>
      ) : null}
    </section>
  );
}

function Option(props: { value: string; label: string; count?: number | undefined; selected: boolean }) {
  return (
    <option value={props.value} selected={props.selected}>
      {props.count === undefined ? props.label : `${props.label} (${n(props.count)})`}
    </option>
  );
}

export function QueuePage(p: QueuePageProps) {
  const { data, filters: f } = p;
  const places = data.communes
    .filter((c) => p.counts.place.has(c.id) || f.place === c.id)
    .sort(
      (a, b) =>
        (p.counts.place.get(b.id) ?? 0) - (p.counts.place.get(a.id) ?? 0) ||
        a.name.localeCompare(b.name, "vi"),
    );
  return (
    <Layout
      title={qList.title}
      official={p.official}
      csrfToken={p.csrfToken}
      active="queue"
      agencyName={p.agencyName}
    >
      <h1>{qList.title}</h1>
      <Flash kind="ok" text={p.flash} />
      {p.unprocessed ? (
        <p class="flash error" role="status">
          <a href="/queue/admin/inbound">{qInbound.banner(p.unprocessed)}</a>
        </p>
      ) : null}
      <form method="get" action="/queue" class="card filters">
        {f.state !== "open" ? <input type="hidden" name="state" value={f.state} /> : null}
        {f.due ? <input type="hidden" name="due" value={f.due} /> : null}
        <label class="search">
          {qList.search}
          <input type="search" name="q" value={f.q ?? ""} maxlength={200} />
        </label>
        <label>
          {qList.kind}
          <select name="kind">
            <Option value="" label={qList.kindAll} selected={!f.kind} />
            {(["pakn", "khieu_nai", "to_cao"] as const).map((k) => (
              <Option
                value={k}
                label={kindLabel(k)}
                count={p.counts.kind.get(k) ?? 0}
                selected={f.kind === k}
              />
            ))}
          </select>
        </label>
        <label>
          {qList.topic}
          <select name="topic">
            <Option value="" label={qList.topicAll} selected={!f.topic} />
            {data.topics.map((t) => (
              <Option
                value={t.id}
                label={t.name}
                count={p.counts.topic.get(t.id) ?? 0}
                selected={f.topic === t.id}
              />
            ))}
          </select>
        </label>
        <label>
          {qList.place}
          <select name="place">
            <Option value="" label={qList.placeAll} selected={!f.place} />
            <Option
              value="none"
              label={qList.placeNone}
              count={p.counts.place.get("none") ?? 0}
              selected={f.place === "none"}
            />
            {places.map((c) => (
              <Option
                value={c.id}
                label={c.name}
                count={p.counts.place.get(c.id) ?? 0}
                selected={f.place === c.id}
              />
            ))}
          </select>
        </label>
        <label>
          {qList.assignee}
          <select name="assignee">
            <Option value="" label={qList.assigneeAll} selected={!f.assignee} />
            <Option
              value="me"
              label={qList.assigneeMe}
              count={p.counts.assignee.get(p.official.id) ?? 0}
              selected={f.assignee === "me"}
            />
            <Option
              value="none"
              label={qList.assigneeNone}
              count={p.counts.assignee.get("none") ?? 0}
              selected={f.assignee === "none"}
            />
            {p.officials
              .filter((o) => o.id !== p.official.id)
              .map((o) => (
                <Option
                  value={o.id}
                  label={o.displayName}
                  count={p.counts.assignee.get(o.id) ?? 0}
                  selected={f.assignee === o.id}
                />
              ))}
          </select>
        </label>
        {agencyScope(p.official) ? null : (
          <label>
            {qList.agency}
            <select name="agency">
              <Option value="" label={qList.agencyAll} selected={!f.agency} />
              {data.agencies
                .filter((a) => p.counts.agency.has(a.id) || f.agency === a.id)
                .map((a) => (
                  <Option
                    value={a.id}
                    label={a.shortName}
                    count={p.counts.agency.get(a.id) ?? 0}
                    selected={f.agency === a.id}
                  />
                ))}
            </select>
          </label>
        )}
        <div class="actions">
          <button type="submit" class="primary">
            {qList.apply}
          </button>
          <a href="/queue">{qList.reset}</a>
        </div>
      </form>
      <QueueResults {...p} />
    </Layout>
  );
}
