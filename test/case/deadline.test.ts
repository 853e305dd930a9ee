import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  createCalendar,
  endOfLocalDay,
  localDate,
  workingDaysBetween,
} from "../../src/case/calendar.ts";
import { canExtend, computeDeadlines } from "../../src/case/deadline.ts";
import { loadReferenceData } from "../../src/data/index.ts";

const data = loadReferenceData();
const { calendar, deadlines: rules } = data;
/** 10:00 in Việt Nam on a local date. */
const at = (date: string, time = "10:00") => new Date(`${date}T${time}:00+07:00`);
const day = (d: Date) => localDate(d);

describe("working calendar", () => {
  it("skips weekends and public holidays, and counts compensation Saturdays", () => {
    expect(calendar.isWorkingDay("2026-11-23")).toBe(true); // Monday
    expect(calendar.isWorkingDay("2026-11-28")).toBe(false); // Saturday
    expect(calendar.isWorkingDay("2026-02-17")).toBe(false); // Tết
    expect(calendar.isWorkingDay("2026-09-02")).toBe(false); // Quốc khánh
    expect(calendar.isWorkingDay("2026-01-10")).toBe(true); // Saturday worked in compensation
    expect(calendar.holidayName("2026-04-30")).toBe("Ngày Giải phóng miền Nam");
  });

  it("counts working days across Tết", () => {
    expect(addWorkingDays(calendar, "2026-02-12", 3)).toBe("2026-02-24");
    expect(workingDaysBetween(calendar, "2026-02-12", "2026-02-24")).toBe(3);
    expect(workingDaysBetween(calendar, "2026-02-24", "2026-02-12")).toBe(-3);
  });

  it("uses Việt Nam's date, not UTC's", () => {
    expect(localDate(new Date("2026-11-26T18:00:00Z"))).toBe("2026-11-27");
    expect(endOfLocalDay("2026-12-02").toISOString()).toBe("2026-12-02T16:59:59.999Z");
  });

  it("is built from data, so a deployer's holidays count", () => {
    const c = createCalendar({ holidays: [{ date: "2030-01-02", name: "Nghỉ" }], workingWeekends: [] });
    expect(addWorkingDays(c, "2030-01-01", 1)).toBe("2030-01-03");
  });
});

describe("legal deadlines", () => {
  it("PAKN: first answer in 3 working days, settlement in 10, over a weekend", () => {
    const d = computeDeadlines({ kind: "pakn", receivedAt: at("2026-11-27") }, rules, calendar);
    expect(day(d.acceptanceDueAt)).toBe("2026-12-02");
    expect(day(d.dueAt)).toBe("2026-12-11");
    expect(d.acceptanceDueAt.toISOString()).toBe("2026-12-02T16:59:59.999Z");
  });

  it("a message sent at 1 a.m. Friday in Việt Nam counts from Friday", () => {
    const d = computeDeadlines(
      { kind: "pakn", receivedAt: new Date("2026-11-26T18:00:00Z") },
      rules,
      calendar,
    );
    expect(day(d.acceptanceDueAt)).toBe("2026-12-02");
  });

  it("PAKN over New Year and a compensation Saturday", () => {
    expect(
      day(computeDeadlines({ kind: "pakn", receivedAt: at("2025-12-31") }, rules, calendar).acceptanceDueAt),
    ).toBe("2026-01-07");
    expect(
      day(computeDeadlines({ kind: "pakn", receivedAt: at("2026-01-09") }, rules, calendar).acceptanceDueAt),
    ).toBe("2026-01-13");
  });

  it("tố cáo: 7 working days to accept across the 30/4–1/5 holidays, then 30 days, extendable twice", () => {
    const base = { kind: "to_cao" as const, receivedAt: at("2026-04-22") };
    const d = computeDeadlines(base, rules, calendar);
    expect(day(d.acceptanceDueAt)).toBe("2026-05-06");
    expect(day(d.dueAt)).toBe("2026-06-05");
    // 60 days end on Sunday 5/7 → the next working day.
    expect(day(computeDeadlines({ ...base, extensions: 1 }, rules, calendar).dueAt)).toBe("2026-07-06");
    expect(day(computeDeadlines({ ...base, extensions: 2 }, rules, calendar).dueAt)).toBe("2026-08-04");
    expect(day(computeDeadlines({ ...base, extensions: 5 }, rules, calendar).dueAt)).toBe("2026-08-04");
    expect(canExtend("to_cao", 1, rules)).toBe(true);
    expect(canExtend("to_cao", 2, rules)).toBe(false);
    expect(canExtend("khieu_nai", 0, rules)).toBe(false);
  });

  it("khiếu nại: 10 days to accept (ending after the Quốc khánh holidays), 30/45/60 days to settle from acceptance", () => {
    const base = { kind: "khieu_nai" as const, receivedAt: at("2026-08-22") };
    expect(day(computeDeadlines(base, rules, calendar).acceptanceDueAt)).toBe("2026-09-03");
    const accepted = { ...base, acceptedAt: at("2026-09-03") };
    expect(day(computeDeadlines(accepted, rules, calendar).dueAt)).toBe("2026-10-05");
    expect(day(computeDeadlines({ ...accepted, complex: true }, rules, calendar).dueAt)).toBe("2026-10-19");
    expect(day(computeDeadlines({ ...accepted, remote: true }, rules, calendar).dueAt)).toBe("2026-10-19");
    expect(day(computeDeadlines({ ...accepted, remote: true, complex: true }, rules, calendar).dueAt)).toBe(
      "2026-11-02",
    );
  });

  it("changing the kind changes the deadlines", () => {
    const receivedAt = at("2026-11-23");
    const pakn = computeDeadlines({ kind: "pakn", receivedAt }, rules, calendar);
    const kn = computeDeadlines({ kind: "khieu_nai", receivedAt }, rules, calendar);
    expect(day(pakn.dueAt)).toBe("2026-12-07");
    expect(day(kn.acceptanceDueAt)).toBe("2026-12-03");
    expect(day(kn.dueAt)).toBe("2027-01-04");
  });
});
