/**
 * /digest through the product's runtime and the queue's real sign-in: a leader and an
 * administrator read it, an officer of an agency does not, a visitor is sent to sign in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { fetcherFor, loginAs, QueueClient } from "../support/queue.ts";

describe("/digest with the queue's accounts", () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent" },
      { classifier: false, classifierDir: "/nonexistent" },
    );
  }, 120_000);
  afterAll(() => rt?.close());

  it("opens for leaders and administrators only", async () => {
    const anon = new QueueClient(fetcherFor(rt.app));
    const res = await anon.get("/digest?period=2026-W48");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/queue\/login\?next=%2Fdigest/);

    for (const role of ["leader", "admin"] as const) {
      const { client } = await loginAs(rt.app, rt.db, { role, agencyId: "van-phong-ubnd" });
      const page = await client.get("/digest?period=2026-W48");
      expect(page.status, role).toBe(200);
      const html = await page.text();
      expect(html).toContain("2026");
      // Under the app's CSP the page's one style and script carry the response's nonce.
      const nonce = /'nonce-([^']+)'/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
      expect(nonce).toBeTruthy();
      expect(html).toContain(`<style nonce="${nonce}">`);
      expect(html).toContain(`<script nonce="${nonce}">`);
      expect(html).not.toMatch(/ on[a-z]+="/);
    }
    const { client: officer } = await loginAs(rt.app, rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const denied = await officer.get("/digest?period=2026-W48");
    expect(denied.status).toBe(403);
  });
});
