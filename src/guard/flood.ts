/**
 * Flood limits on incoming messages: per chat (one person writing faster than anyone types) and
 * overall (more than the bot should answer at once).
 *
 * A chat over its limit gets ONE polite notice per flood; its further messages are kept (stored,
 * never lost) but not answered until it slows down, so one chat cannot queue thousands of replies.
 * The overall limit answers web chat requests with 429 and a notice; messenger updates are never
 * refused for it (they are stored; processing simply drains at its own pace).
 */
import { KeyedLimiter, type Rate } from "./limiter.ts";

export interface FloodLimits {
  /** Per chat. Default 30 messages at once (a citizen tapping through the dialogue), then 1 a second. */
  perChat?: Rate;
  /** Over all chats of the web chat (answered synchronously). Default 200/s, burst 400. */
  global?: Rate;
}

export const defaultFloodLimits: Required<FloodLimits> = {
  perChat: { perSecond: 1, burst: 30 },
  global: { perSecond: 200, burst: 400 },
};

export type FloodVerdict =
  /** Answer as usual. */
  | { kind: "ok" }
  /** Over the chat's limit, first time in this flood: send the notice (waitSeconds until it may write again). */
  | { kind: "notify"; waitSeconds: number }
  /** Over the chat's limit, already told: keep the message, answer nothing. */
  | { kind: "silent" };

export class FloodGuard {
  private readonly chats: KeyedLimiter;
  private readonly global: KeyedLimiter;
  /** Chats told about their flood, until they are allowed again. */
  private readonly notified = new Set<string>();

  constructor(limits: FloodLimits = {}, now: () => number = () => performance.now()) {
    this.chats = new KeyedLimiter(limits.perChat ?? defaultFloodLimits.perChat, now);
    this.global = new KeyedLimiter(limits.global ?? defaultFloodLimits.global, now);
  }

  /**
   * One incoming message of `chatKey` (e.g. "telegram:12345"), received at `at` ms (default now;
   * stored updates pass their arrival time, so a backlog processed late is not taken for a flood).
   */
  chat(chatKey: string, at?: number): FloodVerdict {
    if (this.chats.tryTake(chatKey, at)) {
      this.notified.delete(chatKey);
      return { kind: "ok" };
    }
    if (this.notified.has(chatKey)) return { kind: "silent" };
    if (this.notified.size > 50_000) this.notified.clear();
    this.notified.add(chatKey);
    return { kind: "notify", waitSeconds: Math.max(1, Math.ceil(this.chats.waitMs(chatKey, at) / 1000)) };
  }

  /** One request over the whole system; false = refuse it for now (429). */
  overall(): boolean {
    return this.global.tryTake("*");
  }
}
