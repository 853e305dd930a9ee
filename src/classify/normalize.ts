/**
 * Text normalisation for the Vietnamese classifier: NFC, lower case, syllable tokens,
 * diacritic stripping (including đ → d), a canonical accented form that ignores tone-mark
 * placement (hòa = hoà), digit folding and the teencode map. Pure, no Node APIs.
 */
import { AFTER_NUMBER_EXCEPTIONS, TEENCODE } from "./teencode.ts";

export interface Token {
  /**
   * Canonical accented form: the syllable with its vowel marks (â ă ê ô ơ ư đ) and the tone as a
   * trailing digit (1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng), so "hòa" and "hoà" are both "hoa2".
   */
  readonly acc: string;
  /** Diacritic-free form: "đất" → "dat". */
  readonly plain: string;
  /** The syllable was typed with at least one Vietnamese diacritic (teencode expansions are not). */
  readonly marked: boolean;
  /** Punctuation or a line break separates this token from the previous one (or it is the first). */
  readonly breakBefore: boolean;
}

const TONES: Readonly<Record<number, number>> = {
  769: 1,
  833: 1,
  768: 2,
  832: 2,
  777: 3,
  771: 4,
  803: 5,
};

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const DIGITS = /\p{N}+/gu;
const REPEATS = /(\p{L})\1{2,}/gu;
const NON_SPACE = /\S/u;

/** Removes every diacritic (tones and vowel marks) and maps đ/Đ to d/D. */
export function stripDiacritics(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFC");
}

interface SyllableForms {
  acc: string;
  plain: string;
  marked: boolean;
}

/** Forms of one lower-case NFC syllable (no normalisation of case or Unicode form here). */
export function syllableForms(word: string): SyllableForms {
  const d = word.normalize("NFD");
  let tone = 0;
  let marked = false;
  let acc = "";
  let plain = "";
  for (const ch of d) {
    const code = ch.codePointAt(0)!;
    const t = TONES[code];
    if (t !== undefined) {
      tone = t;
      marked = true;
    } else if (code >= 0x0300 && code <= 0x036f) {
      acc += ch;
      marked = true;
    } else if (ch === "đ") {
      acc += ch;
      plain += "d";
      marked = true;
    } else {
      acc += ch;
      plain += ch;
    }
  }
  acc = acc.normalize("NFC");
  return { acc: tone ? acc + tone : acc, plain, marked };
}

const expansionCache = new Map<string, SyllableForms[]>();
function expansion(text: string): SyllableForms[] {
  let forms = expansionCache.get(text);
  if (!forms) {
    forms = text.split(" ").map((w) => {
      const f = syllableForms(w);
      return { acc: f.acc, plain: f.plain, marked: false };
    });
    expansionCache.set(text, forms);
  }
  return forms;
}

/** Lower case, NFC, repeated letters collapsed ("quaaa" → "qua"), digit runs folded to "0". */
export function normalizeWord(raw: string): string {
  return raw.replace(REPEATS, "$1").replace(DIGITS, "0");
}

/**
 * Splits a text into normalised syllable tokens. Teencode and acronyms are expanded
 * ("ko" → không, "ubnd" → ủy ban nhân dân) except a few single letters right after a number.
 */
export function tokenize(text: string): Token[] {
  const s = text.normalize("NFC").toLowerCase();
  const out: Token[] = [];
  let last = 0;
  let prevWasNumber = false;
  for (const m of s.matchAll(WORD)) {
    const start = m.index;
    const breakBefore =
      out.length === 0 || NON_SPACE.test(s.slice(last, start)) || s.slice(last, start).includes("\n");
    last = start + m[0].length;
    const word = normalizeWord(m[0]);
    const teen = TEENCODE[word];
    if (teen !== undefined && !(prevWasNumber && AFTER_NUMBER_EXCEPTIONS.has(word))) {
      expansion(teen).forEach((f, i) => {
        out.push({ ...f, breakBefore: i === 0 ? breakBefore : false });
      });
      prevWasNumber = false;
      continue;
    }
    const f = syllableForms(word);
    out.push({ acc: f.acc, plain: f.plain, marked: f.marked, breakBefore });
    prevWasNumber = word === "0";
  }
  return out;
}

/**
 * True when the text was typed with diacritics (at least 30 % of its letter tokens carry marks).
 * Text typed without them ("nha toi bi thu hoi dat") is read through the diacritic-free forms only.
 */
export function isMarkedText(tokens: readonly Token[]): boolean {
  let letters = 0;
  let marked = 0;
  for (const t of tokens) {
    if (t.plain === "0") continue;
    letters++;
    if (t.marked) marked++;
  }
  return letters > 0 && marked >= 0.3 * letters;
}
