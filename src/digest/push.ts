/**
 * The weekly push: every week at the configured time (DIGEST_SCHEDULE, Việt Nam time; default
 * Monday 07:30) the digest of the week just ended goes to the leaders' chats (DIGEST_CHATS) as the
 * key chart with a short caption, then the summary and a link — through the outbox, so delivery is
 * retried and ordered like every other message.
 *
 * Once per period: a DigestPush row, unique per (period, scope), is inserted in the same transaction
 * as the outbox messages; a second tick, a restart or a second process finds it and sends nothing.
 * Catching up: each tick pushes the latest period whose time has come if it was not pushed — after
 * an outage that spans the push time the digest goes out at the next start (only the latest
 * missed week: older ones stay readable on the page, not pushed late into the leaders' chats).
 */
import { randomBytes } from "node:crypto";
import { digestStrings as S } from "../i18n/digest.ts";
import { enqueue } from "../outbox/store.ts";
import type { Logger } from "../outbox/support.ts";
import type { DigestChat, PushSchedule } from "./config.ts";
import type { Digest } from "./figures.ts";
import { type Period, periodLabel, previousPeriod, weekOf } from "./period.ts";
import { buildDigest, type DigestDeps, parseScope, scopeKey } from "./service.ts";
import type { Narrative } from "./summary.ts";

export interface DigestPushDeps extends DigestDeps {
  chats: readonly DigestChat[];
  schedule: PushSchedule;
  /** city | agency:<id> | commune:<id> */
  scope: string;
  /** Public base URL: the chart image and the link need it (without it the push is text only). */
  publicUrl?: string | undefined;
  onQueued?: () => void;
  logger: Logger;
}

/** When the digest of `week` is due: the scheduled weekday and time after the week ended. */
export function pushTime(week: Period, schedule: PushSchedule): Date {
  // week.end is Monday 00:00 in Việt Nam; weekday 1 (Monday) → +0 days, 0 (Sunday) → +6 days.
  const days = (schedule.weekday + 6) % 7;
  return new Date(week.end.getTime() + days * 86_400_000 + schedule.minute * 60_000);
}

/** The latest week whose push time has come at `now`. */
export function duePeriod(now: Date, schedule: PushSchedule): Period {
  let week = previousPeriod(weekOf(now));
  while (pushTime(week, schedule).getTime() > now.getTime()) week = previousPeriod(week);
  return week;
}

const n = (x: number) => x.toLocaleString("vi-VN");
const pct = (x: number | null) => (x === null ? "—" : `${x.toLocaleString("vi-VN")}%`);

/** The caption under the chart: the figures a leader checks first. */
export function pushCaption(d: Digest): string {
  const t = d.totals;
  const ch = t.received.changePct;
  return [
    S.pushTitle(periodLabel(d.period)),
    d.scope.name,
    `• Tiếp nhận: ${n(t.received.current)}${ch === null ? "" : ` (${ch > 0 ? "+" : ""}${n(ch)}% so với tuần trước)`}`,
    `• Đã trả lời: ${n(t.answered.current)} · đúng hạn ${pct(t.onTimeRate)}`,
    `• Quá hạn: ${n(t.overdueAtEnd)} / ${n(t.openAtEnd)} đang giải quyết`,
    `• Điểm nóng: ${
      d.hotSpots.length
        ? d.hotSpots
            .slice(0, 2)
            .map((h) => `${h.label} (${h.count})`)
            .join("; ")
        : "không"
    }`,
    `• Hài lòng: ${d.satisfaction.average === null ? "—" : `${d.satisfaction.average.toLocaleString("vi-VN")}/5`}`,
  ].join("\n");
}

export function pushText(d: Digest, narrative: Narrative, link: string | undefined): string {
  const lines = [narrative.text];
  if (d.attention.length) {
    lines.push("", `${S.attention}:`);
    for (const a of d.attention.slice(0, 3)) lines.push(`• ${a.code} — ${a.reason} (${a.agency})`);
  }
  if (link) lines.push("", S.pushLink(link));
  return lines.join("\n");
}

export type PushOutcome =
  | { pushed: true; periodKey: string; chats: number }
  | { pushed: false; periodKey: string | null; reason: "no chats" | "already pushed" };

export async function runDigestPush(deps: DigestPushDeps): Promise<PushOutcome> {
  if (!deps.chats.length) return { pushed: false, periodKey: null, reason: "no chats" };
  const period = duePeriod(deps.now(), deps.schedule);
  const scope = parseScope(deps.scope, deps.data);
  const key = scopeKey(scope);
  const existing = await deps.db.digestPush.findUnique({
    where: { periodKey_scope: { periodKey: period.key, scope: key } },
    select: { id: true },
  });
  if (existing) return { pushed: false, periodKey: period.key, reason: "already pushed" };

  const report = await buildDigest(deps, { period, scope });
  // The chart renderers load with the first push (they are not needed by an idle server).
  const { renderCharts, svgToPng } = await import("./charts.ts");
  const charts = await renderCharts(report.digest);
  const png = svgToPng(charts.weekly);
  const token = randomBytes(24).toString("base64url");
  const base = deps.publicUrl?.replace(/\/+$/, "");
  const photoUrl = base ? `${base}/digest/chart/${token}.png` : undefined;
  const link = base ? `${base}/digest?${new URLSearchParams({ period: period.key, scope: key })}` : undefined;
  const caption = pushCaption(report.digest);
  const text = pushText(report.digest, report.narrative, link);

  const created = await deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO "DigestPush" ("id", "scope", "periodKey", "periodStart", "periodEnd", "chart", "chartToken", "chats")
      VALUES (gen_random_uuid(), ${key}, ${period.key}, ${period.start}, ${period.end}, ${png}, ${token},
              ${JSON.stringify(deps.chats.map((c) => `${c.channel}:${c.chatId}`))}::jsonb)
      ON CONFLICT ("periodKey", "scope") DO NOTHING
      RETURNING "id"`;
    if (!rows.length) return false;
    for (const chat of deps.chats) {
      const dedupe = `digest:${key}:${period.key}:${chat.channel}:${chat.chatId}`;
      await enqueue(tx, {
        dedupeKey: `${dedupe}:chart`,
        channel: chat.channel,
        chatId: chat.chatId,
        text: caption,
        ...(photoUrl ? { photoUrl } : {}),
      });
      await enqueue(tx, { dedupeKey: `${dedupe}:summary`, channel: chat.channel, chatId: chat.chatId, text });
    }
    return true;
  });
  if (!created) return { pushed: false, periodKey: period.key, reason: "already pushed" };
  if (!photoUrl)
    deps.logger.warn(
      { period: period.key },
      "digest push: no PUBLIC_URL, the chart and the link are left out",
    );
  deps.logger.info({ period: period.key, scope: key, chats: deps.chats.length }, "digest push queued");
  deps.onQueued?.();
  return { pushed: true, periodKey: period.key, chats: deps.chats.length };
}

/** Runs `runDigestPush` at start and then every `intervalMs` (default one minute). */
export class DigestScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: DigestPushDeps,
    private readonly intervalMs = 60_000,
  ) {}

  /** One check (tests call it with their clock). */
  async tick(): Promise<PushOutcome | undefined> {
    try {
      return await runDigestPush(this.deps);
    } catch (err) {
      this.deps.logger.error({ err }, "digest push failed; retried at the next tick");
      return undefined;
    }
  }

  start(): void {
    if (!this.stopped || !this.deps.chats.length) return;
    this.stopped = false;
    const loop = async () => {
      this.running = this.tick();
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
