/** The case page: facts, the conversation, similar cases, the timeline and the actions. */
import { canExtend } from "../../case/deadline.ts";
import type { CaseKind } from "../../case/kind.ts";
import type { CaseStatus } from "../../case/lifecycle.ts";
import type { ReferenceData } from "../../data/index.ts";
import { qCase } from "../../i18n/queue.ts";
import { qd } from "../../i18n/queue-docs.ts";
import { kindLabel, statusLabel } from "../../i18n/vi.ts";
import { canWriteCases, isSupervisor, type SessionOfficial } from "../context.ts";
import { deadlineBadge } from "../deadline-badge.ts";
import type { SenderIdentity } from "../identity.ts";
import { Flash, Layout } from "./layout.tsx";

export interface CaseView {
  id: string;
  code: string;
  kind: CaseKind;
  status: CaseStatus;
  version: number;
  topicId: string;
  topicSource: string;
  topicConfidence: number | null;
  placeId: string | null;
  address: string | null;
  agencyId: string | null;
  routingExplanation: string | null;
  description: string;
  subject: string | null;
  anonymous: boolean;
  identityProtected: boolean;
  attachments: unknown;
  channel: string;
  receivedAt: Date;
  acceptanceDueAt: Date | null;
  acceptedAt: Date | null;
  dueAt: Date | null;
  extensions: number;
  assigneeId: string | null;
  publicAnswer: string | null;
  rating: number | null;
  ratingComment: string | null;
}

export interface MessageView {
  id: string;
  direction: string;
  text: string;
  attachments: unknown;
  createdAt: Date;
  redacted: boolean;
  delivery?: string | undefined;
}

export interface EventView {
  id: string;
  type: string;
  actorType: string;
  actorName?: string | undefined;
  text: string;
  createdAt: Date;
}

export interface SimilarView {
  id: string;
  code: string;
  similarity: number;
  status: CaseStatus;
  description: string;
}

export interface CasePageProps {
  official: SessionOfficial;
  csrfToken: string;
  agencyName?: string | undefined;
  data: ReferenceData;
  c: CaseView;
  messages: MessageView[];
  events: EventView[];
  similar: SimilarView[];
  /** Officials of the case's agency (assignment). */
  colleagues: { id: string; displayName: string }[];
  assigneeName?: string | undefined;
  identityAllowed: boolean;
  /** Telegram photo references are shown through the queue's photo route. */
  photoPreview?: boolean | undefined;
  identity?: SenderIdentity | null | undefined;
  now: Date;
  flash?: string | undefined;
  error?: string | undefined;
}

const dateTime = (d: Date) =>
  new Date(d.getTime() + 7 * 3600_000)
    .toISOString()
    .slice(0, 16)
    .replace("T", " ")
    .split(" ")
    .map((p, i) => (i === 0 ? p.split("-").reverse().join("/") : p))
    .join(" ");

/**
 * Photos: https URLs (Zalo, web) as links; file references (Telegram) as thumbnails served by the
 * queue's own photo route (`href(n)`, n from 1) when it can fetch them, a labelled placeholder otherwise.
 */
function Photos(props: { items: unknown; href?: ((n: number) => string) | undefined }) {
  const items = Array.isArray(props.items) ? (props.items as { ref?: string; url?: string }[]) : [];
  if (!items.length) return null;
  return (
    <div class="photos">
      {items.map((p, i) =>
        p.url && /^https:\/\//.test(p.url) ? (
          <a href={p.url} target="_blank" rel="noopener noreferrer">
            {qCase.photo} {i + 1}
          </a>
        ) : props.href && p.ref ? (
          <a
            class="thumb"
            href={props.href(i + 1)}
            target="_blank"
            rel="noopener"
            title={qCase.photoOpen(i + 1)}
          >
            <img src={props.href(i + 1)} alt={`${qCase.photo} ${i + 1}`} loading="lazy" decoding="async" />
          </a>
        ) : (
          <span class="badge done">
            {qCase.photoNoPreview} {i + 1}
          </span>
        ),
      )}
    </div>
  );
}

function ActionForm(props: {
  id: string;
  action: string;
  title: string;
  csrf: string;
  version: number;
  confirm?: string;
  open?: boolean;
  children?: unknown;
  danger?: boolean;
}) {
  return (
    <details class="action" open={props.open}>
      <summary>{props.title}</summary>
      <form
        method="post"
        action={`/queue/cases/${props.id}/${props.action}`}
        class="stack"
        data-confirm={props.confirm}
      >
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="version" value={String(props.version)} />
        {props.children as never}
        <button type="submit" class={props.danger ? "danger" : "primary"}>
          {qCase.a.submit}
        </button>
      </form>
    </details>
  );
}

function Actions(p: CasePageProps) {
  const { c, official: o, csrfToken: csrf, data } = p;
  if (!canWriteCases(o)) return <p class="meta">{qCase.readOnly}</p>;
  if (c.status === "closed" || c.status === "rejected") return <p class="meta">{qCase.closedNote}</p>;
  const common = { id: c.id, csrf, version: c.version };
  const max = data.deadlines[c.kind].settlement.maxExtensions ?? 0;
  return (
    <div>
      {c.assigneeId !== o.id ? (
        <form method="post" action={`/queue/cases/${c.id}/claim`} class="stack" style="margin-bottom:.6rem">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="version" value={String(c.version)} />
          <button type="submit" class="primary">
            {qCase.a.claim}
          </button>
        </form>
      ) : null}
      {isSupervisor(o) ? (
        <ActionForm {...common} action="assign" title={qCase.a.assign}>
          <label>
            {qCase.a.assignTo}
            <select name="assignee">
              <option value="">{qCase.a.unassign}</option>
              {p.colleagues.map((x) => (
                <option value={x.id} selected={x.id === c.assigneeId}>
                  {x.displayName}
                </option>
              ))}
            </select>
          </label>
        </ActionForm>
      ) : null}
      <ActionForm {...common} action="reply" title={qCase.a.reply} open>
        <label>
          {qCase.a.replyHint}
          <textarea name="text" required maxlength={4000}></textarea>
        </label>
      </ActionForm>
      <ActionForm {...common} action="request-info" title={qCase.a.requestInfo}>
        <label>
          {qCase.a.question}
          <textarea name="text" required maxlength={2000}></textarea>
        </label>
      </ActionForm>
      <ActionForm {...common} action="note" title={qCase.a.note}>
        <label>
          {qCase.a.noteHint}
          <textarea name="text" required maxlength={4000}></textarea>
        </label>
      </ActionForm>
      <ActionForm {...common} action="answer" title={qCase.a.answer}>
        <label>
          {qCase.a.answerHint}
          <textarea name="text" required maxlength={4000}></textarea>
        </label>
      </ActionForm>
      <ActionForm {...common} action="topic" title={qCase.a.topic}>
        <select name="topic" aria-label={qCase.a.topic}>
          {data.topics.map((t) => (
            <option value={t.id} selected={t.id === c.topicId}>
              {t.name}
            </option>
          ))}
        </select>
      </ActionForm>
      <ActionForm {...common} action="kind" title={qCase.a.kind}>
        <select name="kind" aria-label={qCase.a.kind}>
          {(["pakn", "khieu_nai", "to_cao"] as const).map((k) => (
            <option value={k} selected={k === c.kind}>
              {kindLabel(k)}
            </option>
          ))}
        </select>
      </ActionForm>
      <ActionForm {...common} action="transfer" title={qCase.a.transfer} confirm={qCase.a.confirmTransfer}>
        <label>
          {qCase.a.transferTo}
          <select name="agency" required>
            <option value="">—</option>
            {data.agencies
              .filter((a) => a.id !== c.agencyId)
              .map((a) => (
                <option value={a.id}>{a.name}</option>
              ))}
          </select>
        </label>
        <label>
          {qCase.a.reason}
          <input name="reason" required maxlength={500} />
        </label>
      </ActionForm>
      <ActionForm {...common} action="refuse" title={qCase.a.refuse} confirm={qCase.a.confirmRefuse} danger>
        <label>
          {qCase.a.rightBody}
          <input name="body" required maxlength={300} list="agency-names" />
        </label>
        <datalist id="agency-names">
          {data.agencies.map((a) => (
            <option value={a.name} />
          ))}
        </datalist>
        <label>
          {qCase.a.refuseReason}
          <input name="reason" required maxlength={500} />
        </label>
      </ActionForm>
      {canExtend(c.kind, c.extensions, data.deadlines) ? (
        <ActionForm {...common} action="extend" title={qCase.a.extend}>
          <p class="meta">{qCase.a.extendHint(c.extensions, max)}</p>
          <label>
            {qCase.a.extendReason}
            <input name="reason" required maxlength={500} />
          </label>
        </ActionForm>
      ) : null}
      <ActionForm {...common} action="close" title={qCase.a.close} confirm={qCase.a.confirmClose}>
        <label>
          {qCase.a.outcome}
          <select name="outcome" required>
            {Object.entries(qCase.a.outcomes).map(([id, label]) => (
              <option value={id}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          {qCase.a.closeNote}
          <input name="note" maxlength={1000} />
        </label>
      </ActionForm>
    </div>
  );
}

function Sender(p: CasePageProps) {
  const { c, identity } = p;
  if (c.anonymous) return <p class="meta">{qCase.senderAnonymous}</p>;
  if (!p.identityAllowed)
    return <p class="meta">{c.identityProtected ? qCase.senderProtected : qCase.senderHidden}</p>;
  if (identity)
    return (
      <div>
        <dl class="facts">
          {identity.name ? (
            <>
              <dt>{qCase.identity.name}</dt>
              <dd>{identity.name}</dd>
            </>
          ) : null}
          {identity.contact ? (
            <>
              <dt>{qCase.identity.contact}</dt>
              <dd>{identity.contact}</dd>
            </>
          ) : null}
          {identity.channelName ? (
            <>
              <dt>{qCase.identity.channelName}</dt>
              <dd>{identity.channelName}</dd>
            </>
          ) : null}
        </dl>
        <p class="meta">{qCase.identityLogged}</p>
      </div>
    );
  return (
    <form method="post" action={`/queue/cases/${c.id}/identity`}>
      <input type="hidden" name="_csrf" value={p.csrfToken} />
      {c.identityProtected ? <p class="meta">{qCase.senderProtected}</p> : null}
      <button type="submit">{qCase.showIdentity}</button>
    </form>
  );
}

export function CasePage(p: CasePageProps) {
  const { c, data, now } = p;
  const badge = deadlineBadge(c, now, data);
  const place = c.placeId ? data.communeById.get(c.placeId)?.name : undefined;
  const topic = data.topicById.get(c.topicId)?.name ?? c.topicId;
  return (
    <Layout
      title={`Hồ sơ ${c.code}`}
      official={p.official}
      csrfToken={p.csrfToken}
      active="queue"
      agencyName={p.agencyName}
    >
      <p>
        <a href="/queue">{qCase.back}</a>
      </p>
      <h1>
        Hồ sơ <span class="code">{c.code}</span> <span class="badge kind">{kindLabel(c.kind)}</span>{" "}
        <span class={`badge ${badge.tone}`}>{badge.text}</span>
      </h1>
      <Flash kind="ok" text={p.flash} />
      <Flash kind="error" text={p.error} />
      <div class="grid">
        <div>
          <section class="card">
            <h2>{qCase.description}</h2>
            {c.subject ? (
              <p>
                <strong>{qCase.facts.subject}:</strong> {c.subject}
              </p>
            ) : null}
            <p class="msg in" style="max-width:none">
              {c.description}
            </p>
            <Photos
              items={c.attachments}
              href={p.photoPreview ? (n) => `/queue/cases/${c.id}/photos/${n}` : undefined}
            />
          </section>
          <section class="card">
            <h2>{qCase.conversation}</h2>
            {p.messages.length === 0 ? (
              <p class="meta">{qCase.noMessages}</p>
            ) : (
              <div class="thread">
                {p.messages.map((m) => (
                  <div class={`msg ${m.direction === "in" ? "in" : "out"}${m.redacted ? " redacted" : ""}`}>
                    {m.text}
                    <Photos
                      items={m.redacted ? [] : m.attachments}
                      href={
                        p.photoPreview && m.direction === "in"
                          ? (n) => `/queue/cases/${c.id}/messages/${m.id}/photos/${n}`
                          : undefined
                      }
                    />
                    <span class="when">
                      {m.direction === "in" ? qCase.citizen : qCase.bot} · {dateTime(m.createdAt)}
                      {m.delivery ? (
                        <span class={`delivery ${m.delivery}`}>
                          {" "}
                          · {qCase.delivery[m.delivery] ?? m.delivery}
                        </span>
                      ) : null}
                    </span>
                  </div>
                ))}
              </div>
            )}
          </section>
          <section class="card">
            <h2>{qCase.timeline}</h2>
            <ol class="timeline">
              {p.events.map((e) => (
                <li>
                  <span class="meta">{dateTime(e.createdAt)}</span> —{" "}
                  <strong>{qCase.events[e.type] ?? e.type}</strong>
                  {e.text ? `: ${e.text}` : ""}
                  <span class="meta"> · {e.actorName ?? qCase.actor[e.actorType] ?? e.actorType}</span>
                </li>
              ))}
            </ol>
          </section>
        </div>
        <div>
          <section class="card">
            <dl class="facts">
              <dt>{qCase.facts.state}</dt>
              <dd>{statusLabel(c.status)}</dd>
              <dt>{qCase.facts.topic}</dt>
              <dd>
                {topic}{" "}
                <span class="meta">
                  ({qCase.facts.topicSource[c.topicSource] ?? c.topicSource}
                  {c.topicConfidence !== null
                    ? `, ${qCase.facts.confidence.toLowerCase()} ${Math.round(c.topicConfidence * 100)}%`
                    : ""}
                  )
                </span>
              </dd>
              <dt>{qCase.facts.place}</dt>
              <dd>{place ?? "—"}</dd>
              <dt>{qCase.facts.agency}</dt>
              <dd>{(c.agencyId && data.agencyById.get(c.agencyId)?.name) || "—"}</dd>
              {c.routingExplanation ? (
                <>
                  <dt>{qCase.facts.routing}</dt>
                  <dd class="meta">{c.routingExplanation}</dd>
                </>
              ) : null}
              <dt>{qCase.facts.assignee}</dt>
              <dd>{p.assigneeName ?? "—"}</dd>
              <dt>{qCase.facts.channel}</dt>
              <dd>{qCase.channels[c.channel] ?? c.channel}</dd>
              <dt>{qCase.facts.received}</dt>
              <dd>{dateTime(c.receivedAt)}</dd>
              {c.kind !== "pakn" && !c.acceptedAt && c.acceptanceDueAt ? (
                <>
                  <dt>{qCase.facts.acceptanceDue}</dt>
                  <dd>{dateTime(c.acceptanceDueAt)}</dd>
                </>
              ) : null}
              <dt>{qCase.facts.due}</dt>
              <dd>{c.dueAt ? dateTime(c.dueAt) : "—"}</dd>
              {c.extensions ? (
                <>
                  <dt>{qCase.facts.extensions}</dt>
                  <dd>{c.extensions}</dd>
                </>
              ) : null}
              {c.rating ? (
                <>
                  <dt>{qCase.facts.rating}</dt>
                  <dd>
                    {c.rating}/5{c.ratingComment ? ` — ${c.ratingComment}` : ""}
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
          <section class="card">
            <h2>{qCase.sender}</h2>
            <Sender {...p} />
          </section>
          <section class="card">
            <h2>{qCase.actions}</h2>
            <p>
              <a class="button" href={`/queue/cases/${p.c.id}/documents`}>
                {qd.documents.link}
              </a>
            </p>
            <Actions {...p} />
          </section>
          <section class="card similar">
            <h2>{qCase.similar}</h2>
            {p.similar.length === 0 ? (
              <p class="meta">{qCase.similarNone}</p>
            ) : (
              <ul>
                {p.similar.map((s) => (
                  <li>
                    <a class="code" href={`/queue/cases/${s.id}`}>
                      {s.code}
                    </a>{" "}
                    <span class="meta">
                      {qCase.similarity(s.similarity)} · {statusLabel(s.status)}
                    </span>
                    <div class="excerpt">{s.description}</div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </Layout>
  );
}
