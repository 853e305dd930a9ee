/**
 * Officials for tests of the web queue: accounts with a known password, and a signed-in HTTP client
 * (cookie jar + CSRF token) that goes through the real sign-in form — in process (app.request) or
 * against a server on loopback.
 */
import type { OfficialRole } from "../../src/queue/context.ts";
import { hashPassword } from "../../src/queue/password.ts";
import type { Db } from "../../src/store/db.ts";

export const TEST_PASSWORD = "mat-khau-thu-nghiem-2026";

export interface TestOfficial {
  id: string;
  username: string;
  displayName: string;
  agencyId: string;
  role: OfficialRole;
  canSeeIdentity: boolean;
  password: string;
}

let counter = 0;

/** Creates an active official (password TEST_PASSWORD unless given; no forced change). */
export async function createOfficial(
  db: Db,
  o: {
    role: OfficialRole;
    agencyId: string;
    username?: string;
    displayName?: string;
    canSeeIdentity?: boolean;
    password?: string;
  },
): Promise<TestOfficial> {
  const username = o.username ?? `${o.role}-${o.agencyId}-${process.pid}-${++counter}`.toLowerCase();
  const password = o.password ?? TEST_PASSWORD;
  const row = await db.official.create({
    data: {
      username,
      displayName: o.displayName ?? `Cán bộ ${o.role} ${counter}`,
      agencyId: o.agencyId,
      role: o.role,
      canSeeIdentity: o.canSeeIdentity ?? false,
      passwordHash: await hashPassword(password),
    },
  });
  return {
    id: row.id,
    username,
    displayName: row.displayName,
    agencyId: o.agencyId,
    role: o.role,
    canSeeIdentity: row.canSeeIdentity,
    password,
  };
}

export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** A fetcher for a Hono app in process, or for a base URL on loopback. */
export function fetcherFor(
  target: { request(path: string, init?: RequestInit): Response | Promise<Response> } | string,
): Fetcher {
  if (typeof target === "string")
    return (path, init) => fetch(new URL(path, target), { redirect: "manual", ...init });
  return async (path, init) => target.request(path, init);
}

/** A browser-like client: keeps cookies, knows the session's CSRF token. */
export class QueueClient {
  readonly cookies = new Map<string, string>();
  csrf = "";
  constructor(readonly fetcher: Fetcher) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.fetcher(path, { headers: { cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    return res;
  }

  /** Posts a form; the session's CSRF token is added unless `_csrf` is given (null: leave it out). */
  async post(
    path: string,
    form: Record<string, string | null>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    if (!("_csrf" in form)) body.set("_csrf", this.csrf);
    for (const [k, v] of Object.entries(form)) if (v !== null) body.set(k, v);
    const res = await this.fetcher(path, {
      method: "POST",
      headers: {
        cookie: this.cookieHeader(),
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: body.toString(),
    });
    this.remember(res);
    return res;
  }

  /** Signs in through the form; reads the session's CSRF token from the next page. */
  async login(username: string, password: string): Promise<Response> {
    const form = await this.get("/queue/login");
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
    const res = await this.post("/queue/login", { _csrf: token, username, password, next: "/queue" });
    if (res.status === 303 && !(res.headers.get("location") ?? "").startsWith("/queue/login"))
      await this.refreshCsrf();
    return res;
  }

  async refreshCsrf(): Promise<void> {
    const page = await this.get("/queue/password");
    this.csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  }
}

/** Creates an official of the role and agency and returns a client signed in as them. */
export async function loginAs(
  target: Parameters<typeof fetcherFor>[0],
  db: Db,
  o: Parameters<typeof createOfficial>[1],
): Promise<{ official: TestOfficial; client: QueueClient }> {
  const official = await createOfficial(db, o);
  const client = new QueueClient(fetcherFor(target));
  const res = await client.login(official.username, official.password);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return { official, client };
}
