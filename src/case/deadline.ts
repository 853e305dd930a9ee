/**
 * Legal deadlines of a case, by kind: an acceptance deadline (accept or refuse; first answer for
 * PAKN) and a settlement deadline, counted in the unit the law uses (data/deadlines.json).
 * Calendar-day periods that end on a day off end on the next working day (Bộ luật Dân sự 2015, Điều 148).
 */
import { z } from "zod";
import {
  addDays,
  addWorkingDays,
  type Calendar,
  endOfLocalDay,
  type LocalDate,
  localDate,
  nextWorkingDayFrom,
} from "./calendar.ts";
import type { CaseKind } from "./kind.ts";

const period = z.object({
  n: z.number().int().positive(),
  unit: z.enum(["days", "working_days"]),
  basis: z.string(),
});
const settlement = period.extend({
  from: z.enum(["receipt", "acceptance"]),
  complexN: z.number().int().positive().optional(),
  remoteN: z.number().int().positive().optional(),
  remoteComplexN: z.number().int().positive().optional(),
  extensionN: z.number().int().positive().optional(),
  maxExtensions: z.number().int().min(0).optional(),
});
const kindRules = z.object({
  acceptance: period,
  settlement,
  /** A second complaint (khiếu nại lần hai, Luật Khiếu nại 2011, Điều 37) has its own periods. */
  second: settlement.optional(),
});
export const deadlineRulesSchema = z.object({
  pakn: kindRules,
  khieu_nai: kindRules,
  to_cao: kindRules,
  /** A question handed to an agency (hỏi đáp): lighter handling than a PAKN. */
  question: kindRules.optional(),
});
export type DeadlineRules = z.infer<typeof deadlineRulesSchema>;

export interface DeadlineInput {
  kind: CaseKind;
  receivedAt: Date;
  acceptedAt?: Date | null;
  complex?: boolean;
  remote?: boolean;
  extensions?: number;
  /** A second complaint (khiếu nại lần hai): the `second` periods apply when the data has them. */
  second?: boolean;
  /** A question to an agency rather than a PAKN: the `question` periods apply when the data has them. */
  question?: boolean;
  /**
   * The case's structured details (`Case.details`): a stored row spread into the input brings its
   * `second` and `question` flags along, so re-computations keep the right periods.
   */
  details?: unknown;
}

export interface Deadlines {
  acceptanceDueAt: Date;
  dueAt: Date;
}

function countPeriod(
  calendar: Calendar,
  start: LocalDate,
  n: number,
  unit: "days" | "working_days",
): LocalDate {
  if (unit === "working_days") return addWorkingDays(calendar, start, n);
  return nextWorkingDayFrom(calendar, addDays(start, n));
}

export function computeDeadlines(input: DeadlineInput, rules: DeadlineRules, calendar: Calendar): Deadlines {
  const details = (input.details && typeof input.details === "object" ? input.details : {}) as {
    second?: unknown;
    question?: unknown;
  };
  const second = input.second ?? details.second === true;
  const question = input.question ?? details.question === true;
  const r = (question && input.kind === "pakn" && rules.question) || rules[input.kind];
  const received = localDate(input.receivedAt);
  const acceptanceDue = countPeriod(calendar, received, r.acceptance.n, r.acceptance.unit);
  const s = (second && r.second) || r.settlement;
  let n = s.n;
  if (input.remote && input.complex && s.remoteComplexN) n = s.remoteComplexN;
  else if (input.remote && s.remoteN) n = s.remoteN;
  else if (input.complex && s.complexN) n = s.complexN;
  const extensions = Math.min(input.extensions ?? 0, s.maxExtensions ?? 0);
  if (s.extensionN) n += extensions * s.extensionN;
  // Until the case is accepted, the settlement period is counted from the latest legal acceptance day.
  const start =
    s.from === "receipt" ? received : input.acceptedAt ? localDate(input.acceptedAt) : acceptanceDue;
  const due = countPeriod(calendar, start, n, s.unit);
  return { acceptanceDueAt: endOfLocalDay(acceptanceDue), dueAt: endOfLocalDay(due) };
}

/** Whether a further extension is allowed for this kind (tố cáo: once if complex, twice if especially complex). */
export function canExtend(kind: CaseKind, extensions: number, rules: DeadlineRules): boolean {
  const s = rules[kind].settlement;
  return Boolean(s.extensionN) && extensions < (s.maxExtensions ?? 0);
}
