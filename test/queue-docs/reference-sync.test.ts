/**
 * Issue 7, administration across processes: two app instances on one PostgreSQL database. An
 * administrator renames an agency and changes a routing rule on the first; the second, running,
 * shows the new name and routes a new case by the new rule within its check interval — no
 * restart. (The embedded database has one process: nothing to share.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createScratchDatabase, dbKinds, type ScratchDatabase } from "../support/db.ts";
import { codeIn } from "../support/harness.ts";
import { loginAs } from "../support/queue.ts";

const kinds = await dbKinds();

describe.skipIf(!kinds.includes("postgres"))("reference data edited in one process, on postgres", () => {
  let scratch: ScratchDatabase;
  let a: Runtime;
  let b: Runtime;
  const open = (url: string) =>
    createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent", DATABASE_URL: url },
      { classifier: false, classifierDir: "/nonexistent", referencePollMs: 200 },
    );

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    a = await open(scratch.url);
    b = await open(scratch.url);
    await a.start();
    await b.start();
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await scratch?.drop();
  });

  /** Files a health PAKN with no known place through the web chat of an instance; returns its agency. */
  async function fileHealthCase(rt: Runtime, chatId: string): Promise<string | null> {
    const say = async (t: string) =>
      (await rt.intake.handle({ channel: "web", chatId, userId: chatId, text: t })).replies
        .map((r) => r.text)
        .join("\n");
    await say("/gui");
    await say("Trạm y tế mở cửa muộn, người dân chờ lâu mới được khám");
    await say("city_wide");
    await say("pakn");
    await say("topic:health");
    await say("Nguyễn Văn An, 0905 111 222");
    const code = codeIn(await say("send"));
    return (await rt.db.case.findUniqueOrThrow({ where: { code } })).agencyId;
  }

  async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (ok(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("shows another instance's agency rename and routes by its rule change without a restart", async () => {
    expect(await fileHealthCase(b, "sync-before")).toBe("so-y-te");
    const { client: officerB } = await loginAs(b.app, b.db, { role: "officer", agencyId: "so-y-te" });
    const pageB = () => officerB.get("/queue").then((r) => r.text());
    expect(await pageB()).toContain("Sở Y tế");

    const { client: adminA } = await loginAs(a.app, a.db, { role: "admin", agencyId: "van-phong-ubnd" });
    const renamed = await adminA.post("/queue/admin/agencies", {
      id: "so-y-te",
      name: "Sở Y tế thành phố Đà Nẵng (đổi tên thử)",
      shortName: "Sở Y tế",
      level: "province",
      kind: "department",
      active: "1",
    });
    expect(renamed.status).toBe(303);
    const rule = await a.db.routingRule.findUniqueOrThrow({ where: { id: 9 } });
    const rerouted = await adminA.post("/queue/admin/rules", {
      id: "9",
      position: String(rule.position),
      name: rule.name,
      topics: "health",
      scope: "province",
      agency: "so-noi-vu",
      active: "1",
    });
    expect(rerouted.status).toBe(303);
    // Instance A applied its own edits at once.
    expect(a.data.agencyById.get("so-y-te")?.name).toBe("Sở Y tế thành phố Đà Nẵng (đổi tên thử)");

    // Instance B, still running, picks them up within its check interval.
    expect(await eventually(pageB, (html) => html.includes("(đổi tên thử)"))).toContain(
      "Sở Y tế thành phố Đà Nẵng (đổi tên thử)",
    );
    expect(
      await eventually(
        () => fileHealthCase(b, "sync-after"),
        (agency) => agency === "so-noi-vu",
      ),
    ).toBe("so-noi-vu");
    // Nothing else to load: the check finds both at the same version. A reload of B that began
    // between the two edits read the older number with the newer data, so B may load once more
    // (by design: an edit committed while loading makes the next check load again); after that
    // nothing is left.
    await b.checkReference();
    expect(await b.checkReference()).toBe(false);
    expect(await a.checkReference()).toBe(false);
  }, 60_000);
});
