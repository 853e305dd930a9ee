/**
 * Issue 7, accounts and access: sign-in through the form, cookie flags, CSRF on every form,
 * throttling, sign-out, password change, the first administrator — on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdministrator } from "../../src/queue/bootstrap.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createScratchDatabase, dbKinds, type ScratchDatabase } from "../support/db.ts";
import { createOfficial, fetcherFor, loginAs, QueueClient, TEST_PASSWORD } from "../support/queue.ts";

const kinds = await dbKinds();

describe.each(kinds)("queue accounts on %s", (kind) => {
  let rt: Runtime;
  let scratch: ScratchDatabase | undefined;
  beforeAll(async () => {
    scratch = kind === "postgres" ? await createScratchDatabase() : undefined;
    rt = await createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent", ...(scratch ? { DATABASE_URL: scratch.url } : {}) },
      { classifier: false, classifierDir: "/nonexistent" },
    );
  });
  afterAll(async () => {
    await rt?.close();
    await scratch?.drop();
  });

  it("sends a visitor without a session to the sign-in page, and signs in with HttpOnly SameSite cookies", async () => {
    const anon = new QueueClient(fetcherFor(rt.app));
    const res = await anon.get("/queue/cases/00000000-0000-0000-0000-000000000000");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/queue\/login\?next=%2Fqueue%2Fcases%2F/);
    expect((await anon.get("/queue/api/cases")).status).toBe(401);

    const o = await createOfficial(rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const c = new QueueClient(fetcherFor(rt.app));
    const form = await c.get("/queue/login");
    const html = await form.text();
    expect(html).toContain("Đăng nhập");
    const token = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const login = await rt.app.request("/queue/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: `hopthu_login=${c.cookies.get("hopthu_login")}`,
      },
      body: new URLSearchParams({
        _csrf: token,
        username: o.username,
        password: o.password,
        next: "/queue",
      }).toString(),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/queue");
    const cookie = login.headers.getSetCookie().find((l) => l.startsWith("hopthu_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    // Over plain http on loopback the cookie cannot be Secure; over https it is (next test).
    expect(cookie).not.toMatch(/Secure/i);
    // The session token is never stored as such.
    const value = /hopthu_session=([^;]+)/.exec(cookie)![1]!;
    expect(await rt.db.officialSession.findUnique({ where: { id: value } })).toBeNull();
    expect(await rt.db.auditEntry.count({ where: { action: "login", actorId: o.id } })).toBe(1);
  });

  it("marks the session cookie Secure and __Host- over https", async () => {
    const o = await createOfficial(rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const https = {
      request: (p: string, init?: RequestInit) => rt.app.request(`https://hopthu.example.vn${p}`, init),
    };
    const c = new QueueClient(fetcherFor(https));
    const res = await c.login(o.username, o.password);
    expect(res.status).toBe(303);
    const set = res.headers.getSetCookie().find((l) => l.startsWith("__Host-hopthu_session="))!;
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/HttpOnly/i);
    expect((await c.get("/queue")).status).toBe(200);
  });

  it("refuses the sign-in form without its CSRF token, and a wrong password, and says the same for an unknown user", async () => {
    const o = await createOfficial(rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const c = new QueueClient(fetcherFor(rt.app));
    await c.get("/queue/login");
    expect(
      (await c.post("/queue/login", { _csrf: "forged", username: o.username, password: o.password })).status,
    ).toBe(403);
    const wrong = await c.login(o.username, "sai-mat-khau-roi");
    expect(wrong.status).toBe(401);
    const unknown = await c.login("khong-ton-tai", "sai-mat-khau-roi");
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain("Tên đăng nhập hoặc mật khẩu không đúng.");
  });

  it("locks an account after five wrong passwords in a row, even for the right password", async () => {
    const o = await createOfficial(rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const c = new QueueClient(fetcherFor(rt.app));
    for (let i = 0; i < 5; i++) expect((await c.login(o.username, `sai-${i}-mat-khau`)).status).toBe(401);
    const locked = await c.login(o.username, o.password);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain("Đăng nhập sai nhiều lần");
    expect(await rt.db.auditEntry.count({ where: { action: "login_failed", actorId: o.id } })).toBe(5);
  });

  it("refuses every form without the session's CSRF token, and signs out", async () => {
    const { client } = await loginAs(rt.app, rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    expect((await client.post("/queue/logout", { _csrf: null })).status).toBe(403);
    expect((await client.post("/queue/logout", { _csrf: "x".repeat(43) })).status).toBe(403);
    // A cross-site form (another Origin) is refused even with the token.
    expect((await client.post("/queue/logout", {}, { origin: "https://evil.example" })).status).toBe(403);
    expect((await client.get("/queue")).status).toBe(200);
    const out = await client.post("/queue/logout", {});
    expect(out.status).toBe(303);
    expect((await client.get("/queue")).status).toBe(303);
  });

  it("changes a password: the old one stops working and other sessions end", async () => {
    const { official, client } = await loginAs(rt.app, rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const other = new QueueClient(fetcherFor(rt.app));
    await other.login(official.username, TEST_PASSWORD);
    expect((await other.get("/queue")).status).toBe(200);
    const bad = await client.post("/queue/password", {
      current: TEST_PASSWORD,
      next: "ngan",
      confirm: "ngan",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("ít nhất 10 ký tự");
    const ok = await client.post("/queue/password", {
      current: TEST_PASSWORD,
      next: "mot-mat-khau-moi-dai",
      confirm: "mot-mat-khau-moi-dai",
    });
    expect(ok.status).toBe(303);
    expect((await client.get("/queue")).status).toBe(200);
    expect((await other.get("/queue")).status).toBe(303);
    expect((await new QueueClient(fetcherFor(rt.app)).login(official.username, TEST_PASSWORD)).status).toBe(
      401,
    );
  });

  it("creates the first administrator with a one-time password that must be changed, once", async () => {
    const created = await ensureAdministrator(rt.db);
    expect(created).not.toBeNull();
    expect(await ensureAdministrator(rt.db)).toBeNull();
    const c = new QueueClient(fetcherFor(rt.app));
    const res = await c.login(created!.username, created!.password);
    expect(res.headers.get("location")).toBe("/queue/password");
    expect((await c.get("/queue")).headers.get("location")).toBe("/queue/password");
    await c.refreshCsrf();
    const changed = await c.post("/queue/password", {
      current: created!.password,
      next: "quan-tri-vien-moi-2026",
      confirm: "quan-tri-vien-moi-2026",
    });
    expect(changed.status).toBe(303);
    expect((await c.get("/queue")).status).toBe(200);
  });
});
