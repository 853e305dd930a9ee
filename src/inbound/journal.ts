/**
 * The acknowledgement journal (Node only): a webhook's update is appended to a file in the data
 * folder and flushed to disk (fdatasync) before the webhook answers 200; it is then moved into the
 * database (`InboundUpdate`, through the group-commit writer) in the background, in arrival order.
 * An acknowledgement thus waits for one disk flush shared by every request that arrived meanwhile,
 * never for the database — on the embedded PGlite, whose one connection is busy with dialogue
 * turns, that is the difference between tens and thousands of acknowledgements per second.
 *
 * Guarantees
 * - Nothing acknowledged is lost: a record is on disk before its 200. If the process dies before
 *   the record reached the database, `recover()` at the next start moves every record left in the
 *   journal's files (storage is idempotent: INSERT … ON CONFLICT DO NOTHING on channel and
 *   external id, so records already moved are not stored twice) before processing starts.
 * - Order: records reach the database in the order they were appended, so a chat's updates are
 *   processed in arrival order.
 * - A torn last line (the process died in the middle of a write) was never acknowledged; it is
 *   skipped, with a warning.
 * - Bounded: while the database cannot take records (it is down), they wait in memory and on disk,
 *   retried with backoff; past `maxWaiting` records or `maxWaitingBytes` new appends are refused
 *   (the webhook answers 503 and the platform redelivers later).
 * - One process per journal folder (a lock file holding the pid; a lock left by a dead process is
 *   taken over).
 *
 * Files: `inbound-<seq>.jsonl`, one JSON object per line ({c: channel, e: externalId, h: chatId,
 * p: payload}). A file is truncated once everything in it is in the database and nothing else is
 * being written, and a new one is started past `maxFileBytes`; a full file is deleted once moved.
 */
import { type FileHandle, mkdir, open, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ChannelName } from "../intake/types.ts";
import { backoffDelay, type Logger, silentLogger, sleep } from "../outbox/support.ts";
import type { StoreUpdateInput } from "./store.ts";

export interface InboundJournalOptions {
  /** The journal's folder (created if missing), e.g. `<DATA_DIR>/inbound-journal`. */
  dir: string;
  logger?: Logger;
  /** Records per move. Default 500. */
  maxBatch?: number;
  /** A new file is started past this size. Default 4 MiB. */
  maxFileBytes?: number;
  /** Records waiting for the database before appends are refused. Default 20 000. */
  maxWaiting?: number;
  /** Bytes waiting for the database before appends are refused. Default 64 MiB. */
  maxWaitingBytes?: number;
  /** First retry delay when the database refuses a move (doubling up to 30 s). Default 500. */
  retryBaseMs?: number;
  random?: () => number;
}

/** An update that cannot be written as JSON (the caller stores it directly, to quarantine it). */
export class JournalEncodeError extends Error {
  override name = "JournalEncodeError";
}

/** The journal holds too much that the database has not taken yet (answer 503). */
export class JournalFullError extends Error {
  override name = "JournalFullError";
}

interface Segment {
  seq: number;
  file: string;
  size: number;
  /** Records written to it. */
  written: number;
  /** Of those, records in the database. */
  moved: number;
}

interface Entry {
  input: StoreUpdateInput;
  bytes: number;
  segment: Segment;
}

interface Waiting {
  lines: string[];
  inputs: StoreUpdateInput[];
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const FILE = /^inbound-(\d{1,12})\.jsonl$/;
const LOCK = "journal.lock";

export class InboundJournal {
  private readonly logger: Logger;
  private readonly maxBatch: number;
  private readonly maxFileBytes: number;
  private readonly maxWaiting: number;
  private readonly maxWaitingBytes: number;
  private readonly retryBaseMs: number;
  private readonly random: () => number;
  private handle: FileHandle | undefined;
  private current: Segment | undefined;
  private readonly old: Segment[] = [];
  /** Appends waiting for the next write. */
  private queue: Waiting[] = [];
  private writing = false;
  /** Written and flushed, not yet in the database. */
  private unmoved: Entry[] = [];
  private unmovedBytes = 0;
  /** Appended (accepted) but not yet in the database, bytes included. */
  private pendingCount = 0;
  private pendingBytes = 0;
  private moving: Promise<void> | undefined;
  /** Stores records in the database (resolves once committed; rejects when it is unavailable). */
  private store: ((inputs: StoreUpdateInput[]) => Promise<unknown>) | undefined;
  private recovered = false;
  private closed = false;
  private movedWaiters: Array<() => void> = [];

  private constructor(
    private readonly options: InboundJournalOptions,
    private readonly lockFile: string,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.maxFileBytes = options.maxFileBytes ?? 4 * 1024 * 1024;
    this.maxWaiting = options.maxWaiting ?? 20_000;
    this.maxWaitingBytes = options.maxWaitingBytes ?? 64 * 1024 * 1024;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.random = options.random ?? Math.random;
  }

  /**
   * Opens the journal's folder for this process: takes the lock and starts a new file after the
   * ones left by an earlier run (which `recover()` moves into the database).
   */
  static async open(options: InboundJournalOptions): Promise<InboundJournal> {
    await mkdir(options.dir, { recursive: true });
    const lockFile = path.join(options.dir, LOCK);
    await takeLock(lockFile);
    const journal = new InboundJournal(options, lockFile);
    try {
      const seqs = await journal.segmentSeqs();
      for (const seq of seqs)
        journal.old.push({ seq, file: journal.fileOf(seq), size: 0, written: 0, moved: 0 });
      await journal.startSegment((seqs.at(-1) ?? 0) + 1);
    } catch (e) {
      await rm(lockFile, { force: true });
      throw e;
    }
    return journal;
  }

  /**
   * Gives the journal its way into the database (the group-commit writer's `store`). Records are
   * moved from then on — unless an earlier run left files, which `recover()` must move first.
   */
  attach(store: (inputs: StoreUpdateInput[]) => Promise<unknown>): void {
    this.store = store;
    if (!this.old.length) this.recovered = true;
    this.kickMover();
  }

  /** Files left by an earlier run that `recover()` has not moved yet. */
  get leftover(): number {
    return this.old.filter((s) => s.written === 0).length;
  }

  /**
   * Moves into the database whatever an earlier run left in the journal (in file and line order),
   * then deletes those files. Call once after `attach`, before processing starts; new appends are
   * accepted meanwhile and moved after them.
   */
  async recover(): Promise<number> {
    if (this.recovered) return 0;
    let count = 0;
    for (const segment of [...this.old]) {
      const inputs = await this.readSegment(segment.file);
      for (let i = 0; i < inputs.length; i += this.maxBatch) {
        await this.storeWithRetry(inputs.slice(i, i + this.maxBatch));
      }
      count += inputs.length;
      await unlink(segment.file).catch(() => {});
      this.old.splice(this.old.indexOf(segment), 1);
    }
    if (count) this.logger.warn({ count }, "inbound journal: moved updates left by the previous run");
    this.recovered = true;
    this.kickMover();
    return count;
  }

  /**
   * Appends updates; resolves once they are on disk (then answer the webhook). Rejects with
   * JournalEncodeError when one cannot be written as JSON, JournalFullError when too much waits
   * for the database, or an I/O error.
   */
  append(inputs: StoreUpdateInput[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the inbound journal is closed"));
    if (!inputs.length) return Promise.resolve();
    let lines: string[];
    try {
      lines = inputs.map(encode);
    } catch (e) {
      return Promise.reject(new JournalEncodeError(e instanceof Error ? e.message : String(e)));
    }
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    if (
      this.pendingCount + inputs.length > this.maxWaiting ||
      this.pendingBytes + bytes > this.maxWaitingBytes
    )
      return Promise.reject(
        new JournalFullError(`${this.pendingCount} updates wait for the database; try again later`),
      );
    this.pendingCount += inputs.length;
    this.pendingBytes += bytes;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ lines, inputs, bytes, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // Requests parsed in this turn of the event loop join the first write.
        setImmediate(() => void this.writeLoop());
      }
    });
  }

  /** Updates appended but not yet in the database. */
  get waiting(): number {
    return this.pendingCount;
  }

  /** Resolves once everything appended so far is in the database (tests, shutdown). */
  moved(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.movedWaiters.push(resolve));
  }

  /**
   * Stops accepting appends, finishes the writes in flight and tries for up to `timeoutMs` to move
   * the rest into the database (what is left stays on disk for the next start), then releases the
   * lock.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing || this.queue.length) await sleep(5);
    if (this.recovered && this.pendingCount) await Promise.race([this.moved(), sleep(timeoutMs)]);
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    await rm(this.lockFile, { force: true });
  }

  // ---------------------------------------------------------------------------------------------

  private async writeLoop(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.maybeRotate();
          const segment = this.current!;
          const text = batch.map((w) => w.lines.join("")).join("");
          const buffer = Buffer.from(text);
          for (let at = 0; at < buffer.length; )
            at += (await this.handle!.write(buffer, at, buffer.length - at)).bytesWritten;
          await this.handle!.datasync();
          segment.size += buffer.length;
          for (const w of batch) {
            segment.written += w.inputs.length;
            for (const [i, input] of w.inputs.entries())
              this.unmoved.push({ input, bytes: Buffer.byteLength(w.lines[i]!), segment });
            this.unmovedBytes += w.bytes;
            w.resolve();
          }
          this.kickMover();
        } catch (err) {
          this.logger.error({ err, count: batch.length }, "inbound journal: could not write to disk");
          for (const w of batch) {
            this.pendingCount -= w.inputs.length;
            this.pendingBytes -= w.bytes;
            w.reject(err);
          }
          this.notifyMoved();
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Before a write: a file whose records are all in the database is truncated (nothing is written
   * meanwhile: the write loop runs one step at a time); a file past maxFileBytes is left to be
   * deleted once moved, and a new one started.
   */
  private async maybeRotate(): Promise<void> {
    const segment = this.current!;
    if (segment.size > 0 && segment.moved === segment.written) {
      await this.handle!.truncate(0);
      segment.size = 0;
      segment.written = 0;
      segment.moved = 0;
      return;
    }
    if (segment.size >= this.maxFileBytes) {
      await this.handle!.close();
      this.old.push(segment);
      await this.startSegment(segment.seq + 1);
    }
  }

  private async startSegment(seq: number): Promise<void> {
    const file = this.fileOf(seq);
    this.handle = await open(file, "a");
    // The new file's name must survive a crash too: flush the folder once.
    await syncDir(this.options.dir);
    this.current = { seq, file, size: 0, written: 0, moved: 0 };
  }

  private kickMover(): void {
    if (!this.store || !this.recovered || this.moving || !this.unmoved.length) return;
    let stopped = false;
    this.moving = this.moveLoop()
      .catch((err) => {
        // Only after close(): the rest stays in the journal's files for the next start.
        stopped = true;
        if (!this.closed) this.logger.error({ err }, "inbound journal: moving stopped");
      })
      .finally(() => {
        this.moving = undefined;
        // Appended while the last move was being recorded.
        if (!stopped) this.kickMover();
      });
  }

  private async moveLoop(): Promise<void> {
    while (this.unmoved.length) {
      const batch = this.unmoved.slice(0, this.maxBatch);
      await this.storeWithRetry(batch.map((e) => e.input));
      this.unmoved.splice(0, batch.length);
      let bytes = 0;
      for (const e of batch) {
        e.segment.moved += 1;
        bytes += e.bytes;
      }
      this.unmovedBytes -= bytes;
      this.pendingCount -= batch.length;
      this.pendingBytes -= bytes;
      // Full files whose records are all in the database.
      for (const segment of [...this.old]) {
        if (segment.written > 0 && segment.moved === segment.written) {
          this.old.splice(this.old.indexOf(segment), 1);
          await unlink(segment.file).catch((err) =>
            this.logger.warn({ err, file: segment.file }, "inbound journal: could not delete a moved file"),
          );
        }
      }
      this.notifyMoved();
    }
  }

  /** Stores until the database takes the records (it only refuses them when it is unavailable). */
  private async storeWithRetry(inputs: StoreUpdateInput[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store!(inputs);
        return;
      } catch (err) {
        // Closed: what is left stays in the journal's files for the next start.
        if (this.closed) throw err;
        const delay = backoffDelay(attempt, this.retryBaseMs, 30_000, this.random);
        this.logger.error(
          { err, count: inputs.length, attempt, retryInMs: delay },
          "inbound journal: the database did not take acknowledged updates; they stay in the journal",
        );
        await sleep(delay);
        if (this.closed) throw err;
      }
    }
  }

  private notifyMoved(): void {
    if (this.pendingCount > 0) return;
    const waiters = this.movedWaiters;
    this.movedWaiters = [];
    for (const w of waiters) w();
  }

  private async readSegment(file: string): Promise<StoreUpdateInput[]> {
    const text = await readFile(file, "utf8");
    const lines = text.split("\n");
    const inputs: StoreUpdateInput[] = [];
    for (const [i, line] of lines.entries()) {
      if (!line) continue;
      const input = decode(line);
      if (input) inputs.push(input);
      else
        this.logger.warn(
          { file, line: i + 1, last: i === lines.length - 1 },
          i === lines.length - 1
            ? "inbound journal: skipped a torn last line (written when the process died; never acknowledged)"
            : "inbound journal: skipped an unreadable line",
        );
    }
    return inputs;
  }

  private async segmentSeqs(): Promise<number[]> {
    const names = await readdir(this.options.dir);
    return names
      .map((n) => FILE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private fileOf(seq: number): string {
    return path.join(this.options.dir, `inbound-${String(seq).padStart(8, "0")}.jsonl`);
  }
}

function encode(input: StoreUpdateInput): string {
  const line = JSON.stringify({
    c: input.channel,
    e: String(input.externalId),
    h: input.chatId === undefined || input.chatId === null ? null : String(input.chatId),
    p: input.payload,
  });
  if (line === undefined) throw new TypeError("the update is not JSON");
  return `${line}\n`;
}

function decode(line: string): StoreUpdateInput | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { c, e, h, p } = value as Record<string, unknown>;
  if (typeof c !== "string" || typeof e !== "string" || !(h === null || typeof h === "string"))
    return undefined;
  return { channel: c as ChannelName, externalId: e, chatId: h, payload: p };
}

/** Takes the folder's lock: refuses when another live process holds it. */
async function takeLock(file: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: "wx" });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
      throw new Error(
        `the inbound journal ${path.dirname(file)} is in use by process ${holder}: one process per data folder`,
      );
    // Left by a process that is gone (or by this one): take it over.
    await rm(file, { force: true });
  }
  throw new Error(`could not take the inbound journal's lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Not every platform can open a folder for fsync (Windows); the file's own flush remains.
  } finally {
    await handle?.close().catch(() => {});
  }
}
