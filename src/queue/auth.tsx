/**
 * Signing in and out, password change, and the middleware every queue page passes: a valid
 * session (else the sign-in page), a forced password change after a one-time password, and a
 * synchronizer CSRF token on every state-changing request (plus a same-origin check).
 */
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { q } from "../i18n/queue.ts";
import type { Db } from "../store/db.ts";
import { audit } from "./audit.ts";
import type { QueueApp, QueueEnv, SessionOfficial } from "./context.ts";
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from "./password.ts";
import { ABSOLUTE_MS, randomToken, type SessionStore } from "./sessions.ts";
import { Flash, Layout } from "./views/layout.tsx";

export const SESSION_COOKIE = "hopthu_session";
const LOGIN_CSRF_COOKIE = "hopthu_login";
/** Failed sign-ins in a row before the account is locked for a while. */
export const MAX_FAILED_LOGINS = 5;

export interface AuthOptions {
  db: Db;
  sessions: SessionStore;
  now: () => Date;
  /** Force Secure cookies (set when the public URL is https); https requests get them anyway. */
  secureCookies?: boolean;
}

function isHttps(c: Context, o: AuthOptions): boolean {
  return Boolean(o.secureCookies) || new URL(c.req.url).protocol === "https:";
}

function cookieName(c: Context, o: AuthOptions, name: string): string {
  return isHttps(c, o) ? `__Host-${name}` : name;
}

function setSessionCookie(c: Context, o: AuthOptions, token: string) {
  const secure = isHttps(c, o);
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure,
    maxAge: Math.floor(ABSOLUTE_MS / 1000),
    ...(secure ? { prefix: "host" as const } : {}),
  });
}

function readSessionCookie(c: Context, o: AuthOptions): string | undefined {
  return getCookie(c, cookieName(c, o, SESSION_COOKIE));
}

/** The official signed in on this request, if any (for pages outside /queue, e.g. /digest). */
export async function sessionOfficial(c: Context, o: AuthOptions): Promise<SessionOfficial | null> {
  return (await o.sessions.get(readSessionCookie(c, o)))?.official ?? null;
}

function clearSessionCookie(c: Context, o: AuthOptions) {
  const secure = isHttps(c, o);
  deleteCookie(c, cookieName(c, o, SESSION_COOKIE), { path: "/", secure });
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Only local paths under /queue are followed after sign-in (no open redirect). */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith("/queue") || next.startsWith("//") || /[\\\r\n]/.test(next)) return "/queue";
  if (next.startsWith("/queue/login") || next.startsWith("/queue/logout")) return "/queue";
  return next;
}

/** An in-process sliding window of attempts per key (a username, or everything). */
export class AttemptWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  /** Records an attempt; false when over the limit. */
  hit(key: string, now: number): boolean {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    list.push(now);
    this.hits.set(key, list);
    if (this.hits.size > 10_000) this.hits.delete(this.hits.keys().next().value!);
    return list.length <= this.limit;
  }
}

async function formValue(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data"))
    return undefined;
  const body = await c.req.parseBody();
  const v = body[name];
  return typeof v === "string" ? v : undefined;
}

/** A browser's Origin, when sent, must be this server (behind a TLS proxy the scheme may differ). */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (!origin) return true;
  if (origin === "null") return false;
  try {
    return new URL(origin).host === (c.req.header("host") ?? new URL(c.req.url).host);
  } catch {
    return false;
  }
}

function LoginPage(props: {
  error?: string | undefined;
  info?: string | undefined;
  token: string;
  next: string;
  username?: string;
}) {
  return (
    <Layout title={q.login.title}>
      <section class="card narrow">
        <h1>{q.login.title}</h1>
        <Flash kind="error" text={props.error} />
        <Flash kind="ok" text={props.info} />
        <form method="post" action="/queue/login" class="stack">
          <input type="hidden" name="_csrf" value={props.token} />
          <input type="hidden" name="next" value={props.next} />
          <label>
            {q.login.username}
            <input
              name="username"
              autocomplete="username"
              required
              maxlength={100}
              value={props.username ?? ""}
              autofocus
            />
          </label>
          <label>
            {q.login.password}
            <input name="password" type="password" autocomplete="current-password" required maxlength={200} />
          </label>
          <button type="submit" class="primary">
            {q.login.submit}
          </button>
        </form>
      </section>
    </Layout>
  );
}

function PasswordPage(props: {
  error?: string | undefined;
  info?: string | undefined;
  mustChange: boolean;
  c: Context<QueueEnv>;
}) {
  const { c } = props;
  return (
    <Layout
      title={q.password.title}
      official={c.get("official")}
      csrfToken={c.get("csrfToken")}
      active="password"
    >
      <section class="card narrow">
        <h1>{q.password.title}</h1>
        {props.mustChange ? <p class="flash info">{q.password.mustChange}</p> : null}
        <Flash kind="error" text={props.error} />
        <Flash kind="ok" text={props.info} />
        <form method="post" action="/queue/password" class="stack">
          <input type="hidden" name="_csrf" value={c.get("csrfToken")} />
          <label>
            {q.password.current}
            <input name="current" type="password" autocomplete="current-password" required maxlength={200} />
          </label>
          <label>
            {q.password.next}
            <input
              name="next"
              type="password"
              autocomplete="new-password"
              required
              minlength={10}
              maxlength={200}
            />
          </label>
          <label>
            {q.password.confirm}
            <input
              name="confirm"
              type="password"
              autocomplete="new-password"
              required
              minlength={10}
              maxlength={200}
            />
          </label>
          <button type="submit" class="primary">
            {q.password.submit}
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** The public routes: sign-in (GET shows the form, POST checks it). */
export function publicAuthRoutes(app: QueueApp, o: AuthOptions) {
  const perUser = new AttemptWindow(10, 15 * 60_000);
  const overall = new AttemptWindow(300, 60_000);

  const loginForm = (
    c: Context,
    status: 200 | 401 | 403 | 429,
    props: { error?: string; info?: string; next?: string; username?: string },
  ) => {
    const token = randomToken();
    setCookie(c, LOGIN_CSRF_COOKIE, token, {
      path: "/queue/login",
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c, o),
      maxAge: 3600,
    });
    return c.html(
      <LoginPage
        token={token}
        next={safeNext(props.next)}
        error={props.error}
        info={props.info}
        {...(props.username ? { username: props.username } : {})}
      />,
      status,
    );
  };

  app.get("/queue/login", async (c) => {
    const s = await o.sessions.get(readSessionCookie(c, o));
    if (s) return c.redirect(safeNext(c.req.query("next")), 303);
    return loginForm(c, 200, {
      ...(c.req.query("next") ? { next: c.req.query("next")! } : {}),
      ...(c.req.query("out") ? { info: q.login.loggedOut } : {}),
    });
  });

  app.post("/queue/login", async (c) => {
    const body = await c.req.parseBody();
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
    const next = str("next");
    const expected = getCookie(c, LOGIN_CSRF_COOKIE);
    if (!sameOrigin(c) || !expected || !safeEqual(str("_csrf"), expected))
      return loginForm(c, 403, { error: q.login.expired, next });
    const username = str("username").trim().toLowerCase().slice(0, 100);
    const password = str("password").slice(0, 200);
    const now = o.now();
    if (!overall.hit("*", now.getTime()) || !perUser.hit(username, now.getTime()))
      return loginForm(c, 429, { error: q.login.tooMany, next, username });
    const official = username ? await o.db.official.findUnique({ where: { username } }) : null;
    if (official?.lockedUntil && official.lockedUntil > now) {
      await audit(o.db, {
        actorId: official.id,
        action: "login_locked",
        targetType: "official",
        targetId: official.id,
      });
      const minutes = Math.ceil((official.lockedUntil.getTime() - now.getTime()) / 60_000);
      return loginForm(c, 429, { error: q.login.locked(minutes), next, username });
    }
    const ok = await verifyPassword(password, official?.passwordHash ?? DUMMY_HASH);
    if (!official?.active || !ok) {
      if (official) {
        const failed = official.failedLogins + 1;
        const lock =
          failed >= MAX_FAILED_LOGINS
            ? new Date(now.getTime() + Math.min(60, 2 ** (failed - MAX_FAILED_LOGINS)) * 60_000)
            : null;
        await o.db.official.update({
          where: { id: official.id },
          data: { failedLogins: failed, ...(lock ? { lockedUntil: lock } : {}) },
        });
      }
      await audit(o.db, {
        actorId: official?.id ?? null,
        action: "login_failed",
        targetType: "official",
        targetId: official?.id ?? null,
        data: official ? {} : { username },
      });
      return loginForm(c, 401, { error: q.login.failed, next, username });
    }
    await o.db.official.update({
      where: { id: official.id },
      data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now },
    });
    const { token } = await o.sessions.create(official.id, c.req.header("user-agent"));
    await audit(o.db, {
      actorId: official.id,
      action: "login",
      targetType: "official",
      targetId: official.id,
    });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: "/queue/login" });
    setSessionCookie(c, o, token);
    return c.redirect(official.mustChangePassword ? "/queue/password" : safeNext(next), 303);
  });
}

/**
 * The middleware of every other /queue path: the session, the forced password change, the CSRF
 * token on every state-changing request.
 */
export function requireSession(o: AuthOptions): MiddlewareHandler<QueueEnv> {
  return async (c, next) => {
    const s = await o.sessions.get(readSessionCookie(c, o));
    const api = c.req.path.startsWith("/queue/api/");
    if (!s) {
      if (api || (c.req.method !== "GET" && c.req.method !== "HEAD"))
        return c.json({ error: q.login.expired }, 401);
      const nextPath = c.req.path + (new URL(c.req.url).search || "");
      return c.redirect(`/queue/login?next=${encodeURIComponent(nextPath)}`, 303);
    }
    c.set("official", s.official);
    c.set("csrfToken", s.csrfToken);
    c.set("sessionId", s.sessionId);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const sent = c.req.header("x-csrf-token") ?? (await formValue(c, "_csrf"));
      if (!sameOrigin(c) || !sent || !safeEqual(sent, s.csrfToken)) {
        await audit(o.db, {
          actorId: s.official.id,
          action: "csrf_rejected",
          targetType: "request",
          targetId: c.req.path,
        });
        if (api) return c.json({ error: q.errors.csrf }, 403);
        return c.html(
          <Layout title={q.errors.csrf} official={s.official} csrfToken={s.csrfToken}>
            <Flash kind="error" text={q.errors.csrf} />
            <p>
              <a href="/queue">← {q.nav.queue}</a>
            </p>
          </Layout>,
          403,
        );
      }
    }
    if (s.mustChangePassword && !["/queue/password", "/queue/logout"].includes(c.req.path)) {
      if (api) return c.json({ error: q.password.mustChange }, 403);
      return c.redirect("/queue/password", 303);
    }
    await next();
  };
}

/** Sign-out and password change (behind the session middleware). */
export function sessionRoutes(app: QueueApp, o: AuthOptions) {
  app.post("/queue/logout", async (c) => {
    await o.sessions.destroy(c.get("sessionId"));
    await audit(o.db, {
      actorId: c.get("official").id,
      action: "logout",
      targetType: "official",
      targetId: c.get("official").id,
    });
    clearSessionCookie(c, o);
    return c.redirect("/queue/login?out=1", 303);
  });

  app.get("/queue/password", async (c) => {
    const me = await o.db.official.findUniqueOrThrow({ where: { id: c.get("official").id } });
    return c.html(<PasswordPage c={c} mustChange={me.mustChangePassword} />);
  });

  app.post("/queue/password", async (c) => {
    const body = await c.req.parseBody();
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
    const me = await o.db.official.findUniqueOrThrow({ where: { id: c.get("official").id } });
    const fail = (error: string) =>
      c.html(<PasswordPage c={c} mustChange={me.mustChangePassword} error={error} />, 400);
    if (!(await verifyPassword(str("current").slice(0, 200), me.passwordHash))) {
      await audit(o.db, {
        actorId: me.id,
        action: "password_change_failed",
        targetType: "official",
        targetId: me.id,
      });
      return fail(q.password.wrongCurrent);
    }
    const next = str("next");
    if (next !== str("confirm")) return fail(q.password.mismatch);
    const problem = passwordProblem(next, me.username);
    if (problem) return fail(q.password[problem]);
    if (next === str("current")) return fail(q.password.same);
    const now = o.now();
    await o.db.official.update({
      where: { id: me.id },
      data: { passwordHash: await hashPassword(next), mustChangePassword: false, passwordChangedAt: now },
    });
    // Every session, this one included, ends; this browser gets a new one.
    await o.sessions.destroyOthers(me.id);
    const { token } = await o.sessions.create(me.id, c.req.header("user-agent"));
    setSessionCookie(c, o, token);
    await audit(o.db, {
      actorId: me.id,
      action: "password_changed",
      targetType: "official",
      targetId: me.id,
    });
    return c.redirect("/queue?changed=1", 303);
  });
}
