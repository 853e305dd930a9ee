/** The in-memory token buckets, on virtual time. */
import { describe, expect, it } from "vitest";
import { defaultRateLimits, RateLimiter, TokenBucket } from "../../src/outbox/rate-limit.ts";

describe("TokenBucket", () => {
  it("allows a burst, then one token per 1/rate seconds", () => {
    const b = new TokenBucket(2, 3, 0);
    for (let i = 0; i < 3; i++) {
      expect(b.waitMs(0)).toBe(0);
      b.take(0);
    }
    expect(b.waitMs(0)).toBe(500);
    expect(b.waitMs(250)).toBe(250);
    expect(b.waitMs(500)).toBe(0);
    expect(b.isFull(500)).toBe(false);
    expect(b.isFull(10_000)).toBe(true); // never above capacity
    b.take(10_000);
    b.take(10_000);
    b.take(10_000);
    expect(b.waitMs(10_000)).toBe(500);
  });

  it("rejects nonsense rates", () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
  });
});

describe("RateLimiter", () => {
  function virtual() {
    let now = 0;
    return {
      get now() {
        return now;
      },
      options: {
        now: () => now,
        // Concurrent sleepers wake at their own deadlines, not at the sum of their waits.
        sleep: async (ms: number) => {
          const target = now + ms;
          await Promise.resolve();
          now = Math.max(now, target);
        },
      },
    };
  }

  it("limits one chat to its rate after its burst (Telegram: 1/s, burst 3)", async () => {
    const v = virtual();
    const limiter = new RateLimiter(defaultRateLimits, v.options);
    const at: number[] = [];
    for (let i = 0; i < 6; i++) {
      await limiter.acquire("telegram", "chat");
      at.push(v.now);
    }
    expect(at).toEqual([0, 0, 0, 1_000, 2_000, 3_000]);
  });

  it("limits the whole channel (Telegram: 30/s) across chats", async () => {
    const v = virtual();
    const limiter = new RateLimiter(defaultRateLimits, v.options);
    for (let i = 0; i < 90; i++) await limiter.acquire("telegram", `chat${i}`);
    // 30 at once, then 60 more at 30 per second.
    expect(v.now).toBeGreaterThanOrEqual(1_990);
    expect(v.now).toBeLessThanOrEqual(2_010);
  });

  it("uses the Zalo default of 10/s and leaves unlisted channels alone", async () => {
    const v = virtual();
    const limiter = new RateLimiter(defaultRateLimits, v.options);
    for (let i = 0; i < 20; i++) await limiter.acquire("zalo", `chat${i}`);
    expect(v.now).toBeGreaterThanOrEqual(990);
    expect(v.now).toBeLessThanOrEqual(1_010);
    const before = v.now;
    for (let i = 0; i < 1_000; i++) await limiter.acquire("web", "w");
    expect(v.now).toBe(before);
  });
});
