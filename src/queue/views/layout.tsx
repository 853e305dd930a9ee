/** The page frame of the officials' queue: header with navigation, main content, one stylesheet and one script. */
import type { Child } from "hono/jsx";
import { q, ROLE_LABELS } from "../../i18n/queue.ts";
import type { SessionOfficial } from "../context.ts";
import { isSupervisor } from "../context.ts";

export interface LayoutProps {
  title: string;
  /** Absent on the sign-in page. */
  official?: SessionOfficial | undefined;
  csrfToken?: string | undefined;
  /** Which navigation entry is current: "queue" | "registers" | "admin" | "password". */
  active?: string;
  /** Agency name shown under the official's name. */
  agencyName?: string | undefined;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const o = props.official;
  const nav = o
    ? [
        { id: "queue", href: "/queue", label: q.nav.queue },
        { id: "registers", href: "/queue/registers", label: q.nav.registers },
        ...(isSupervisor(o) ? [{ id: "admin", href: "/queue/admin", label: q.nav.admin }] : []),
        { id: "password", href: "/queue/password", label: q.nav.password },
      ]
    : [];
  return (
    <html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        {props.csrfToken ? <meta name="csrf-token" content={props.csrfToken} /> : null}
        <title>{`${props.title} — ${q.appName}`}</title>
        <link rel="stylesheet" href="/queue/static/queue.css" />
        <script src="/queue/static/queue.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          {q.nav.skip}
        </a>
        <header class="top">
          <a class="brand" href="/queue">
            Hộp thư dân
          </a>
          {o ? (
            <nav aria-label="Điều hướng chính">
              {nav.map((n) => (
                <a href={n.href} aria-current={props.active === n.id ? "page" : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          ) : null}
          {o ? (
            <div class="who">
              <span class="who-name">{o.displayName}</span>
              <span class="who-role">
                {ROLE_LABELS[o.role]}
                {props.agencyName ? ` · ${props.agencyName}` : ""}
              </span>
              <form method="post" action="/queue/logout" class="inline">
                <input type="hidden" name="_csrf" value={props.csrfToken ?? ""} />
                <button type="submit" class="link">
                  {q.nav.logout}
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** A notice at the top of a page (result of an action, or an error). */
export function Flash(props: { kind: "ok" | "error"; text?: string | undefined }) {
  if (!props.text) return null;
  return (
    <p class={`flash ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.text}
    </p>
  );
}
