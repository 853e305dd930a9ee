/** The deadline badge of a case: overdue, due within two working days, on time, or done. */
import { localDate, workingDaysBetween } from "../case/calendar.ts";
import type { ReferenceData } from "../data/index.ts";
import { formatDate } from "../i18n/vi.ts";
import { soonLimit } from "./list.ts";

export interface Badge {
  tone: "overdue" | "soon" | "ok" | "done";
  text: string;
}

export function deadlineBadge(
  c: { status: string; dueAt: Date | null },
  now: Date,
  data: ReferenceData,
): Badge {
  if (c.status === "closed" || c.status === "rejected" || c.status === "answered")
    return { tone: "done", text: c.dueAt ? `Hạn ${formatDate(c.dueAt)}` : "Đã xong" };
  if (!c.dueAt) return { tone: "ok", text: "Chưa có hạn" };
  const days = workingDaysBetween(data.calendar, localDate(now), localDate(c.dueAt));
  if (c.dueAt < now) {
    const late = Math.max(1, workingDaysBetween(data.calendar, localDate(c.dueAt), localDate(now)));
    return { tone: "overdue", text: `Quá hạn ${late} ngày làm việc` };
  }
  if (c.dueAt <= soonLimit(now, data))
    return { tone: "soon", text: days <= 0 ? "Hết hạn hôm nay" : `Còn ${days} ngày làm việc` };
  return { tone: "ok", text: `Hạn ${formatDate(c.dueAt)}` };
}
