/**
 * Choosing the abstention threshold on labelled realistic text: the lowest threshold at which the
 * answered texts are at least `target` right, and an honest estimate of what that choice gives on
 * unseen text by 2-fold cross-fitting. Pure.
 */

export interface Scored {
  /** Texts of one example (as written, stripped) share a group and a half. */
  group: number;
  topic: string;
  confidence: number;
  correct: boolean;
  /** Abstains whatever the threshold (too few known words). */
  unknown: boolean;
}

export interface Choice {
  threshold: number;
  coverage: number;
  precision: number;
}

const GRID = Array.from({ length: 100 }, (_, i) => i / 100);

function at(items: readonly Scored[], t: number): Choice {
  const answered = items.filter((s) => !s.unknown && s.confidence >= t);
  const right = answered.filter((s) => s.correct).length;
  return {
    threshold: t,
    coverage: items.length ? answered.length / items.length : 0,
    precision: answered.length ? right / answered.length : 1,
  };
}

/**
 * The lowest threshold on a 0.01 grid from which on the answered share is at least `target`
 * right (at that threshold and every higher one, so a lucky dip in the curve is not taken).
 */
export function chooseThreshold(items: readonly Scored[], target: number): Choice {
  let best = at(items, 0.99);
  for (let i = GRID.length - 1; i >= 0; i--) {
    const c = at(items, GRID[i]!);
    if (c.precision < target) break;
    best = c;
  }
  return best;
}

/**
 * Splits the groups into two halves stratified by topic, chooses the threshold on each half and
 * measures it on the other; returns the pooled coverage and precision of those measurements.
 */
export function crossFit(
  items: readonly Scored[],
  target: number,
): { coverage: number; precision: number; thresholds: number[] } {
  const half = new Map<number, number>();
  const seen = new Map<string, number>();
  for (const s of items) {
    if (half.has(s.group)) continue;
    const n = seen.get(s.topic) ?? 0;
    half.set(s.group, n % 2);
    seen.set(s.topic, n + 1);
  }
  let answered = 0;
  let right = 0;
  const thresholds: number[] = [];
  for (const h of [0, 1]) {
    const pickOn = items.filter((s) => half.get(s.group) === h);
    const test = items.filter((s) => half.get(s.group) !== h);
    const t = chooseThreshold(pickOn, target).threshold;
    thresholds.push(t);
    for (const s of test) {
      if (s.unknown || s.confidence < t) continue;
      answered++;
      if (s.correct) right++;
    }
  }
  return {
    coverage: items.length ? answered / items.length : 0,
    precision: answered ? right / answered : 1,
    thresholds,
  };
}
