/**
 * Finds the commune/ward a citizen means, tolerant of missing diacritics, typos, prefixes
 * ("phường", "P.", "xa") and the names of former units merged in 2025 ("Hòa Khánh Bắc" → Hòa Khánh).
 */
import { stripDiacritics } from "../classify/normalize.ts";
import type { Commune } from "../data/index.ts";

export type PlaceMatch =
  | { kind: "unique"; commune: Commune; via?: string }
  /** `district`: the citizen named a former district (abolished 2025) that is now several communes. */
  | { kind: "ambiguous"; candidates: Commune[]; district?: string }
  | { kind: "none" };

interface Entry {
  commune: Commune;
  /** The name as written (current name, alias or former unit). */
  label: string;
  accented: string;
  plain: string;
  current: boolean;
}

const PREFIX =
  /^(?:(?:phường|phuong|p\.?|xã|xa|x\.?|đặc khu|dac khu|thị trấn|thi tran|tt\.?|quận|quan|q\.?|huyện|huyen|h\.?|thành phố|thanh pho|tp\.?|ở|o|tại|tai)\s+)+/u;

export function normalizePlace(text: string): string {
  return text
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(PREFIX, "")
    .trim();
}

function hasDiacritics(text: string): boolean {
  return stripDiacritics(text) !== text;
}

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

const DISTRICT_WORD = /(?:^| )(huyen|quan|thi xa|thanh pho|tp|h|q|tx) ([a-z0-9' ]+)/g;

export class PlaceIndex {
  private readonly entries: Entry[] = [];
  /** The entries' positions by the first word of their name, with and without diacritics. */
  private readonly byFirstWord = {
    accented: new Map<string, number[]>(),
    plain: new Map<string, number[]>(),
  };
  /** Former districts (unaccented name without the type word) → the communes that took them in. */
  private readonly districts = new Map<string, { label: string; communes: Commune[] }>();

  constructor(communes: readonly Commune[]) {
    for (const commune of communes) {
      for (const d of (commune.formerDistrict ?? "").split(";").map((x) => x.trim())) {
        if (!d) continue;
        const key = stripDiacritics(normalizePlace(d));
        const entry = this.districts.get(key) ?? { label: d, communes: [] };
        entry.communes.push(commune);
        this.districts.set(key, entry);
      }
    }
    for (const commune of communes) {
      const add = (label: string, current: boolean) => {
        const accented = normalizePlace(label);
        if (accented)
          this.entries.push({ commune, label, accented, plain: stripDiacritics(accented), current });
      };
      add(commune.name, true);
      for (const a of commune.aliases) add(a, true);
      for (const f of commune.formerUnits) add(f, false);
    }
    for (const [i, e] of this.entries.entries()) {
      for (const [map, name] of [
        [this.byFirstWord.accented, e.accented],
        [this.byFirstWord.plain, e.plain],
      ] as const) {
        const first = name.split(" ", 1)[0]!;
        const list = map.get(first) ?? [];
        if (list.at(-1) !== i) list.push(i);
        map.set(first, list);
      }
    }
  }

  /**
   * `preferCurrent`: an exact name typed with its diacritics means today's unit over a former
   * unit of the same name; without diacritics ("thanh binh": xã Thạnh Bình or the old phường
   * Thanh Bình?) the citizen is asked.
   */
  private result(found: Entry[], preferCurrent = false): PlaceMatch {
    const byId = new Map<string, Entry>();
    const current = preferCurrent ? found.filter((e) => e.current) : [];
    for (const e of current.length ? current : found) {
      const seen = byId.get(e.commune.id);
      if (!seen || (e.current && !seen.current)) byId.set(e.commune.id, e);
    }
    const list = [...byId.values()];
    if (list.length === 0) return { kind: "none" };
    if (list.length === 1) {
      const e = list[0]!;
      return e.current
        ? { kind: "unique", commune: e.commune }
        : { kind: "unique", commune: e.commune, via: e.label };
    }
    return { kind: "ambiguous", candidates: list.map((e) => e.commune) };
  }

  /**
   * "huyện Đại Lộc", "quan lien chieu": a district abolished on 01/7/2025 that is now several
   * communes — the citizen must say which (a bare name like "Đại Lộc" is today's xã Đại Lộc).
   */
  district(text: string): PlaceMatch | undefined {
    const folded = ` ${stripDiacritics(
      text
        .normalize("NFC")
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}'\s]/gu, " ")
        .replace(/\s+/g, " ")
        .trim(),
    )} `;
    for (const m of folded.matchAll(DISTRICT_WORD)) {
      const words = m[2]!.split(" ");
      // The longest run of words after the type word that names a former district.
      for (let n = Math.min(words.length, 4); n >= 1; n--) {
        const entry = this.districts.get(words.slice(0, n).join(" "));
        if (!entry || entry.communes.length < 2) continue;
        // "xã Hà Nha, huyện Đại Lộc": the commune named besides the district settles it.
        const rest = folded.replace(`${m[1]} ${words.slice(0, n).join(" ")}`, " ");
        const named = entry.communes.filter((c) =>
          this.entries.some((e) => e.commune === c && e.plain.length >= 4 && rest.includes(` ${e.plain} `)),
        );
        if (named.length === 1) return { kind: "unique", commune: named[0]! };
        return { kind: "ambiguous", candidates: entry.communes, district: entry.label };
      }
    }
    return undefined;
  }

  /** What the citizen typed as an answer to "where?". */
  match(input: string): PlaceMatch {
    const district = this.district(input);
    if (district) return district;
    const q = normalizePlace(input);
    if (!q) return { kind: "none" };
    const qPlain = stripDiacritics(q);
    if (hasDiacritics(q)) {
      const exact = this.entries.filter((e) => e.accented === q);
      if (exact.length) return this.result(exact, true);
    }
    const plain = this.entries.filter((e) => e.plain === qPlain);
    if (plain.length) return this.result(plain);
    // Typos: the closest names within a small edit distance.
    const max = qPlain.length <= 4 ? 0 : qPlain.length <= 8 ? 1 : 2;
    let best = max + 1;
    let near: Entry[] = [];
    for (const e of this.entries) {
      const d = levenshtein(qPlain, e.plain, max);
      if (d < best) {
        best = d;
        near = [e];
      } else if (d === best && d <= max) near.push(e);
    }
    if (near.length) return this.result(near);
    // A longer answer that contains a place name ("tổ 3, phường Hải Châu, Đà Nẵng").
    return this.findIn(input);
  }

  /** Place names mentioned inside a longer text (whole words, longest names first). */
  findIn(text: string): PlaceMatch {
    const district = this.district(text);
    if (district) return district;
    const q = ` ${normalizePlace(text)} `;
    const qPlain = stripDiacritics(q);
    const marked = hasDiacritics(q);
    const found: Entry[] = [];
    // "đường Hoàng Sa", "kiệt Núi Thành", "chợ Hòa Khánh": a street or a landmark, not the commune.
    const landmark = /(?:duong|kiet|hem|ngo|cau|cho|truong|benh vien|khu do thi|nga ba|nga tu|song) $/;
    const hay = marked ? q : qPlain;
    // Only the names whose first word is a word of the text can be in it (as whole words).
    const index = marked ? this.byFirstWord.accented : this.byFirstWord.plain;
    const candidates = new Set<number>();
    for (const word of hay.split(" ")) for (const i of index.get(word) ?? []) candidates.add(i);
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const e = this.entries[i]!;
      if (e.plain.length < 4) continue;
      const needle = ` ${marked ? e.accented : e.plain} `;
      let at = hay.indexOf(needle);
      let hit = false;
      while (at >= 0 && !hit) {
        if (!landmark.test(stripDiacritics(hay.slice(Math.max(0, at - 15), at + 1)))) hit = true;
        at = hay.indexOf(needle, at + 1);
      }
      if (hit) found.push(e);
    }
    if (!found.length) return { kind: "none" };
    // Drop names that are part of a longer matched name ("Hòa Khánh" inside "Hòa Khánh Bắc").
    const longest = found.filter(
      (e) => !found.some((o) => o !== e && o.plain.length > e.plain.length && o.plain.includes(e.plain)),
    );
    // "kiệt 88 Núi Thành, phường Hòa Cường": a name after its type word beats a street name.
    const typed = ` ${stripDiacritics(text.normalize("NFC").toLowerCase())
      .replace(/[^\p{L}\p{N}\s]/gu, " ")
      .replace(/\s+/g, " ")} `;
    const withType = longest.filter((e) =>
      new RegExp(
        ` (?:phuong|xa|dac khu|thi tran|p|x) ${e.plain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `,
      ).test(typed),
    );
    if (withType.length && new Set(withType.map((e) => e.commune.id)).size === 1)
      return this.result(withType);
    return this.result(longest);
  }
}
