/**
 * Small pieces shared by the outbox worker and the inbound processor: the injectable clock, a
 * pino-compatible logger, backoff with jitter and a wake-up signal for polling loops.
 */
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * A Prisma client or the client of an interactive transaction (`db.$transaction(async (tx) => …)`):
 * what the store functions accept, so a producer can enqueue in the same transaction as its writes.
 */
export type DbClient = Prisma.TransactionClient;

/** The time the worker and processor reason with; tests inject one they can move forward. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The subset of pino's API used here; a pino logger fits as is. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * Exponential backoff with "equal jitter": the delay before attempt `attempt + 1` lies in
 * [d/2, d] with d = min(maxMs, baseMs · 2^(attempt−1)), so retries spread out but never come
 * sooner than half the nominal delay.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const nominal = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/** A readable, bounded description of an error for the `lastError` column. */
export function errorText(err: unknown, max = 2000): string {
  let text: string;
  if (err instanceof Error) text = `${err.name}: ${err.message}`;
  else if (typeof err === "string") text = err;
  else {
    try {
      text = JSON.stringify(err) ?? String(err);
    } catch {
      text = String(err);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Wakes a polling loop early. One waiter at a time (the loop); a notification that arrives while
 * nobody waits is remembered, so it is never lost between two passes.
 */
export class Wakeup {
  private pending = false;
  private wake: (() => void) | undefined;

  notify(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** Resolves after `ms`, or at once when notified (now or since the last wait). */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PeriodicJob {
  start(): void;
  /** Ends the loop after the run in progress, if any. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` (the first time after `firstDelayMs`, default `intervalMs`) until
 * stopped. A run that throws is logged and the loop goes on; runs never overlap.
 */
export function periodicJob(
  run: () => Promise<unknown>,
  options: { intervalMs: number; firstDelayMs?: number; logger?: Logger; name: string },
): PeriodicJob {
  const logger = options.logger ?? silentLogger;
  const wakeup = new Wakeup();
  let stopping = false;
  let loop: Promise<void> | undefined;
  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        let delay = options.firstDelayMs ?? options.intervalMs;
        while (!stopping) {
          await wakeup.wait(delay);
          delay = options.intervalMs;
          if (stopping) break;
          try {
            await run();
          } catch (err) {
            logger.error({ err, job: options.name }, `${options.name} failed; tried again later`);
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      wakeup.notify();
      await loop;
      loop = undefined;
    },
  };
}
