/**
 * The digest's figures, assembled from what the database counted (pure: source.ts counts and lists
 * in SQL, following the definitions below; this module turns the counts into trends, rankings,
 * lists and the cases for attention).
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

/** A case as the digest's lists show it. */
export interface CaseRow {
  id: string;
  code: string;
  kind: string;
  status: string;
  topicId: string;
  placeId: string | null;
  /** The agency holding the case at the end of the period (re-routings followed). */
  agencyId: string | null;
  receivedAt: Date;
  dueAt: Date | null;
}

/** A rated case: its rating, and the agency that held it when it was handled. */
export interface RatedRow extends CaseRow {
  rating: number;
  ratedAt: Date;
  comment: string | null;
  handlerId: string | null;
}

/** Counts per key (topic, kind, agency, place, …); "" stands for none (no agency, no place). */
export type Tally = ReadonlyMap<string, number>;

/** What the database counted and listed for a period and a scope (source.ts). */
export interface DigestFacts {
  /** Per period: 0 = this one, 1 = the previous, 2–4 = the ones before. */
  received: readonly number[];
  answered: readonly number[];
  /** Closed, not refused. */
  closed: readonly number[];
  /** Refused in this period. */
  rejected: number;
  /** Cases received, per period, by topic, kind, agency (holder at the period's end) and place. */
  receivedBy: {
    topic: readonly Tally[];
    kind: readonly Tally[];
    agency: readonly Tally[];
    place: readonly Tally[];
  };
  /** Cases received per chart week (oldest first), by topic. */
  weekly: readonly Tally[];
  openAtEnd: number;
  overdueAtEnd: number;
  /** Open and overdue at the end, per agency holding them then ("" = none). */
  atEnd: ReadonlyArray<{ agencyId: string; open: number; overdue: number }>;
  /** Handled in the period, per agency holding the case when handled. */
  handled: ReadonlyArray<{ agencyId: string; handled: number; onTime: number }>;
  /** Re-routings in the period, per agency that passed the case on. */
  transferredOut: ReadonlyArray<{ agencyId: string; count: number }>;
  /** Overdue at the end, longest overdue first. */
  overdue: readonly CaseRow[];
  /** Open and not answered at the end, oldest first. */
  oldestOpen: readonly CaseRow[];
  /** Khiếu nại and tố cáo not answered, falling due within three days of the end, soonest first. */
  dueSoon: readonly CaseRow[];
  satisfaction: {
    rated: number;
    ratingSum: number;
    previousRated: number;
    previousRatingSum: number;
    /** Ratings 1–5 given in the period. */
    distribution: readonly [number, number, number, number, number];
    /** Cases closed (not refused) in the period, and how many of them are rated. */
    closed: number;
    closedRated: number;
    /** Ratings of 1–2 given in the period, lowest then newest first. */
    lowest: readonly RatedRow[];
  };
}

export interface DigestInput {
  scope: Scope & { name: string };
  period: Period;
  /** The previous period and the four before the period (nearest first). */
  previous: Period;
  preceding: readonly Period[];
  now: Date;
  facts: DigestFacts;
  names: Names;
  /** Groups of similar cases (hotspots.ts), each oldest first; agencies as at the period's end. */
  hotSpots?: ReadonlyArray<{ cases: readonly CaseRow[]; cohesion: number }>;
  /** The chart's weeks, oldest first (chartWeeks); facts.weekly counts them. */
  weeks: readonly Period[];
  /** Rows of each list (default 5) and of the attention list (default 10). */
  listSize?: number;
  attentionSize?: number;
}

/** The `n` ISO weeks up to the one holding the period's last instant, oldest first (the chart). */
export function chartWeeks(period: Period, n: number): Period[] {
  const weeks: Period[] = [];
  let w = weekOf(new Date(period.end.getTime() - 1));
  for (let i = 0; i < n; i++) {
    weeks.unshift(w);
    w = weekOf(new Date(w.start.getTime() - 1));
  }
  return weeks;
}

/** The instant "the end" of a period stands for: its end, or now while it runs. */
export function endOf(p: Period, now: Date): Date {
  return new Date(Math.min(p.end.getTime(), now.getTime()));
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
  const { period, previous, names, scope, facts } = input;
  const listSize = input.listSize ?? 5;
  const asOf = endOf(period, input.now);
  const asOfMs = asOf.getTime();

  const series = (xs: readonly number[]) => trend(xs[0] ?? 0, xs[1] ?? 0, xs.slice(1, 5));
  // Breakdowns of the cases received: a row for every key seen in any of the five periods.
  const breakdown = (tallies: readonly Tally[], name: (id: string) => string) => {
    const ids = new Set(tallies.flatMap((m) => [...m.keys()]));
    const rows: BreakdownRow[] = [...ids].map((id) => {
      const xs = tallies.map((m) => m.get(id) ?? 0);
      return { id, name: name(id), ...series(xs) };
    });
    return rows.sort(
      (a, b) => b.current - a.current || b.average4 - a.average4 || a.name.localeCompare(b.name, "vi"),
    );
  };

  const ref = (c: CaseRow): CaseRef => {
    // Both lists hold cases not answered at the end: overdue when past the deadline.
    const overdue = c.dueAt !== null && c.dueAt.getTime() < asOfMs;
    return {
      code: c.code,
      kind: names.kind(c.kind),
      topic: names.topic(c.topicId),
      agency: names.agency(c.agencyId),
      place: names.place(c.placeId),
      receivedAt: iso(c.receivedAt),
      dueAt: c.dueAt ? iso(c.dueAt) : null,
      ageDays: daysBetween(c.receivedAt, asOf),
      overdueDays: c.dueAt && overdue ? Math.max(0, daysBetween(c.dueAt, asOf)) : 0,
    };
  };

  // On time per agency (the agency holding a case when it was handled), with what each holds at
  // the end and what each passed on.
  const agencies = new Map<string, AgencyOnTime>();
  const agencyRow = (k: string) => {
    let row = agencies.get(k);
    if (!row) {
      row = {
        agencyId: k,
        name: names.agency(k || null),
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
  for (const h of facts.handled) {
    const row = agencyRow(h.agencyId);
    row.handled += h.handled;
    row.onTime += h.onTime;
    handledTotal += h.handled;
    onTimeTotal += h.onTime;
  }
  for (const a of facts.atEnd) {
    const row = agencyRow(a.agencyId);
    row.openAtEnd += a.open;
    row.overdueAtEnd += a.overdue;
  }
  for (const t of facts.transferredOut) agencyRow(t.agencyId).transferredOut += t.count;
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

  const weekly: Digest["weekly"] = [];
  input.weeks.forEach((wk, i) => {
    for (const [topicId, n] of facts.weekly[i] ?? [])
      weekly.push({ week: wk.key, from: wk.from, topic: names.topic(topicId), topicId, count: n });
  });

  const sat = facts.satisfaction;
  const avg = (sum: number, n: number) => (n ? Math.round((100 * sum) / n) / 100 : null);
  const lowest = sat.lowest.slice(0, listSize).map((c) => ({
    code: c.code,
    rating: c.rating,
    agency: names.agency(c.handlerId),
    topic: names.topic(c.topicId),
    comment: c.comment,
  }));

  // Hot spots (grouped by the caller with the embedding model).
  const hotSpots: HotSpot[] = [];
  const newestOf = new Map<HotSpot, CaseRow>();
  for (const g of input.hotSpots ?? []) {
    const members = g.cases;
    if (!members.length) continue;
    const mode = (values: string[]) => {
      const m = new Map<string, number>();
      for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
      return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    };
    const placeId = mode(members.map((c) => c.placeId ?? ""));
    const topicId = mode(members.map((c) => c.topicId));
    const times = members.map((c) => c.receivedAt.getTime()).sort((a, b) => a - b);
    const spot: HotSpot = {
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
        agency: names.agency(c.agencyId),
      })),
    };
    hotSpots.push(spot);
    newestOf.set(spot, members.at(-1)!);
  }

  // Cases for attention: the longest overdue, complaints and denunciations about to fall due,
  // answers rated 1, and the newest case of each hot spot.
  const attention: Attention[] = [];
  const seen = new Set<string>();
  const add = (c: CaseRow, reason: string) => {
    if (seen.has(c.code)) return;
    seen.add(c.code);
    attention.push({
      code: c.code,
      kind: names.kind(c.kind),
      topic: names.topic(c.topicId),
      agency: names.agency(c.agencyId),
      place: names.place(c.placeId),
      reason,
    });
  };
  for (const c of facts.overdue.slice(0, 4))
    add(c, `Quá hạn ${Math.max(1, daysBetween(c.dueAt!, asOf))} ngày`);
  for (const c of facts.dueSoon.slice(0, 3))
    add(c, `${names.kind(c.kind)} sắp đến hạn (còn ${Math.max(0, daysBetween(asOf, c.dueAt!))} ngày)`);
  for (const c of sat.lowest.filter((r) => r.rating === 1).slice(0, 2))
    add(c, "Người dân chấm 1 sao cho trả lời");
  for (const h of hotSpots.slice(0, 3))
    add(newestOf.get(h)!, `Thuộc điểm nóng: ${h.label} (${h.count} vụ việc tương tự)`);

  return {
    scope,
    period,
    previous,
    asOf: iso(asOf),
    generatedAt: iso(input.now),
    totals: {
      received: series(facts.received),
      answered: series(facts.answered),
      closed: series(facts.closed),
      rejected: facts.rejected,
      openAtEnd: facts.openAtEnd,
      overdueAtEnd: facts.overdueAtEnd,
      onTimeRate: pct(onTimeTotal, handledTotal),
      handled: handledTotal,
    },
    byTopic: breakdown(facts.receivedBy.topic, names.topic),
    byKind: breakdown(facts.receivedBy.kind, names.kind),
    byAgency: breakdown(facts.receivedBy.agency, (id) => names.agency(id || null)),
    byPlace: breakdown(facts.receivedBy.place, (id) => names.place(id || null)),
    weekly,
    onTime,
    overdue: facts.overdue.slice(0, listSize).map(ref),
    oldestOpen: facts.oldestOpen.slice(0, listSize).map(ref),
    hotSpots,
    satisfaction: {
      rated: sat.rated,
      average: avg(sat.ratingSum, sat.rated),
      previousAverage: avg(sat.previousRatingSum, sat.previousRated),
      shareRated: pct(sat.closedRated, sat.closed),
      distribution: [...sat.distribution] as [number, number, number, number, number],
      lowest,
    },
    attention: attention.slice(0, input.attentionSize ?? 10),
  };
}
