/**
 * Group commit for webhook acknowledgements: requests that arrive while a write is in flight are
 * stored together by the next write — one multi-row INSERT, one round trip, one commit — and each
 * request is answered only after the write that holds it has committed (durability unchanged: a
 * 200 still means "stored"). Under load the batch grows by itself; at rest a request is written at
 * once (no timer to wait for).
 *
 * On the embedded database (one connection for everything) the writer also tells the processor
 * when acknowledgements are waiting (`pending`/`idle()`), so processing steps aside for them.
 */
import type { DbClient, Logger } from "../outbox/support.ts";
import { type StoreUpdateInput, type StoreUpdateResult, storeUpdates } from "./store.ts";

export interface InboundWriterOptions {
  db: DbClient;
  logger?: Logger;
  /** Most updates in one INSERT. Default 500. */
  maxBatch?: number;
  /** Called after each write that stored something new (kick the processor). */
  onStored?: (results: StoreUpdateResult[], inputs: StoreUpdateInput[]) => void;
}

interface Waiting {
  inputs: StoreUpdateInput[];
  resolve: (r: StoreUpdateResult[]) => void;
  reject: (e: unknown) => void;
}

export class InboundWriter {
  private queue: Waiting[] = [];
  private queued = 0;
  private writing = false;
  private idleWaiters: Array<() => void> = [];
  private readonly maxBatch: number;

  constructor(private readonly options: InboundWriterOptions) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
  }

  /** Stores these updates (all in the same statement); resolves once they are committed. */
  store(inputs: StoreUpdateInput[]): Promise<StoreUpdateResult[]> {
    if (!inputs.length) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, resolve, reject });
      this.queued += inputs.length;
      if (!this.writing) {
        this.writing = true;
        // Let the requests already parsed in this turn of the event loop join the first write.
        setTimeout(() => void this.drain(), 0);
      }
    });
  }

  /** Acknowledgements are waiting or being written. */
  get pending(): boolean {
    return this.writing || this.queue.length > 0;
  }

  /**
   * Resolves when no acknowledgement is waiting (at once if none), or after `maxWaitMs` at the
   * latest (so that work stepping aside for acknowledgements still moves under a constant flow).
   */
  idle(maxWaitMs?: number): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
      if (maxWaitMs !== undefined) timer = setTimeout(done, maxWaitMs);
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch: Waiting[] = [];
        let n = 0;
        // Whole requests only (a webhook's batch stays in one statement); at least one.
        while (
          this.queue.length &&
          (batch.length === 0 || n + this.queue[0]!.inputs.length <= this.maxBatch)
        ) {
          const w = this.queue.shift()!;
          n += w.inputs.length;
          batch.push(w);
        }
        this.queued -= n;
        const inputs = batch.flatMap((w) => w.inputs);
        try {
          const results = await storeUpdates(this.options.db, inputs, {
            ...(this.options.logger ? { logger: this.options.logger } : {}),
          });
          let i = 0;
          for (const w of batch) {
            w.resolve(results.slice(i, i + w.inputs.length));
            i += w.inputs.length;
          }
          if (results.some((r) => r.stored)) this.options.onStored?.(results, inputs);
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
