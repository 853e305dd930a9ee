/**
 * The working calendar of state agencies in Việt Nam: Monday–Friday, minus public holidays, plus
 * the Saturdays worked in compensation — all as data (data/holidays.json). Dates are local dates
 * in Asia/Ho_Chi_Minh, which is UTC+7 all year (no daylight saving), so plain arithmetic suffices.
 */
export const VN_OFFSET_MS = 7 * 3600_000;

/** A local calendar date "YYYY-MM-DD". */
export type LocalDate = string;

export interface CalendarData {
  holidays: { date: LocalDate; name: string }[];
  workingWeekends: { date: LocalDate; name: string }[];
}

export interface Calendar {
  isWorkingDay(date: LocalDate): boolean;
  holidayName(date: LocalDate): string | undefined;
}

export function createCalendar(data: CalendarData): Calendar {
  const holidays = new Map(data.holidays.map((h) => [h.date, h.name]));
  const working = new Set(data.workingWeekends.map((w) => w.date));
  return {
    isWorkingDay(date) {
      if (working.has(date)) return true;
      if (holidays.has(date)) return false;
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
      return dow !== 0 && dow !== 6;
    },
    holidayName: (date) => holidays.get(date),
  };
}

/** The local date (Việt Nam) of an instant. */
export function localDate(instant: Date): LocalDate {
  return new Date(instant.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

export function addDays(date: LocalDate, n: number): LocalDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The instant a local date ends (23:59:59.999 in Việt Nam). */
export function endOfLocalDay(date: LocalDate): Date {
  return new Date(new Date(`${date}T23:59:59.999Z`).getTime() - VN_OFFSET_MS);
}

/** The n-th working day after `date` (the start day itself is not counted). */
export function addWorkingDays(calendar: Calendar, date: LocalDate, n: number): LocalDate {
  let d = date;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (calendar.isWorkingDay(d)) left--;
  }
  return d;
}

/** `date` itself if it is a working day, else the next working day. */
export function nextWorkingDayFrom(calendar: Calendar, date: LocalDate): LocalDate {
  let d = date;
  while (!calendar.isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/** Working days strictly after `from` up to and including `to` (negative when `to` is earlier). */
export function workingDaysBetween(calendar: Calendar, from: LocalDate, to: LocalDate): number {
  if (to === from) return 0;
  const sign = to > from ? 1 : -1;
  let count = 0;
  let d = from;
  while (d !== to) {
    d = addDays(d, sign);
    if (calendar.isWorkingDay(d)) count += sign;
  }
  return count;
}
