/**
 * Issue 7, messages the system could not process, through the production runtime on each
 * database: a Telegram update whose handling failed for good, one quarantined at intake, and an
 * answer to the identity question that failed — an administrator sees them (told on the queue
 * page), with the sender's identity taken out and the text escaped, retries the failed one (it is
 * then processed), dismisses the quarantined one; both audited. Other roles cannot see or act.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InboundProcessor } from "../../src/inbound/processor.ts";
import { storeUpdate } from "../../src/inbound/store.ts";
import { REDACTED, REDACTED_MESSAGE } from "../../src/queue/identity.ts";
import { reviewOf } from "../../src/queue/unprocessed.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createScratchDatabase, dbKinds, type ScratchDatabase } from "../support/db.ts";
import { loginAs } from "../support/queue.ts";
import { tg } from "../support/standins.ts";

const kinds = await dbKinds();

describe("the excerpt of an update that could not be processed", () => {
  it("keeps what was said, takes out names, numbers and e-mail, and never an identity answer", () => {
    const update = tg.text(
      1,
      77,
      "Đèn đường hẻm 12 hỏng, gọi Nguyễn Văn A số 0905.111.222 hay an@example.com",
      {
        from: { id: 77, is_bot: false, first_name: "An", last_name: "Nguyễn Văn A", username: "an_nguyen" },
      },
    );
    const row = {
      id: 1n,
      channel: "telegram",
      status: "failed" as const,
      receivedAt: new Date(),
      attempts: 5,
      lastError: "Error: no handler for @an_nguyen (An)",
      payload: update,
    };
    const v = reviewOf(row);
    expect(v.excerpt).toBe(`Đèn đường hẻm 12 hỏng, gọi ${REDACTED} số ${REDACTED} hay ${REDACTED}`);
    expect(v.reason).toBe(`Error: no handler for @${REDACTED} (${REDACTED})`);
    expect(v.retryable).toBe(true);
    // "An" is a name: the word goes, the "an" inside other words ("Thanh") stays.
    const an = tg.text(2, 77, "Đường Thanh Sơn mất điện, ông An báo rồi", {
      from: { id: 77, is_bot: false, first_name: "An" },
    });
    expect(reviewOf({ ...row, payload: an }).excerpt).toBe(
      `Đường Thanh Sơn mất điện, ông ${REDACTED} báo rồi`,
    );
    expect(reviewOf(row, [], true).excerpt).toBe(REDACTED_MESSAGE);
    // A quarantined update keeps a cut JSON text only: names are found in it all the same.
    const cut = JSON.stringify(update).slice(0, 200);
    const q = reviewOf({
      ...row,
      status: "quarantined",
      lastError: null,
      payload: { quarantined: true, reason: "22P05: unsupported Unicode escape", excerpt: cut },
    });
    expect(q.retryable).toBe(false);
    expect(q.reason).toBe("22P05: unsupported Unicode escape");
    expect(`${q.excerpt} ${q.reason}`).not.toMatch(/Nguyễn|an_nguyen|0905/);
    expect(
      reviewOf({ ...row, payload: { update_id: 3, message: { contact: { phone_number: "0905111222" } } } })
        .excerpt,
    ).toBe("(danh thiếp liên hệ — đã ẩn)");
  });
});

describe.each(kinds)("messages that could not be processed, on %s", (kind) => {
  let rt: Runtime;
  let scratch: ScratchDatabase | undefined;
  const ids: Record<"failed" | "quarantined" | "identity", bigint> = {
    failed: 0n,
    quarantined: 0n,
    identity: 0n,
  };

  beforeAll(async () => {
    scratch = kind === "postgres" ? await createScratchDatabase() : undefined;
    rt = await createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent", ...(scratch ? { DATABASE_URL: scratch.url } : {}) },
      { classifier: false, classifierDir: "/nonexistent" },
    );
    const db = rt.db;
    // 1. Handling fails on every attempt (a processor that gives up after one).
    const failing = new InboundProcessor({
      db,
      maxAttempts: 1,
      handle: async (u) => {
        const from = (u.payload as { message: { from: { first_name: string } } }).message.from;
        throw new Error(`cannot handle update ${u.externalId} from ${from.first_name}, 0905 111 222`);
      },
    });
    ids.failed = (
      await storeUpdate(db, {
        channel: "telegram",
        externalId: 9001,
        chatId: 9001,
        payload: tg.text(
          9001,
          9001,
          "Đèn đường <script>alert('x')</script> hỏng — Nguyễn Văn A, 0905 111 222",
        ),
      })
    ).id!;
    // 2. An answer to the identity question (the chat's dialogue stands there) that failed too.
    const citizen = await db.citizen.create({
      data: { channel: "telegram", externalId: "9002", displayName: "Lê Thị Cúc" },
    });
    await db.conversation.create({
      data: { channel: "telegram", chatId: "9002", citizenId: citizen.id, step: "identity_name" },
    });
    ids.identity = (
      await storeUpdate(db, {
        channel: "telegram",
        externalId: 9002,
        chatId: 9002,
        payload: tg.text(9002, 9002, "Trần Văn Bình, tổ 5 phường Hải Châu", {
          from: { id: 9002, is_bot: false, first_name: "Bình" },
        }),
      })
    ).id!;
    expect((await failing.drain()).failed).toBe(2);
    // 3. An update the database refuses even repaired: quarantined at intake.
    await db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION reject_review_poison() RETURNS trigger AS $$
      BEGIN
        IF NEW."status" <> 'quarantined' AND NEW."payload"::text LIKE '%review-poison%' THEN
          RAISE EXCEPTION 'refused by test' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(
      `CREATE TRIGGER reject_review_poison BEFORE INSERT ON "InboundUpdate" FOR EACH ROW EXECUTE FUNCTION reject_review_poison()`,
    );
    try {
      const r = await storeUpdate(db, {
        channel: "telegram",
        externalId: 9003,
        chatId: 9003,
        payload: tg.text(9003, 9003, "review-poison: ngập nước đường Lê Duẩn"),
      });
      expect(r.quarantined).toBeDefined();
      ids.quarantined = r.id!;
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER reject_review_poison ON "InboundUpdate"`);
    }
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
    await scratch?.drop();
  });

  it("shows an administrator what failed, without the sender's identity, escaped", async () => {
    const { client } = await loginAs(rt.app, rt.db, { role: "admin", agencyId: "van-phong-ubnd" });
    const queue = await (await client.get("/queue")).text();
    expect(queue).toContain("Có 3 tin nhắn của người dân hệ thống chưa xử lý được");
    const res = await client.get("/queue/admin/inbound");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const id of Object.values(ids)) expect(html).toContain(`data-update="${id}"`);
    expect(html).toContain("Đèn đường &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; hỏng");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("review-poison: ngập nước đường Lê Duẩn");
    expect(html).toContain("22023: refused by test");
    expect(html).toContain(REDACTED_MESSAGE);
    for (const secret of ["Nguyễn", "Văn A", "0905", "111 222", "Trần Văn Bình", "Lê Thị Cúc", "Dân"])
      expect(html).not.toContain(secret);
    expect(html).toContain("Xử lý lỗi");
    expect(html).toContain("Không lưu được nguyên vẹn");
  });

  it("lets no other role see or act on them", async () => {
    for (const role of ["officer", "supervisor", "leader"] as const) {
      const { client } = await loginAs(rt.app, rt.db, { role, agencyId: "ubnd-hai-chau" });
      expect((await client.get("/queue")).status).toBe(200);
      expect(await (await client.get("/queue")).text()).not.toContain("chưa xử lý được");
      const res = await client.get("/queue/admin/inbound");
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain("Đèn đường");
      await client.post(`/queue/admin/inbound/${ids.failed}/retry`, {});
      await client.post(`/queue/admin/inbound/${ids.quarantined}/dismiss`, {});
    }
    const rows = await rt.db.inboundUpdate.findMany({
      where: { id: { in: [ids.failed, ids.quarantined] } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.status)).toEqual(["failed", "quarantined"]);
  });

  it("retries a failed update (then processed) and dismisses a quarantined one, both audited", async () => {
    const { client, official } = await loginAs(rt.app, rt.db, { role: "admin", agencyId: "van-phong-ubnd" });
    // Without the form's token: refused, nothing changes.
    expect((await client.post(`/queue/admin/inbound/${ids.failed}/retry`, { _csrf: null })).status).toBe(403);
    expect((await rt.db.inboundUpdate.findUniqueOrThrow({ where: { id: ids.failed } })).status).toBe(
      "failed",
    );

    const retried = await client.post(`/queue/admin/inbound/${ids.failed}/retry`, {});
    expect(retried.status).toBe(303);
    expect(retried.headers.get("location")).toBe("/queue/admin/inbound?done=retried");
    expect((await rt.db.inboundUpdate.findUniqueOrThrow({ where: { id: ids.failed } })).status).toBe(
      "pending",
    );
    const handled: string[] = [];
    const working = new InboundProcessor({
      db: rt.db,
      handle: async (u) => {
        handled.push(u.externalId);
      },
    });
    await working.drain();
    expect(handled).toEqual(["9001"]);
    expect((await rt.db.inboundUpdate.findUniqueOrThrow({ where: { id: ids.failed } })).status).toBe(
      "processed",
    );

    // A quarantined update cannot be retried (nothing usable was kept): no button, and the action says so.
    const page = await (await client.get("/queue/admin/inbound")).text();
    expect(page).not.toContain(`/queue/admin/inbound/${ids.quarantined}/retry`);
    expect(page).toContain(`/queue/admin/inbound/${ids.quarantined}/dismiss`);
    const refused = await client.post(`/queue/admin/inbound/${ids.quarantined}/retry`, {});
    expect(refused.headers.get("location")).toBe("/queue/admin/inbound?done=gone");

    const dismissed = await client.post(`/queue/admin/inbound/${ids.quarantined}/dismiss`, {});
    expect(dismissed.headers.get("location")).toBe("/queue/admin/inbound?done=dismissed");
    const after = await (await client.get("/queue/admin/inbound?done=dismissed")).text();
    expect(after).toContain("Đã bỏ qua tin nhắn");
    expect(after).not.toContain(`data-update="${ids.quarantined}"`);
    expect(after).not.toContain(`data-update="${ids.failed}"`);
    expect(after).toContain(`data-update="${ids.identity}"`);
    expect(await (await client.get("/queue")).text()).toContain("Có 1 tin nhắn của người dân");

    const trail = await rt.db.auditEntry.findMany({
      where: { targetType: "inbound_update", actorId: official.id },
      orderBy: { createdAt: "asc" },
    });
    expect(trail.map((e) => [e.action, e.targetId])).toEqual([
      ["inbound_update_retried", String(ids.failed)],
      ["inbound_update_dismissed", String(ids.quarantined)],
    ]);
    expect(trail[0]!.data).toMatchObject({ channel: "telegram", status: "failed" });
    expect(JSON.stringify(trail.map((e) => e.data))).not.toMatch(/Nguyễn|0905|ngập/);
  });
});
