/**
 * In-memory token buckets per key (a chat, a conversation, an address), bounded in size: idle keys
 * (full buckets) are forgotten. One process's view: with several processes on one PostgreSQL each
 * applies the limits on its own, so the effective ceiling is the limit × the number of processes.
 */
import { TokenBucket } from "../outbox/rate-limit.ts";

export interface Rate {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many may come at once after a quiet period. */
  burst: number;
}

export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly rate: Rate,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 50_000,
  ) {}

  /**
   * Takes one token for `key` if there is one; false = over the limit (nothing taken). `at`: the
   * time of the event in ms (e.g. when a stored update arrived), default now.
   */
  tryTake(key: string, at?: number): boolean {
    const now = at ?? this.now();
    const bucket = this.bucket(key, now);
    if (bucket.waitMs(now) > 0) return false;
    bucket.take(now);
    return true;
  }

  /** Milliseconds until `key` has a token again (0 = now). */
  waitMs(key: string, at?: number): number {
    const now = at ?? this.now();
    return this.buckets.get(key)?.waitMs(now) ?? 0;
  }

  private bucket(key: string, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      b = new TokenBucket(this.rate.perSecond, this.rate.burst, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
    // Still full of busy keys (an attack over many keys): forget the oldest half.
    if (this.buckets.size >= this.maxKeys) {
      let n = Math.floor(this.buckets.size / 2);
      for (const key of this.buckets.keys()) {
        if (n-- <= 0) break;
        this.buckets.delete(key);
      }
    }
  }
}
