/**
 * The Monday push through the production runtime, its outbox and the Telegram/Zalo stand-ins, with
 * a controllable clock: exactly one push per period — across ticks, restarts, concurrent ticks and
 * a three-day outage over the push time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createScratchDatabase, dbKinds, type ScratchDatabase } from "../support/db.ts";
import {
  PUBLIC_URL,
  TELEGRAM_BOT_INFO,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  ZALO_SECRET,
  ZALO_TOKEN,
} from "../support/messengers.ts";
import { type StandIn, startTelegramStandIn, startZaloStandIn } from "../support/standins.ts";
import { seedFixture } from "./fixture.ts";

const kinds = await dbKinds();
/** Việt Nam local time → instant. */
const vn = (local: string) => new Date(`${local}+07:00`);

describe.each(kinds)("weekly digest push on %s", (kind) => {
  let telegram: StandIn;
  let zaloApi: StandIn;
  let scratch: ScratchDatabase | undefined;
  let dir: string | undefined;
  let rt: Runtime | undefined;
  const clock = { now: vn("2026-11-30T00:10:00") };

  afterEach(async () => {
    await rt?.close().catch(() => {});
    await Promise.allSettled([telegram?.close(), zaloApi?.close()]);
    await scratch?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function boot(): Promise<Runtime> {
    rt = await createRuntime(
      {
        ...(scratch ? { DATA_DIR: "unused", DATABASE_URL: scratch.url } : { DATA_DIR: dir! }),
        LOG_LEVEL: "silent",
        PUBLIC_URL,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        ZALO_WEBHOOK_SECRET: ZALO_SECRET,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.url,
        ZALO_BOT_TOKEN: ZALO_TOKEN,
        ZALO_API_BASE: zaloApi.url,
        DIGEST_CHATS: [
          { channel: "telegram", chatId: "777" },
          { channel: "zalo", chatId: "z-leader" },
        ],
        DIGEST_SCHEDULE: { weekday: 1, minute: 7 * 60 + 30 },
      },
      {
        now: () => clock.now,
        classifierDir: "/nonexistent/hopthu-model",
        telegramBotInfo: TELEGRAM_BOT_INFO,
        outboxPolicy: { baseDelayMs: 50, maxDelayMs: 500, lockMs: 5_000, pollIntervalMs: 100 },
        rateLimits: false,
        // Only the tick at start runs by itself; the test ticks by hand.
        digestTickMs: 3_600_000,
      },
    );
    return rt;
  }

  const photos = (s: StandIn, chat: string) =>
    s.of("sendPhoto").filter((c) => String(c.body.chat_id) === chat && !c.failure);

  it("once per week: at start (catch-up), at the scheduled time, never twice; again after a three-day outage", async () => {
    [telegram, zaloApi] = await Promise.all([startTelegramStandIn(), startZaloStandIn()]);
    if (kind === "postgres") scratch = await createScratchDatabase();
    else dir = await mkdtemp(path.join(tmpdir(), "hopthu-digest-"));

    // Monday 30/11 00:10: week 48's push time (07:30) has not come; week 47's has (catch-up).
    let r = await boot();
    await seedFixture(r.db);
    await r.start();
    await telegram.waitFor(() => photos(telegram, "777").length === 1);
    expect(String(photos(telegram, "777")[0]!.body.caption)).toContain("Tuần 47/2026");
    expect((await r.digest.scheduler.tick())?.pushed).toBe(false);

    // 07:31: week 48 goes out, to both chats, chart then summary with the link.
    clock.now = vn("2026-11-30T07:31:00");
    const [a, b] = await Promise.all([r.digest.scheduler.tick(), r.digest.scheduler.tick()]);
    expect([a?.pushed, b?.pushed].filter(Boolean)).toHaveLength(1);
    await telegram.waitFor(
      () => photos(telegram, "777").length === 2 && telegram.deliveredTo("777").length === 2,
    );
    await zaloApi.waitFor(
      () => photos(zaloApi, "z-leader").length === 2 && zaloApi.deliveredTo("z-leader").length === 2,
    );
    const photo = photos(telegram, "777")[1]!;
    const caption = String(photo.body.caption);
    expect(caption).toContain("Tuần 48/2026 (23/11–29/11/2026)");
    expect(caption).toContain("Tiếp nhận: 12 (+300% so với tuần trước)");
    expect(caption).toContain("Quá hạn: 1 / 14 đang giải quyết");
    const summary = telegram.deliveredTo("777")[1]!;
    expect(summary).toContain(`${PUBLIC_URL}/digest?period=2026-W48&scope=city`);
    expect(summary).toContain("C06 — Quá hạn 9 ngày");
    // The chart the messengers fetch is a PNG served by the app.
    const url = new URL(String(photo.body.photo));
    expect(url.origin).toBe(PUBLIC_URL);
    const png = await r.app.request(url.pathname);
    expect(png.status).toBe(200);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(String(photos(zaloApi, "z-leader")[1]!.body.photo)).toBe(String(photo.body.photo));
    expect((await r.app.request("/digest/chart/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png")).status).toBe(404);

    // A restart the same morning sends nothing again.
    clock.now = vn("2026-11-30T08:00:00");
    await r.close();
    r = await boot();
    await r.start();
    expect((await r.digest.scheduler.tick())?.pushed).toBe(false);

    // Down from Sunday 06/12 20:00 to Wednesday 09/12 09:00 (over Monday 07:30): week 49 goes out at
    // the restart, once.
    clock.now = vn("2026-12-06T20:00:00");
    expect((await r.digest.scheduler.tick())?.pushed).toBe(false);
    await r.close();
    clock.now = vn("2026-12-09T09:00:00");
    r = await boot();
    await r.start();
    await telegram.waitFor(() => photos(telegram, "777").length === 3);
    expect(String(photos(telegram, "777")[2]!.body.caption)).toContain("Tuần 49/2026");
    expect((await r.digest.scheduler.tick())?.pushed).toBe(false);
    await new Promise((res) => setTimeout(res, 500));

    expect(photos(telegram, "777")).toHaveLength(3);
    expect(photos(zaloApi, "z-leader")).toHaveLength(3);
    expect(telegram.deliveredTo("777")).toHaveLength(3);
    expect(zaloApi.deliveredTo("z-leader")).toHaveLength(3);
    const pushes = await r.db.digestPush.findMany({
      orderBy: { periodStart: "asc" },
      select: { periodKey: true },
    });
    expect(pushes.map((p) => p.periodKey)).toEqual(["2026-W47", "2026-W48", "2026-W49"]);
  }, 300_000);
});
