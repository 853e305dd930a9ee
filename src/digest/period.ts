/**
 * Digest periods in Việt Nam's time zone (Asia/Ho_Chi_Minh): a week runs Monday 00:00 to the next
 * Monday 00:00 local time (ISO weeks), a half-year 1/1–30/6 or 1/7–31/12, a year 1/1–31/12, or any
 * range of local dates. Pure (date-fns with @date-fns/tz).
 */
import { tz } from "@date-fns/tz";
// One module per function: the package index would load all ~300 of date-fns's modules.
import { addDays } from "date-fns/addDays";
import { addMonths } from "date-fns/addMonths";
import { addWeeks } from "date-fns/addWeeks";
import { addYears } from "date-fns/addYears";
import { differenceInCalendarDays } from "date-fns/differenceInCalendarDays";
import { format } from "date-fns/format";
import { getISOWeek } from "date-fns/getISOWeek";
import { getISOWeekYear } from "date-fns/getISOWeekYear";
import { parseISO } from "date-fns/parseISO";
import { startOfDay } from "date-fns/startOfDay";
import { startOfWeek } from "date-fns/startOfWeek";
import { startOfYear } from "date-fns/startOfYear";

export const VN_TZ = "Asia/Ho_Chi_Minh";
const inVn = tz(VN_TZ);

export type PeriodKind = "week" | "half" | "year" | "range";

export interface Period {
  kind: PeriodKind;
  /** e.g. 2026-W48, 2026-H2, 2026, 2026-11-01..2026-11-30 */
  key: string;
  /** First local date (YYYY-MM-DD). */
  from: string;
  /** Last local date, inclusive. */
  to: string;
  /** Instant the period starts (local midnight of `from`). */
  start: Date;
  /** Instant the period ends, exclusive (local midnight after `to`). */
  end: Date;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Local midnight of a YYYY-MM-DD date in Việt Nam. */
export function localMidnight(date: string): Date {
  if (!DATE.test(date) || Number.isNaN(parseISO(date).getTime())) throw new RangeError(`not a date: ${date}`);
  return new Date(startOfDay(parseISO(date, { in: inVn })).getTime());
}

/** The local date (Việt Nam) of an instant. */
export function vnDate(instant: Date): string {
  return format(instant, "yyyy-MM-dd", { in: inVn });
}

function build(kind: PeriodKind, key: string, start: Date, end: Date): Period {
  return {
    kind,
    key,
    start: new Date(start.getTime()),
    end: new Date(end.getTime()),
    from: vnDate(start),
    to: vnDate(new Date(end.getTime() - 1)),
  };
}

/** The ISO week (Monday–Sunday, Việt Nam time) containing `instant`. */
export function weekOf(instant: Date): Period {
  const start = startOfWeek(instant, { weekStartsOn: 1, in: inVn });
  const end = addWeeks(start, 1);
  const key = `${getISOWeekYear(start)}-W${String(getISOWeek(start)).padStart(2, "0")}`;
  return build("week", key, start, end);
}

/** The half-year (1/1–30/6 or 1/7–31/12, Việt Nam time) containing `instant`. */
export function halfOf(instant: Date): Period {
  const year = startOfYear(instant, { in: inVn });
  const second = Number(format(instant, "M", { in: inVn })) > 6;
  const start = second ? addMonths(year, 6) : year;
  return build(
    "half",
    `${format(year, "yyyy", { in: inVn })}-H${second ? 2 : 1}`,
    start,
    addMonths(start, 6),
  );
}

/** The calendar year (Việt Nam time) containing `instant`. */
export function yearOf(instant: Date): Period {
  const start = startOfYear(instant, { in: inVn });
  return build("year", format(start, "yyyy", { in: inVn }), start, addYears(start, 1));
}

/** Local dates `from`..`to`, both included. */
export function rangePeriod(from: string, to: string): Period {
  const start = localMidnight(from);
  const end = new Date(addDays(localMidnight(to), 1, { in: inVn }).getTime());
  if (end <= start) throw new RangeError(`the period ends before it starts: ${from}..${to}`);
  // A range that is exactly an ISO week, half-year or year is that period (so it compares alike).
  for (const p of [weekOf(start), halfOf(start), yearOf(start)])
    if (p.start.getTime() === start.getTime() && p.end.getTime() === end.getTime()) return p;
  return build("range", `${from}..${to}`, start, end);
}

/** The period of the same kind and length right before `p`. */
export function previousPeriod(p: Period): Period {
  const before = new Date(p.start.getTime() - 1);
  switch (p.kind) {
    case "week":
      return weekOf(before);
    case "half":
      return halfOf(before);
    case "year":
      return yearOf(before);
    default: {
      const days = differenceInCalendarDays(p.end, p.start, { in: inVn });
      const start = addDays(p.start, -days, { in: inVn });
      return build("range", `${vnDate(start)}..${vnDate(before)}`, start, p.start);
    }
  }
}

/** The `n` periods before `p`, nearest first. */
export function precedingPeriods(p: Period, n: number): Period[] {
  const out: Period[] = [];
  let cur = p;
  for (let i = 0; i < n; i++) {
    cur = previousPeriod(cur);
    out.push(cur);
  }
  return out;
}

/** Parses a period key as `periodKey` writes it (2026-W48, 2026-H2, 2026, 2026-11-01..2026-11-30). */
export function parsePeriodKey(key: string): Period {
  let m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (m) {
    // The Thursday of ISO week 1 is in January 4th's week.
    const jan4 = localMidnight(`${m[1]}-01-04`);
    return weekOf(addWeeks(jan4, Number(m[2]) - 1));
  }
  m = /^(\d{4})-H([12])$/.exec(key);
  if (m) return halfOf(localMidnight(`${m[1]}-${m[2] === "1" ? "01" : "07"}-01`));
  m = /^(\d{4})$/.exec(key);
  if (m) return yearOf(localMidnight(`${m[1]}-01-01`));
  m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(key);
  if (m) return rangePeriod(m[1]!, m[2]!);
  throw new RangeError(`not a period: ${key}`);
}

/** Whole days from `a` to `b` (b later → positive), for ages and overdue days. */
export function daysBetween(a: Date, b: Date): number {
  return Math.floor((b.getTime() - a.getTime()) / 86_400_000);
}

/** "Tuần 48/2026 (23/11–29/11/2026)", "6 tháng đầu năm 2026", "Năm 2026", "01/11/2026–30/11/2026". */
export function periodLabel(p: Period): string {
  const d = (s: string) => `${s.slice(8, 10)}/${s.slice(5, 7)}`;
  const y = (s: string) => s.slice(0, 4);
  switch (p.kind) {
    case "week":
      return `Tuần ${Number(p.key.slice(6))}/${p.key.slice(0, 4)} (${d(p.from)}–${d(p.to)}/${y(p.to)})`;
    case "half":
      return `${p.key.endsWith("H1") ? "6 tháng đầu năm" : "6 tháng cuối năm"} ${p.key.slice(0, 4)}`;
    case "year":
      return `Năm ${p.key}`;
    default:
      return `${d(p.from)}/${y(p.from)}–${d(p.to)}/${y(p.to)}`;
  }
}
