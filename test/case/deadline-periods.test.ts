/** Issue 9: second-complaint periods (Luật Khiếu nại 2011, Điều 37), remote-area periods, questions, 03/05/2027. */
import { describe, expect, it } from "vitest";
import { localDate } from "../../src/case/calendar.ts";
import { computeDeadlines } from "../../src/case/deadline.ts";
import { loadReferenceData } from "../../src/data/index.ts";

const data = loadReferenceData();
const { calendar, deadlines: rules } = data;
const at = (date: string) => new Date(`${date}T10:00:00+07:00`);
const due = (input: Parameters<typeof computeDeadlines>[0]) =>
  localDate(computeDeadlines(input, rules, calendar).dueAt);

describe("khiếu nại periods from acceptance (accepted Mon 02/11/2026)", () => {
  const base = { kind: "khieu_nai" as const, receivedAt: at("2026-10-26"), acceptedAt: at("2026-11-02") };
  it("first complaint: 30 days, 45 complex; remote 45, 60 complex (Điều 28)", () => {
    expect(due(base)).toBe("2026-12-02");
    expect(due({ ...base, complex: true })).toBe("2026-12-17");
    expect(due({ ...base, remote: true })).toBe("2026-12-17");
    expect(due({ ...base, remote: true, complex: true })).toBe("2027-01-04"); // 01/01 holiday, 02–03/01 weekend
  });
  it("second complaint: 45 days, 60 complex; remote 60, 70 complex (Điều 37)", () => {
    expect(due({ ...base, second: true })).toBe("2026-12-17");
    expect(due({ ...base, second: true, complex: true })).toBe("2027-01-04");
    expect(due({ ...base, second: true, remote: true })).toBe("2027-01-04");
    expect(due({ ...base, second: true, remote: true, complex: true })).toBe("2027-01-11");
  });
  it("a stored case's details bring the flag along when deadlines are re-computed", () => {
    expect(due({ ...base, details: { second: true } })).toBe("2026-12-17");
    expect(due({ ...base, details: { second: true }, second: false })).toBe("2026-12-02");
  });
  it("a PAKN ignores the second-complaint flag", () => {
    expect(due({ kind: "pakn", receivedAt: at("2026-11-23"), second: true })).toBe("2026-12-07");
  });
});

describe("a question to an agency", () => {
  it("is answered in 5 working days, first response in 3", () => {
    const d = computeDeadlines(
      { kind: "pakn", receivedAt: at("2026-11-23"), question: true },
      rules,
      calendar,
    );
    expect(localDate(d.acceptanceDueAt)).toBe("2026-11-26");
    expect(localDate(d.dueAt)).toBe("2026-11-30");
  });
});

describe("holidays", () => {
  it("Mon 03/05/2027 is a day off in compensation for 1/5 on a Saturday", () => {
    expect(calendar.isWorkingDay("2027-05-03")).toBe(false);
    expect(calendar.holidayName("2027-05-03")).toContain("Nghỉ bù");
    expect(calendar.isWorkingDay("2027-05-04")).toBe(true);
  });
});

describe("remote communes", () => {
  it("are flagged in places.json with the source of the flag", async () => {
    const { default: places } = await import("../../data/places.json", { with: { type: "json" } });
    expect(places.remoteSource).toContain("Luật Khiếu nại 2011, Điều 28 và 37");
    const remote = data.communes.filter((c) => c.remote).map((c) => c.id);
    expect(remote).toEqual(expect.arrayContaining(["tra-tap", "tay-giang", "tan-hiep"]));
    expect(remote).not.toContain("hai-chau");
  });
});
