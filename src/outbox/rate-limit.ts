/**
 * Token buckets that keep the outbox within the messengers' limits: a global rate per channel and
 * a rate per chat with a small burst. In memory: with several worker processes each one applies
 * the limits on its own, so the effective ceiling is the limit × the number of processes — size
 * the limits (or the number of workers) accordingly.
 */
import type { ChannelName } from "../intake/types.ts";
import { sleep as realSleep } from "./support.ts";

export interface ChannelRate {
  /** Messages per second over the whole channel (all chats). */
  perSecond: number;
  /** How many may go at once after a quiet period; default = perSecond. */
  burst?: number;
  /** Messages per second to one chat; absent = no per-chat limit. */
  perChatPerSecond?: number;
  /** Short burst allowed to one chat; default 1. */
  perChatBurst?: number;
}

export type RateLimits = Partial<Record<ChannelName, ChannelRate>>;

/**
 * Telegram: ~30 messages/s per bot and about 1 message/s per chat ("short bursts" tolerated).
 * Zalo documents no figure; 10/s is a cautious default. The local web channel is not limited.
 */
export const defaultRateLimits: RateLimits = {
  telegram: { perSecond: 30, burst: 30, perChatPerSecond: 1, perChatBurst: 3 },
  zalo: { perSecond: 10, burst: 10, perChatPerSecond: 1, perChatBurst: 3 },
};

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    readonly capacity: number,
    now: number,
  ) {
    if (!(perSecond > 0) || !(capacity >= 1))
      throw new RangeError("a token bucket needs perSecond > 0 and capacity ≥ 1");
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
    }
  }

  /** Milliseconds until one token is available (0 = now). Does not take it. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** True when the bucket is full again (an idle chat: its bucket can be forgotten). */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

export interface RateLimiterOptions {
  /** Monotonic milliseconds; default performance.now(). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Global + per-chat buckets per channel. `acquire` resolves when both allow one message. */
export class RateLimiter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly global = new Map<string, TokenBucket>();
  private readonly chats = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: RateLimits,
    options: RateLimiterOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? realSleep;
  }

  private buckets(channel: ChannelName, chatId: string): TokenBucket[] {
    const rate = this.limits[channel];
    if (!rate) return [];
    const now = this.now();
    let g = this.global.get(channel);
    if (!g) {
      g = new TokenBucket(rate.perSecond, rate.burst ?? Math.max(1, rate.perSecond), now);
      this.global.set(channel, g);
    }
    if (!rate.perChatPerSecond) return [g];
    const key = `${channel}:${chatId}`;
    let c = this.chats.get(key);
    if (!c) {
      if (this.chats.size >= 10_000) this.prune(now);
      c = new TokenBucket(rate.perChatPerSecond, rate.perChatBurst ?? 1, now);
      this.chats.set(key, c);
    }
    return [g, c];
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.chats) if (bucket.isFull(now)) this.chats.delete(key);
  }

  /** Waits until one message may go to `chatId` on `channel`, then takes its tokens. */
  async acquire(channel: ChannelName, chatId: string): Promise<void> {
    const buckets = this.buckets(channel, chatId);
    for (;;) {
      const now = this.now();
      const wait = Math.max(0, ...buckets.map((b) => b.waitMs(now)));
      if (wait === 0) {
        for (const b of buckets) b.take(now);
        return;
      }
      await this.sleep(wait);
    }
  }
}
