/**
 * Limits tracking-code look-ups, so codes cannot be guessed by brute force: per conversation and
 * per address (the web client's IP address; on Telegram and Zalo the sender's account). A
 * look-up of a code that exists and a miss both count; the limits leave a citizen with a few
 * cases plenty of room (default 10 at once, then one a minute per conversation; 30 at once, then
 * one every 20 s per address).
 */
import { KeyedLimiter, type Rate } from "./limiter.ts";

export interface LookupLimits {
  perConversation?: Rate;
  perAddress?: Rate;
}

export const defaultLookupLimits: Required<LookupLimits> = {
  perConversation: { perSecond: 1 / 60, burst: 10 },
  perAddress: { perSecond: 1 / 20, burst: 30 },
};

export class LookupGuard {
  private readonly conversations: KeyedLimiter;
  private readonly addresses: KeyedLimiter;

  constructor(limits: LookupLimits = {}, now: () => number = () => performance.now()) {
    this.conversations = new KeyedLimiter(limits.perConversation ?? defaultLookupLimits.perConversation, now);
    this.addresses = new KeyedLimiter(limits.perAddress ?? defaultLookupLimits.perAddress, now);
  }

  /**
   * One look-up: null = allowed (a token taken from both), else the minutes to wait. A refused
   * look-up takes nothing, so a citizen who waits gets through.
   */
  take(conversationKey: string, addressKey: string): number | null {
    const wait = Math.max(this.conversations.waitMs(conversationKey), this.addresses.waitMs(addressKey));
    if (wait > 0) return Math.max(1, Math.ceil(wait / 60_000));
    if (!this.conversations.tryTake(conversationKey)) return 1;
    if (!this.addresses.tryTake(addressKey)) return 1;
    return null;
  }
}
