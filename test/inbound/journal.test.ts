/**
 * The acknowledgement journal (src/inbound/journal.ts): an appended update is on disk when the
 * append resolves, reaches the database in order, survives a process that dies before moving it,
 * is never stored twice, and the journal stays bounded (files truncated or deleted once moved,
 * appends refused while the database is away too long).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { InboundJournal, JournalFullError } from "../../src/inbound/journal.ts";
import { type StoreUpdateInput, storeUpdates } from "../../src/inbound/store.ts";
import { createIngest } from "../../src/messaging/ingest.ts";
import { dbKinds, openTestDb, type TestDb } from "../support/db.ts";

const update = (n: number, chat = `c${n % 3}`): StoreUpdateInput => ({
  channel: "telegram",
  externalId: String(n),
  chatId: chat,
  payload: { update_id: n, message: { text: `tin nhắn số ${n} — phản ánh đường ngập` } },
});

interface Log {
  level: string;
  obj: object;
  msg: string | undefined;
}
function recordingLogger(lines: Log[]) {
  return {
    info: (obj: object, msg?: string) => void lines.push({ level: "info", obj, msg }),
    warn: (obj: object, msg?: string) => void lines.push({ level: "warn", obj, msg }),
    error: (obj: object, msg?: string) => void lines.push({ level: "error", obj, msg }),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hopthu-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const files = async () => (await readdir(dir)).filter((f) => f.endsWith(".jsonl")).sort();
const journalText = async () => {
  let text = "";
  for (const f of await files()) text += await readFile(path.join(dir, f), "utf8");
  return text;
};

describe("acknowledgement journal (no database)", () => {
  it("an append resolves only once its update is written to the journal's file", async () => {
    const journal = await InboundJournal.open({ dir });
    await journal.append([update(1), update(2)]);
    const text = await journalText();
    expect(
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).e),
    ).toEqual(["1", "2"]);
    expect(journal.waiting).toBe(2); // no way into the database yet
    await journal.close(0);
  });

  it("refuses appends while too much waits for the database (the webhook then answers 503)", async () => {
    const journal = await InboundJournal.open({ dir, maxWaiting: 3 });
    await journal.append([update(1), update(2), update(3)]);
    await expect(journal.append([update(4)])).rejects.toBeInstanceOf(JournalFullError);
    await journal.close(0);
  });

  it("one process per folder: a live process's lock is respected, a dead one's taken over", async () => {
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      await writeFile(path.join(dir, "journal.lock"), String(holder.pid));
      await expect(InboundJournal.open({ dir })).rejects.toThrow(/in use by process/);
    } finally {
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
    }
    // The holder is gone now: its lock is stale.
    const journal = await InboundJournal.open({ dir });
    await journal.close(0);
  });
});

describe.each(await dbKinds())("acknowledgement journal on %s", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await t.db.inboundUpdate.deleteMany();
  });

  const stored = async () =>
    (await t.db.inboundUpdate.findMany({ orderBy: { id: "asc" }, select: { externalId: true } })).map(
      (r) => r.externalId,
    );
  const toDb = (inputs: StoreUpdateInput[]) => storeUpdates(t.db, inputs);

  it("moves appended updates into the database in arrival order", async () => {
    const journal = await InboundJournal.open({ dir, maxBatch: 4 });
    journal.attach(toDb);
    await Promise.all(Array.from({ length: 10 }, (_, i) => journal.append([update(i + 1)])));
    await journal.moved();
    expect(await stored()).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    await journal.close();
  });

  it("after a crash before the move, the next start stores every acknowledged update once", async () => {
    // A run that acknowledged updates and ended before they reached the database (its database
    // was away; the end-to-end kill -9 is test/messaging/crash.test.ts).
    const first = await InboundJournal.open({ dir });
    await first.append([update(1), update(2)]);
    await first.append([update(3)]);
    await first.close(0);

    const second = await InboundJournal.open({ dir });
    second.attach(toDb);
    await second.append([update(4)]); // a webhook during the start: waits for the recovery
    expect(await stored()).toEqual([]);
    expect(await second.recover()).toBe(3);
    await second.moved();
    expect(await stored()).toEqual(["1", "2", "3", "4"]);
    await second.close();

    // A third start finds nothing new to store (records already moved are not duplicated).
    const third = await InboundJournal.open({ dir });
    third.attach(toDb);
    await third.recover();
    await third.moved();
    expect(await stored()).toEqual(["1", "2", "3", "4"]);
    await third.close();
  });

  it("a torn last line (the process died mid-write, never acknowledged) is skipped with a warning", async () => {
    const first = await InboundJournal.open({ dir });
    await first.append([update(1), update(2)]);
    await first.close(0);
    const [file] = await files();
    await writeFile(
      path.join(dir, file!),
      `${await readFile(path.join(dir, file!), "utf8")}{"c":"telegram","e":"3","h":`,
    );
    const logs: Log[] = [];
    const second = await InboundJournal.open({ dir, logger: recordingLogger(logs) });
    second.attach(toDb);
    expect(await second.recover()).toBe(2);
    expect(await stored()).toEqual(["1", "2"]);
    expect(logs.some((l) => l.level === "warn" && /torn last line/.test(l.msg ?? ""))).toBe(true);
    await second.close();
  });

  it("while the database refuses, updates wait and are retried; nothing is lost", async () => {
    let down = true;
    const logs: Log[] = [];
    const journal = await InboundJournal.open({ dir, retryBaseMs: 10, logger: recordingLogger(logs) });
    journal.attach(async (inputs) => {
      if (down) throw new Error("connection refused");
      return toDb(inputs);
    });
    await journal.append([update(1)]);
    await journal.append([update(2)]);
    await new Promise((r) => setTimeout(r, 60));
    expect(await stored()).toEqual([]);
    expect(logs.some((l) => l.level === "error")).toBe(true);
    down = false;
    await journal.moved();
    expect(await stored()).toEqual(["1", "2"]);
    await journal.close();
  });

  it("closing while the database is away stops retrying and leaves the updates for the next start", async () => {
    const journal = await InboundJournal.open({ dir, retryBaseMs: 5 });
    let calls = 0;
    journal.attach(async () => {
      calls++;
      throw new Error("connection refused");
    });
    await journal.append([update(1)]);
    await journal.close(30);
    const after = calls;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(after); // no retry loop left running
    const next = await InboundJournal.open({ dir });
    next.attach(toDb);
    expect(await next.recover()).toBe(1);
    expect(await stored()).toEqual(["1"]);
    await next.close();
  });

  it("stays small: a moved file is truncated, full files are deleted once moved", async () => {
    const journal = await InboundJournal.open({ dir, maxFileBytes: 400 });
    journal.attach(toDb);
    for (let i = 1; i <= 12; i++) await journal.append([update(i)]);
    await journal.moved();
    await journal.append([update(13)]); // the write after a full move starts the file afresh
    await journal.moved();
    const left = await files();
    expect(left).toHaveLength(1);
    expect((await journalText()).trim().split("\n")).toHaveLength(1);
    expect(await stored()).toHaveLength(13);
    await journal.close();
  });

  it("an update that cannot be written as JSON is stored directly, and quarantined", async () => {
    const journal = await InboundJournal.open({ dir });
    let kicked = 0;
    const ingest = createIngest({
      db: t.db,
      logger: recordingLogger([]),
      journal,
      onStored: () => kicked++,
      onQueued: () => {},
    });
    const cyclic: Record<string, unknown> = { update_id: 7 };
    cyclic.self = cyclic;
    await ingest.store({ channel: "telegram", externalId: "7", chatId: "c7", payload: cyclic });
    await ingest.store({ channel: "telegram", externalId: "8", chatId: "c8", payload: { update_id: 8 } });
    await journal.moved();
    const rows = await t.db.inboundUpdate.findMany({ orderBy: { externalId: "asc" } });
    expect(rows.map((r) => [r.externalId, r.status])).toEqual([
      ["7", expect.stringMatching(/pending|quarantined/)],
      ["8", "pending"],
    ]);
    expect(kicked).toBeGreaterThan(0);
    await journal.close();
  });
});

describe("group-commit writer", () => {
  it("work stepping aside for acknowledgements waits at most the bound it gives (the flood never stops it)", async () => {
    const { InboundWriter } = await import("../../src/inbound/writer.ts");
    // A database that never finishes the write: acknowledgements stay pending for ever.
    const stuck = {
      $queryRaw: () => new Promise(() => {}),
    } as unknown as ConstructorParameters<typeof InboundWriter>[0]["db"];
    const writer = new InboundWriter({ db: stuck });
    void writer.store([update(1)]);
    expect(writer.pending).toBe(true);
    await writer.idle(20); // resolves although the write is still in flight
    expect(writer.pending).toBe(true);
  });
});

describe("acknowledgements first", () => {
  it("keeps processing to its share of the time while updates arrive, and never slows it when none do", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      let release = () => {};
      const journal = {
        append: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
        attach() {},
        waiting: 0,
        recover: async () => 0,
        close: async () => {},
      };
      const ingest = createIngest({
        db: {} as never,
        logger: recordingLogger([]),
        journal,
        onStored() {},
        onQueued() {},
      });
      const gate = ingest.acksFirst(0.2);
      // A step of work of `stepMs` (counted from the gate's last pass), then the gate.
      let lastPass = 0;
      const passes = async (stepMs: number, expectedWaitMs: number) => {
        vi.advanceTimersByTime(lastPass + stepMs - performance.now());
        let passed = false;
        void gate().then(() => {
          passed = true;
          lastPass = performance.now();
        });
        if (expectedWaitMs > 0) {
          await vi.advanceTimersByTimeAsync(expectedWaitMs - 1);
          expect(passed).toBe(false);
          await vi.advanceTimersByTimeAsync(1);
        } else await vi.advanceTimersByTimeAsync(0);
        expect(passed).toBe(true);
      };
      // Nothing arriving: no wait, however long the step.
      await passes(30, 0);
      // An acknowledgement in progress: a 10 ms step, then 40 ms for the acknowledgements (20 %).
      const ack = ingest.store({ channel: "telegram", externalId: "1", chatId: "c1", payload: {} });
      await passes(10, 40);
      release();
      await ack;
      // One answered a moment ago: still counts as arriving (the next request is on its way).
      const second = ingest.store({ channel: "telegram", externalId: "2", chatId: "c1", payload: {} });
      release();
      await second;
      await passes(5, 20);
      // Quiet for longer than that: no wait again.
      await passes(50, 0);
      // A message after the work sat idle (a quiet spell, no steps): turned at once, not held back
      // for the idle time.
      const third = ingest.store({ channel: "telegram", externalId: "3", chatId: "c1", payload: {} });
      await passes(5_000, 0);
      release();
      await third;
    } finally {
      vi.useRealTimers();
    }
  });
});
