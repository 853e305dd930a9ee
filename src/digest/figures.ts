/**
 * The digest's figures, computed from plain case rows (pure; the store loads the rows, see source.ts).
 *
 * Definitions (what a leader reads, stated once):
 * - received / answered / closed in a period: receivedAt / answeredAt / closedAt (closed, not
 *   refused) within [start, end) in Việt Nam time. Compared with the previous period of the same
 *   kind and with the average of the four periods before it ("trung bình 4 tuần" for a week).
 * - Re-routed cases (a "rerouted" event moves a case to another agency): every figure counts the
 *   case for the agency that held it at the moment the figure is about — received, open and overdue
 *   cases for the agency holding them at the end of the period; an answer (on time or late) for the
 *   agency that held the case when it answered. The agency that passed a case on sees it under
 *   "chuyển đi" (transferred out) in the period of the transfer. This follows the law: the receiving
 *   agency's deadlines run from the day it receives the case (CaseStore.reroute recomputes them).
 * - handled = the first of answeredAt and closedAt (a refusal also ends the agency's work); on time
 *   when handled at or before the settlement deadline (dueAt).
 * - open at the end = received before the end and not closed by then; overdue = open, not answered
 *   by then, and past its deadline. "The end" of a period still running is now.
 * - satisfaction: ratings given in the period (average, 1–5 distribution); share rated = closed
 *   cases of the period that have a rating.
 */
import type { Period } from "./period.ts";
import { daysBetween, weekOf } from "./period.ts";

export type Scope = { type: "city" } | { type: "agency"; id: string } | { type: "commune"; id: string };

export interface DigestCase {
  id: string;
  code: string;
  kind: string;
  status: string;
  topicId: string;
  placeId: string | null;
  /** The agency holding the case now. */
  agencyId: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  answeredAt: Date | null;
  closedAt: Date | null;
  rating: number | null;
  ratedAt: Date | null;
  ratingComment: string | null;
  /** Re-routings, oldest first. */
  reroutes: ReadonlyArray<{ at: Date; from: string | null; to: string }>;
}

export interface Names {
  topic(id: string): string;
  agency(id: string | null): string;
  place(id: string | null): string;
  kind(id: string): string;
}

export interface Trend {
  current: number;
  previous: number;
  /** Average over the four periods before this one (one decimal). */
  average4: number;
  /** Change against the previous period in per cent (null when the previous was 0). */
  changePct: number | null;
}

export interface BreakdownRow extends Trend {
  id: string;
  name: string;
}

export interface CaseRef {
  code: string;
  kind: string;
  topic: string;
  agency: string;
  place: string;
  receivedAt: string;
  dueAt: string | null;
  /** Days since receipt at the end of the period. */
  ageDays: number;
  /** Days past the deadline (0 when not overdue). */
  overdueDays: number;
}

export interface AgencyOnTime {
  agencyId: string;
  name: string;
  handled: number;
  onTime: number;
  /** onTime / handled in per cent, one decimal; null when nothing was handled. */
  rate: number | null;
  openAtEnd: number;
  overdueAtEnd: number;
  transferredOut: number;
}

export interface HotSpot {
  label: string;
  placeId: string;
  place: string;
  topicId: string;
  topic: string;
  count: number;
  cohesion: number;
  firstAt: string;
  lastAt: string;
  cases: Array<{ code: string; place: string; receivedAt: string; status: string; agency: string }>;
}

export interface Attention {
  code: string;
  kind: string;
  topic: string;
  agency: string;
  place: string;
  reason: string;
}

export interface Digest {
  scope: Scope & { name: string };
  period: Period;
  previous: Period;
  /** The instant "the end" stands for (the period's end, or now while it runs). */
  asOf: string;
  generatedAt: string;
  totals: {
    received: Trend;
    answered: Trend;
    closed: Trend;
    rejected: number;
    openAtEnd: number;
    overdueAtEnd: number;
    /** Handled in the period on time, in per cent (null when nothing was handled). */
    onTimeRate: number | null;
    handled: number;
  };
  byTopic: BreakdownRow[];
  byKind: BreakdownRow[];
  byAgency: BreakdownRow[];
  byPlace: BreakdownRow[];
  /** Cases received per week and topic (chart), the last weeks up to the end of the period. */
  weekly: Array<{ week: string; from: string; topic: string; topicId: string; count: number }>;
  onTime: AgencyOnTime[];
  overdue: CaseRef[];
  oldestOpen: CaseRef[];
  hotSpots: HotSpot[];
  satisfaction: {
    rated: number;
    average: number | null;
    previousAverage: number | null;
    /** Share of the period's closed cases that have a rating, per cent. */
    shareRated: number | null;
    distribution: [number, number, number, number, number];
    lowest: Array<{ code: string; rating: number; agency: string; topic: string; comment: string | null }>;
  };
  attention: Attention[];
}

export interface DigestInput {
  scope: Scope & { name: string };
  period: Period;
  /** The previous period and the four before the period (nearest first). */
  previous: Period;
  preceding: readonly Period[];
  now: Date;
  cases: readonly DigestCase[];
  names: Names;
  /** Groups of similar cases (hotspots.ts), by case id. */
  hotSpots?: ReadonlyArray<{ cases: ReadonlyArray<{ id: string }>; cohesion: number }>;
  /** Weeks shown in the weekly chart (default 8). */
  chartWeeks?: number;
  /** Rows of each list (default 5) and of the attention list (default 10). */
  listSize?: number;
  attentionSize?: number;
}

const within = (t: Date | null, p: { start: Date; end: Date }) =>
  t !== null && t.getTime() >= p.start.getTime() && t.getTime() < p.end.getTime();

/** The agency that held the case at instant `t`. */
export function agencyAt(c: Pick<DigestCase, "agencyId" | "reroutes">, t: Date): string | null {
  if (c.reroutes.length === 0) return c.agencyId;
  let holder = c.reroutes[0]!.from;
  for (const r of c.reroutes) {
    if (r.at.getTime() <= t.getTime()) holder = r.to;
    else break;
  }
  return holder;
}

export function handledAt(c: Pick<DigestCase, "answeredAt" | "closedAt">): Date | null {
  if (c.answeredAt && c.closedAt) return new Date(Math.min(c.answeredAt.getTime(), c.closedAt.getTime()));
  return c.answeredAt ?? c.closedAt;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const pct = (a: number, b: number) => (b ? round1((100 * a) / b) : null);

function trend(current: number, previous: number, four: readonly number[]): Trend {
  const average4 = four.length ? round1(four.reduce((s, x) => s + x, 0) / four.length) : 0;
  return {
    current,
    previous,
    average4,
    changePct: previous ? round1((100 * (current - previous)) / previous) : null,
  };
}

const iso = (d: Date) => d.toISOString();

export function computeDigest(input: DigestInput): Digest {
  const { period, previous, preceding, names, scope } = input;
  const listSize = input.listSize ?? 5;
  const asOfMs = Math.min(period.end.getTime(), input.now.getTime());
  const asOf = new Date(asOfMs);
  /** The end instant of a period, as "now" sees it. */
  const endOf = (p: Period) => new Date(Math.min(p.end.getTime(), input.now.getTime()));
  const inScope = (c: DigestCase, t: Date): boolean => {
    if (scope.type === "city") return true;
    if (scope.type === "commune") return c.placeId === scope.id;
    return agencyAt(c, t) === scope.id;
  };
  const cases = input.cases;

  // Received, answered, closed per period (the period, the previous one, the four before).
  const periods = [period, ...preceding];
  const ends = periods.map(endOf);
  const bounds = periods.map((p) => [p.start.getTime(), p.end.getTime()] as const);
  /** Index of the period (0 = this one, 1 = the previous, …) an instant falls in, or -1. */
  const indexIn = (b: ReadonlyArray<readonly [number, number]>, t: Date | null): number => {
    if (!t) return -1;
    const ms = t.getTime();
    for (let i = 0; i < b.length; i++) if (ms >= b[i]![0] && ms < b[i]![1]) return i;
    return -1;
  };
  // One pass over the cases for the counts and breakdowns of every period.
  const recv = periods.map(() => 0);
  const ans = periods.map(() => 0);
  const clo = periods.map(() => 0);
  let rejected = 0;
  const tally = () => periods.map(() => new Map<string, number>());
  const byTopicT = tally();
  const byKindT = tally();
  const byAgencyT = tally();
  const byPlaceT = tally();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const c of cases) {
    const r = indexIn(bounds, c.receivedAt);
    if (r >= 0 && inScope(c, ends[r]!)) {
      recv[r]!++;
      bump(byTopicT[r]!, c.topicId);
      bump(byKindT[r]!, c.kind);
      bump(byAgencyT[r]!, agencyAt(c, ends[r]!) ?? "");
      bump(byPlaceT[r]!, c.placeId ?? "");
    }
    const a = indexIn(bounds, c.answeredAt);
    if (a >= 0 && inScope(c, ends[a]!)) ans[a]!++;
    const k = indexIn(bounds, c.closedAt);
    if (k >= 0 && inScope(c, ends[k]!)) {
      if (c.status !== "rejected") clo[k]!++;
      else if (k === 0) rejected++;
    }
  }
  const series = (xs: number[]) => trend(xs[0]!, xs[1] ?? 0, xs.slice(1, 5));
  const received = series(recv);
  const answered = series(ans);
  const closed = series(clo);

  // Breakdowns of the cases received, by topic, kind, agency (holder at the period's end) and place.
  const breakdown = (tallies: Map<string, number>[], name: (id: string) => string) => {
    const ids = new Set(tallies.flatMap((m) => [...m.keys()]));
    const rows: BreakdownRow[] = [...ids].map((id) => {
      const xs = tallies.map((m) => m.get(id) ?? 0);
      return { id, name: name(id), ...series(xs) };
    });
    return rows.sort(
      (a, b) => b.current - a.current || b.average4 - a.average4 || a.name.localeCompare(b.name, "vi"),
    );
  };
  const byTopic = breakdown(byTopicT, names.topic);
  const byKind = breakdown(byKindT, names.kind);
  const byAgency = breakdown(byAgencyT, (id) => names.agency(id || null));
  const byPlace = breakdown(byPlaceT, (id) => names.place(id || null));

  // Open and overdue at the end of the period.
  const isOpenAt = (c: DigestCase, t: Date) =>
    c.receivedAt.getTime() < t.getTime() && !(c.closedAt && c.closedAt.getTime() < t.getTime());
  const pendingAt = (c: DigestCase, t: Date) =>
    isOpenAt(c, t) && !(c.answeredAt && c.answeredAt.getTime() < t.getTime());
  const overdueAt = (c: DigestCase, t: Date) =>
    pendingAt(c, t) && c.dueAt !== null && c.dueAt.getTime() < t.getTime();
  const open = cases.filter((c) => isOpenAt(c, asOf) && inScope(c, asOf));
  const overdueCases = open.filter((c) => overdueAt(c, asOf));
  const ref = (c: DigestCase): CaseRef => ({
    code: c.code,
    kind: names.kind(c.kind),
    topic: names.topic(c.topicId),
    agency: names.agency(agencyAt(c, asOf)),
    place: names.place(c.placeId),
    receivedAt: iso(c.receivedAt),
    dueAt: c.dueAt ? iso(c.dueAt) : null,
    ageDays: daysBetween(c.receivedAt, asOf),
    overdueDays: c.dueAt && overdueAt(c, asOf) ? Math.max(0, daysBetween(c.dueAt, asOf)) : 0,
  });
  const byOverdue = (a: DigestCase, b: DigestCase) =>
    a.dueAt!.getTime() - b.dueAt!.getTime() || a.receivedAt.getTime() - b.receivedAt.getTime();
  const overdue = [...overdueCases].sort(byOverdue).slice(0, listSize).map(ref);
  const oldestOpen = open
    .filter((c) => pendingAt(c, asOf))
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.code < b.code ? -1 : 1))
    .slice(0, listSize)
    .map(ref);

  // On time per agency: cases handled in the period, for the agency holding them when handled.
  const agencies = new Map<string, AgencyOnTime>();
  const agencyRow = (id: string | null) => {
    const k = id ?? "";
    let row = agencies.get(k);
    if (!row) {
      row = {
        agencyId: k,
        name: names.agency(id),
        handled: 0,
        onTime: 0,
        rate: null,
        openAtEnd: 0,
        overdueAtEnd: 0,
        transferredOut: 0,
      };
      agencies.set(k, row);
    }
    return row;
  };
  let handledTotal = 0;
  let onTimeTotal = 0;
  for (const c of cases) {
    const h = handledAt(c);
    if (!h || !within(h, period) || !inScope(c, h)) continue;
    const row = agencyRow(agencyAt(c, h));
    row.handled++;
    handledTotal++;
    if (!c.dueAt || h.getTime() <= c.dueAt.getTime()) {
      row.onTime++;
      onTimeTotal++;
    }
  }
  for (const c of open) {
    const row = agencyRow(agencyAt(c, asOf));
    row.openAtEnd++;
    if (overdueAt(c, asOf)) row.overdueAtEnd++;
  }
  for (const c of cases)
    for (const r of c.reroutes)
      if (within(r.at, period) && (scope.type !== "agency" || r.from === scope.id)) {
        if (scope.type === "commune" && c.placeId !== scope.id) continue;
        agencyRow(r.from).transferredOut++;
      }
  const onTime = [...agencies.values()]
    .filter((a) => scope.type !== "agency" || a.agencyId === scope.id)
    .map((a) => ({ ...a, rate: pct(a.onTime, a.handled) }))
    .sort(
      (a, b) =>
        (b.rate ?? -1) - (a.rate ?? -1) ||
        b.handled - a.handled ||
        a.overdueAtEnd - b.overdueAtEnd ||
        a.name.localeCompare(b.name, "vi"),
    );

  // Weekly volume by topic for the chart.
  const chartWeeks = input.chartWeeks ?? 8;
  const weeks: Period[] = [];
  let w = weekOf(new Date(period.end.getTime() - 1));
  for (let i = 0; i < chartWeeks; i++) {
    weeks.unshift(w);
    w = weekOf(new Date(w.start.getTime() - 1));
  }
  const weekly: Digest["weekly"] = [];
  const weekBounds = weeks.map((wk) => [wk.start.getTime(), wk.end.getTime()] as const);
  const weekEnds = weeks.map(endOf);
  const perWeek = weeks.map(() => new Map<string, number>());
  for (const c of cases) {
    const i = indexIn(weekBounds, c.receivedAt);
    if (i >= 0 && inScope(c, weekEnds[i]!)) bump(perWeek[i]!, c.topicId);
  }
  weeks.forEach((wk, i) => {
    for (const [topicId, n] of perWeek[i]!)
      weekly.push({ week: wk.key, from: wk.from, topic: names.topic(topicId), topicId, count: n });
  });

  // Satisfaction.
  const ratedIn = (p: Period) =>
    cases.filter((c) => c.rating !== null && within(c.ratedAt, p) && inScope(c, handledAt(c) ?? endOf(p)));
  const rated = ratedIn(period);
  const prevRated = ratedIn(previous);
  const avg = (list: DigestCase[]) =>
    list.length ? Math.round((100 * list.reduce((s, c) => s + c.rating!, 0)) / list.length) / 100 : null;
  const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const c of rated) distribution[c.rating! - 1]!++;
  const closedInPeriod = cases.filter(
    (c) => c.status !== "rejected" && within(c.closedAt, period) && inScope(c, c.closedAt!),
  );
  const lowest = rated
    .filter((c) => c.rating! <= 2)
    .sort((a, b) => a.rating! - b.rating! || b.ratedAt!.getTime() - a.ratedAt!.getTime())
    .slice(0, listSize)
    .map((c) => ({
      code: c.code,
      rating: c.rating!,
      agency: names.agency(agencyAt(c, handledAt(c) ?? asOf)),
      topic: names.topic(c.topicId),
      comment: c.ratingComment,
    }));

  // Hot spots (grouped by the caller with the embedding model).
  const byId = new Map(cases.map((c) => [c.id, c]));
  const hotSpots: HotSpot[] = [];
  for (const g of input.hotSpots ?? []) {
    const members = g.cases.map((m) => byId.get(m.id)).filter((c): c is DigestCase => Boolean(c));
    if (!members.length) continue;
    const mode = (values: string[]) => {
      const m = new Map<string, number>();
      for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
      return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    };
    const placeId = mode(members.map((c) => c.placeId ?? ""));
    const topicId = mode(members.map((c) => c.topicId));
    const times = members.map((c) => c.receivedAt.getTime()).sort((a, b) => a - b);
    hotSpots.push({
      label: `${names.topic(topicId)} — ${names.place(placeId)}`,
      placeId,
      place: names.place(placeId),
      topicId,
      topic: names.topic(topicId),
      count: members.length,
      cohesion: g.cohesion,
      firstAt: iso(new Date(times[0]!)),
      lastAt: iso(new Date(times.at(-1)!)),
      cases: members.map((c) => ({
        code: c.code,
        place: names.place(c.placeId),
        receivedAt: iso(c.receivedAt),
        status: c.status,
        agency: names.agency(agencyAt(c, asOf)),
      })),
    });
  }

  // Cases for attention: the longest overdue, complaints and denunciations about to fall due,
  // answers rated 1, and the newest case of each hot spot.
  const attention: Attention[] = [];
  const seen = new Set<string>();
  const add = (c: DigestCase, reason: string) => {
    if (seen.has(c.code)) return;
    seen.add(c.code);
    attention.push({
      code: c.code,
      kind: names.kind(c.kind),
      topic: names.topic(c.topicId),
      agency: names.agency(agencyAt(c, asOf)),
      place: names.place(c.placeId),
      reason,
    });
  };
  for (const c of [...overdueCases].sort(byOverdue).slice(0, 4))
    add(c, `Quá hạn ${Math.max(1, daysBetween(c.dueAt!, asOf))} ngày`);
  const soon = open
    .filter(
      (c) =>
        (c.kind === "khieu_nai" || c.kind === "to_cao") &&
        pendingAt(c, asOf) &&
        c.dueAt !== null &&
        c.dueAt.getTime() >= asOfMs &&
        c.dueAt.getTime() - asOfMs <= 3 * 86_400_000,
    )
    .sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime());
  for (const c of soon.slice(0, 3))
    add(c, `${names.kind(c.kind)} sắp đến hạn (còn ${Math.max(0, daysBetween(asOf, c.dueAt!))} ngày)`);
  for (const c of rated.filter((r) => r.rating === 1).slice(0, 2)) add(c, "Người dân chấm 1 sao cho trả lời");
  for (const h of hotSpots.slice(0, 3)) {
    const newest = h.cases.at(-1);
    const c = newest && cases.find((x) => x.code === newest.code);
    if (c) add(c, `Thuộc điểm nóng: ${h.label} (${h.count} vụ việc tương tự)`);
  }

  return {
    scope,
    period,
    previous,
    asOf: iso(asOf),
    generatedAt: iso(input.now),
    totals: {
      received,
      answered,
      closed,
      rejected,
      openAtEnd: open.length,
      overdueAtEnd: overdueCases.length,
      onTimeRate: pct(onTimeTotal, handledTotal),
      handled: handledTotal,
    },
    byTopic,
    byKind,
    byAgency,
    byPlace,
    weekly,
    onTime,
    overdue,
    oldestOpen,
    hotSpots,
    satisfaction: {
      rated: rated.length,
      average: avg(rated),
      previousAverage: avg(prevRated),
      shareRated: pct(closedInPeriod.filter((c) => c.rating !== null).length, closedInPeriod.length),
      distribution,
      lowest,
    },
    attention: attention.slice(0, input.attentionSize ?? 10),
  };
}
