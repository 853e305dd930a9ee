/**
 * Durable intake: duplicate updates ignored, strict order per chat with chats in parallel, retries
 * and poison updates, crash recovery, idempotent replies, and — on the PostgreSQL server — two
 * processors racing. Runs on the embedded PGlite and on PostgreSQL (when reachable).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import {
  type ClaimedUpdate,
  InboundProcessor,
  type InboundProcessorOptions,
  listFailedUpdates,
  retryUpdate,
  storeUpdate,
  updateDedupeKey,
} from "../../src/inbound/index.ts";
import { enqueue } from "../../src/outbox/index.ts";
import { openDb } from "../../src/store/db.ts";
import { memoryLogger, TestClock, until } from "../outbox/helpers.ts";
import { dbKinds, openTestDb, type TestDb } from "../support/db.ts";

const kinds = await dbKinds();
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe.each(kinds)("inbound on %s", (kind) => {
  let t: TestDb;
  let clock: TestClock;
  let externalId = 1000;

  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await t.db.inboundUpdate.deleteMany();
    await t.db.outboxMessage.deleteMany();
    clock = new TestClock();
  });

  const store = (chatId: string | null, text: string) =>
    storeUpdate(t.db, { channel: "telegram", externalId: externalId++, chatId, payload: { text } });

  function processor(
    handle: InboundProcessorOptions["handle"],
    options: Partial<InboundProcessorOptions> = {},
  ): InboundProcessor {
    return new InboundProcessor({ db: t.db, handle, clock, random: () => 1, baseDelayMs: 1_000, ...options });
  }

  const textOf = (u: ClaimedUpdate) => (u.payload as { text: string }).text;

  it("stores an update once; a redelivery is a no-op", async () => {
    const first = await storeUpdate(t.db, {
      channel: "telegram",
      externalId: 777,
      chatId: 42,
      payload: { a: 1 },
    });
    const again = await storeUpdate(t.db, {
      channel: "telegram",
      externalId: "777",
      chatId: 42,
      payload: { a: 2 },
    });
    const zalo = await storeUpdate(t.db, { channel: "zalo", externalId: 777, chatId: "z", payload: {} });
    expect(first.stored).toBe(true);
    expect(typeof first.id).toBe("bigint");
    expect(again).toEqual({ stored: false });
    expect(zalo.stored).toBe(true); // another channel's 777 is another update
    const rows = await t.db.inboundUpdate.findMany({ orderBy: { id: "asc" } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ chatId: "42", payload: { a: 1 }, status: "pending", attempts: 0 });
  });

  it("processes each chat strictly in order and different chats in parallel", async () => {
    for (let i = 0; i < 4; i++) for (const chat of ["A", "B", "C"]) await store(chat, `${chat}${i}`);
    await store(null, "no-chat");
    const seen: Record<string, string[]> = {};
    const busy = new Set<string>();
    let parallel = 0;
    const p = processor(async (u) => {
      const chat = u.chatId ?? "none";
      expect(busy.has(chat)).toBe(false); // never two updates of one chat at once
      busy.add(chat);
      parallel = Math.max(parallel, busy.size);
      await tick(10);
      seen[chat] = [...(seen[chat] ?? []), textOf(u)];
      busy.delete(chat);
    });
    clock.sync();
    const r = await p.drain();
    expect(r).toEqual({ claimed: 13, processed: 13, retried: 0, failed: 0 });
    expect(seen).toEqual({
      A: ["A0", "A1", "A2", "A3"],
      B: ["B0", "B1", "B2", "B3"],
      C: ["C0", "C1", "C2", "C3"],
      none: ["no-chat"],
    });
    expect(parallel).toBe(4); // A, B, C and the chat-less update in the first pass (concurrency 4)
    const rows = await t.db.inboundUpdate.findMany();
    for (const row of rows) {
      expect(row.status).toBe("processed");
      expect(row.processedAt?.getTime()).toBe(clock.now().getTime());
      expect(row.nextAttemptAt).toBeNull();
    }
  });

  it("the loop processes the backlog on start, then what kick() announces, in order per chat", async () => {
    await store("A", "A0");
    await store("A", "A1");
    await store("B", "B0");
    const seen: string[] = [];
    const p = new InboundProcessor({
      db: t.db,
      handle: async (u) => {
        await tick(Math.random() * 5);
        seen.push(textOf(u));
      },
      pollIntervalMs: 60_000,
      concurrency: 2,
    });
    await p.start(); // resolves when the backlog is done
    expect(seen.filter((s) => s.startsWith("A"))).toEqual(["A0", "A1"]);
    expect(seen).toHaveLength(3);
    for (let i = 2; i < 8; i++) {
      await store("A", `A${i}`);
      p.kick();
    }
    await until(() => seen.length === 9, 5_000); // the poll is a minute: only kicks wake it
    await p.stop();
    expect(seen.filter((s) => s.startsWith("A"))).toEqual(["A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7"]);
  });

  it("claims a few turns ahead, starts them as slots free up, and a stop hands back the ones not started", async () => {
    for (const chat of ["A", "B", "C", "D", "E"]) await store(chat, chat);
    const started: string[] = [];
    let unblock!: () => void;
    const blocked = new Promise<void>((r) => {
      unblock = r;
    });
    const p = new InboundProcessor({
      db: t.db,
      handle: async (u) => {
        started.push(textOf(u));
        if (textOf(u) === "B") await blocked;
      },
      pollIntervalMs: 60_000,
      concurrency: 1,
      prefetch: 3,
    });
    void p.start();
    await until(() => started.includes("B"), 5_000);
    // A done, B running: C was claimed with them (3 at once) and waits; D and E are not claimed.
    const claimed = await t.db.inboundUpdate.findMany({ where: { attempts: 1 }, orderBy: { id: "asc" } });
    expect(claimed.map((r) => (r.payload as { text: string }).text)).toEqual(["A", "B", "C"]);
    const stopping = p.stop();
    unblock();
    await stopping;
    expect(started).toEqual(["A", "B"]);
    // C is handed back: pending, due at once, its claim not counted as an attempt.
    const rows = await t.db.inboundUpdate.findMany({ orderBy: { id: "asc" } });
    expect(
      rows.map((r) => [(r.payload as { text: string }).text, r.status, r.attempts, r.nextAttemptAt]),
    ).toEqual([
      ["A", "processed", 1, null],
      ["B", "processed", 1, null],
      ["C", "pending", 0, null],
      ["D", "pending", 0, null],
      ["E", "pending", 0, null],
    ]);
    const next = new InboundProcessor({ db: t.db, handle: async (u) => void started.push(textOf(u)) });
    await next.start();
    await next.stop();
    expect(started).toEqual(["A", "B", "C", "D", "E"]);
  });

  it("retries a failed update with backoff, holding back its chat only", async () => {
    let fail = true;
    const seen: string[] = [];
    const logger = memoryLogger();
    const p = processor(
      async (u) => {
        if (textOf(u) === "A0" && fail) {
          fail = false;
          throw new Error("database hiccup");
        }
        seen.push(textOf(u));
      },
      { logger },
    );
    await store("A", "A0");
    await store("A", "A1");
    await store("B", "B0");
    clock.sync();
    expect(await p.drain()).toMatchObject({ processed: 1, retried: 1 });
    expect(seen).toEqual(["B0"]);
    const a0 = await t.db.inboundUpdate.findFirstOrThrow({ where: { payload: { equals: { text: "A0" } } } });
    expect(a0).toMatchObject({ status: "pending", attempts: 1, lastError: "Error: database hiccup" });
    expect(a0.nextAttemptAt?.getTime()).toBe(clock.now().getTime() + 1_000);
    expect(logger.entries.filter((e) => e.level === "warn")).toHaveLength(1);
    clock.advance(1_000);
    expect(await p.drain()).toMatchObject({ processed: 2, retried: 0 });
    expect(seen).toEqual(["B0", "A0", "A1"]);
  });

  it("a chat waiting for a retry with a long backlog behind it does not hold back the chats after it", async () => {
    let fail = true;
    const seen: string[] = [];
    const p = processor(async (u) => {
      if (textOf(u) === "A0" && fail) {
        fail = false;
        throw new Error("database hiccup");
      }
      seen.push(textOf(u));
    });
    // More of chat A's updates than the claim's first window (256) holds, then chat B's.
    await t.db.inboundUpdate.createMany({
      data: Array.from({ length: 300 }, (_, i) => ({
        channel: "telegram" as const,
        externalId: String(externalId++),
        chatId: "A",
        payload: { text: `A${i}` },
      })),
    });
    await store("B", "B0");
    clock.sync();
    expect(await p.drain()).toMatchObject({ processed: 1, retried: 1 });
    expect(seen).toEqual(["B0"]);
    clock.advance(1_000);
    await p.drain();
    expect(seen).toEqual(["B0", ...Array.from({ length: 300 }, (_, i) => `A${i}`)]);
  });

  it("marks a poison update failed after N attempts without blocking other chats, then its chat moves on", async () => {
    const seen: string[] = [];
    const attemptsSeen: number[] = [];
    const logger = memoryLogger();
    const p = processor(
      async (u) => {
        if (textOf(u) === "poison") {
          attemptsSeen.push(u.attempt);
          throw new SyntaxError("Unexpected token in payload");
        }
        seen.push(textOf(u));
      },
      { logger, maxAttempts: 3 },
    );
    await store("A", "poison");
    await store("A", "A1");
    await store("B", "B0");
    await store("B", "B1");
    clock.sync();
    await p.drain();
    expect(seen).toEqual(["B0", "B1"]); // B is not held up by A's poison
    clock.advance(1_000);
    await p.drain();
    clock.advance(2_000);
    const last = await p.drain();
    expect(last).toMatchObject({ failed: 1, processed: 1 });
    expect(attemptsSeen).toEqual([1, 2, 3]);
    expect(seen).toEqual(["B0", "B1", "A1"]);
    const failed = await listFailedUpdates(t.db);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      status: "failed",
      attempts: 3,
      lastError: "SyntaxError: Unexpected token in payload",
      processedAt: null,
    });
    const errors = logger.entries.filter((e) => e.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/poison/);

    // An operator can re-queue it.
    expect(await retryUpdate(t.db, failed[0]!.id)).toBe(true);
    expect(await retryUpdate(t.db, failed[0]!.id)).toBe(false);
    expect(await t.db.inboundUpdate.findUniqueOrThrow({ where: { id: failed[0]!.id } })).toMatchObject({
      status: "pending",
      attempts: 0,
    });
  });

  it("fails an attempt that outlives handleTimeoutMs and aborts its signal", async () => {
    let aborted = false;
    let calls = 0;
    const p = processor(
      (_u, signal) => {
        calls++;
        if (calls > 1) return Promise.resolve();
        return new Promise<void>((resolve) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve();
          });
        });
      },
      { handleTimeoutMs: 50 },
    );
    await store("A", "slow");
    clock.sync();
    expect(await p.runOnce()).toMatchObject({ retried: 1 });
    expect(aborted).toBe(true);
    expect((await t.db.inboundUpdate.findFirstOrThrow()).lastError).toMatch(
      /^TimeoutError: handling did not finish/,
    );
    clock.advance(1_000);
    expect(await p.runOnce()).toMatchObject({ processed: 1 });
  });

  it("recovers after a crash: a fresh processor takes the pending updates, and the interrupted one after its lease", async () => {
    await store("A", "A0");
    await store("A", "A1");
    await store("B", "B0");
    // A processor claimed A0 and died in the middle of handling it.
    const crashed = await t.db.inboundUpdate.findFirstOrThrow({
      where: { payload: { equals: { text: "A0" } } },
    });
    clock.sync();
    await t.db.inboundUpdate.update({
      where: { id: crashed.id },
      data: { attempts: 1, nextAttemptAt: new Date(clock.now().getTime() + 60_000) },
    });
    const seen: string[] = [];
    const p = processor(async (u) => void seen.push(textOf(u)));
    await p.drain();
    expect(seen).toEqual(["B0"]); // A0 is still leased; A1 waits behind it
    clock.advance(60_000);
    await p.drain();
    expect(seen).toEqual(["B0", "A0", "A1"]);
    expect(await t.db.inboundUpdate.findUniqueOrThrow({ where: { id: crashed.id } })).toMatchObject({
      status: "processed",
      attempts: 2,
    });
  });

  it("exclusive start() takes back an interrupted update at once", async () => {
    await store("A", "A0");
    await store("A", "A1");
    await t.db.inboundUpdate.updateMany({
      where: { payload: { equals: { text: "A0" } } },
      data: { attempts: 1, nextAttemptAt: new Date(Date.now() + 3_600_000) },
    });
    const seen: string[] = [];
    const p = new InboundProcessor({
      db: t.db,
      handle: async (u) => void seen.push(textOf(u)),
      exclusive: true,
    });
    await p.start();
    await p.stop();
    expect(seen).toEqual(["A0", "A1"]);
  });

  it("a re-run of handle after a crash before the mark creates no second reply (dedupeKeys from the update)", async () => {
    let crashBeforeMark = true;
    const p = processor(async (u) => {
      expect(typeof u.id).toBe("bigint");
      await t.db.$transaction(async (tx) => {
        await enqueue(tx, {
          dedupeKey: updateDedupeKey(u, 0),
          channel: u.channel,
          chatId: u.chatId!,
          text: "Đã nhận phản ánh của bạn.",
        });
        await enqueue(tx, {
          dedupeKey: updateDedupeKey(u, 1),
          channel: u.channel,
          chatId: u.chatId!,
          text: "Mã theo dõi: ABC123",
        });
      });
      if (crashBeforeMark) {
        crashBeforeMark = false;
        throw new Error("crashed after the replies were committed");
      }
    });
    const { id } = await store("A", "hello");
    clock.sync();
    await p.drain();
    clock.advance(1_000);
    await p.drain();
    const update = await t.db.inboundUpdate.findUniqueOrThrow({ where: { id: id! } });
    expect(update).toMatchObject({ status: "processed", attempts: 2 });
    const replies = await t.db.outboxMessage.findMany({ orderBy: { createdAt: "asc" } });
    expect(replies.map((r) => r.dedupeKey)).toEqual([
      `in:telegram:${update.externalId}:0`,
      `in:telegram:${update.externalId}:1`,
    ]);
  });

  it("a handler marking its update processed in its own transaction commits both or neither", async () => {
    const attempts: number[] = [];
    const p = processor(async (u) => {
      attempts.push(u.attempt);
      await t.db.$transaction(async (tx) => {
        await enqueue(tx, {
          dedupeKey: updateDedupeKey(u, 0),
          channel: u.channel,
          chatId: u.chatId!,
          text: "Đã nhận.",
        });
        // Only where its condition holds: a false one writes nothing.
        expect(await tx.$executeRaw(u.completion!(Prisma.sql`false`))).toBe(0);
        expect(await tx.$executeRaw(u.completion!(Prisma.sql`true`))).toBe(1);
        // The first attempt's transaction fails after the mark: neither reply nor mark is kept.
        if (u.attempt === 1) throw new Error("the turn failed before its commit");
      });
      return "settled";
    });
    const { id } = await store("A", "hello");
    clock.sync();
    expect(await p.drain()).toMatchObject({ processed: 0, retried: 1 });
    expect(await t.db.inboundUpdate.findUniqueOrThrow({ where: { id: id! } })).toMatchObject({
      status: "pending",
      processedAt: null,
    });
    expect(await t.db.outboxMessage.count()).toBe(0);
    clock.advance(1_000);
    expect(await p.drain()).toMatchObject({ processed: 1 });
    const update = await t.db.inboundUpdate.findUniqueOrThrow({ where: { id: id! } });
    expect(update).toMatchObject({ status: "processed", attempts: 2, nextAttemptAt: null });
    expect(update.processedAt?.getTime()).toBe(clock.now().getTime());
    expect(await t.db.outboxMessage.count()).toBe(1);
    expect(attempts).toEqual([1, 2]);
    expect((await p.drain()).claimed).toBe(0);
  });

  it.runIf(kind === "postgres")(
    "two processors on separate connections handle each of 120 updates exactly once, in chat order",
    async () => {
      const other = await openDb({ databaseUrl: t.url, migrate: false });
      const seen: string[] = [];
      const busy = new Set<string>();
      let overlap = false;
      const handle = async (u: ClaimedUpdate) => {
        if (busy.has(u.chatId!)) overlap = true;
        busy.add(u.chatId!);
        await tick(Math.random() * 3);
        seen.push(textOf(u));
        busy.delete(u.chatId!);
      };
      for (let i = 0; i < 10; i++) for (let c = 0; c < 12; c++) await store(`chat${c}`, `chat${c}:${i}`);
      const processors = [t.db, other.db].map(
        (db) => new InboundProcessor({ db, handle, concurrency: 4, pollIntervalMs: 10 }),
      );
      try {
        await Promise.all(processors.map((p) => p.start()));
        await until(
          async () => (await t.db.inboundUpdate.count({ where: { status: "processed" } })) === 120,
          20_000,
        );
      } finally {
        await Promise.all(processors.map((p) => p.stop()));
        await other.close();
      }
      expect(overlap).toBe(false);
      expect(seen).toHaveLength(120);
      for (let c = 0; c < 12; c++) {
        expect(seen.filter((s) => s.startsWith(`chat${c}:`))).toEqual(
          Array.from({ length: 10 }, (_, i) => `chat${c}:${i}`),
        );
      }
      expect(await t.db.inboundUpdate.count({ where: { attempts: { not: 1 } } })).toBe(0);
    },
  );
});
