/**
 * Splits a long reply into chunks Zalo accepts (`sendMessage` text is 1–2000 characters).
 *
 * Lengths are counted in UTF-16 code units (`string.length`), which is never less than the
 * number of code points or graphemes, so a chunk is within the limit however Zalo counts.
 *
 * Where to cut, best first, among cut points in the second half of the window:
 *   1. a paragraph break (a blank line), 2. a line break, 3. the end of a sentence;
 * then anywhere in the window: 4. a space between words; 5. a grapheme-cluster boundary.
 * A cut never falls inside a grapheme cluster, so a surrogate pair, a base letter and its
 * combining marks (Vietnamese in NFD: "e" + U+0323 + U+0302), or an emoji ZWJ sequence are never
 * separated. Only a single cluster longer than the limit (pathological "Zalgo" text) is cut
 * inside, and then still between code points. Whitespace at a cut is dropped; chunks are trimmed
 * and never empty. Pure TypeScript, runs on Workers (uses `Intl.Segmenter` when present, asked
 * only about the few candidate cuts: segmenting a whole 50 KB text costs hundreds of ms).
 */

/** Zalo's maximum `sendMessage` text length. */
export const ZALO_MAX_TEXT_LENGTH = 2000;

const SPACE = /\s/u;
const SENTENCE_END = new Set([".", "!", "?", "…"]);
const CLOSERS = new Set([")", "]", "}", '"', "'", "”", "’", "»"]);
const MARK = /^\p{M}$/u;

/**
 * Splits `text` into trimmed, non-empty chunks of at most `maxLength` UTF-16 code units.
 * Returns `[]` for empty or whitespace-only text. `maxLength` must be an integer ≥ 2.
 */
export function splitText(text: string, maxLength: number = ZALO_MAX_TEXT_LENGTH): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 2) {
    throw new RangeError(`splitText: maxLength must be an integer >= 2, got ${maxLength}`);
  }
  const clusters = clusterOracle(text);
  const chunks: string[] = [];
  let end = text.length;
  while (end > 0 && isSpace(text, end - 1)) end--;
  let start = skipSpace(text, 0, end, clusters);

  while (end - start > maxLength) {
    const cut = findCut(text, start, start + maxLength, clusters, maxLength);
    let chunkEnd = cut;
    while (chunkEnd > start && isSpace(text, chunkEnd - 1)) chunkEnd--;
    if (chunkEnd > start) chunks.push(text.slice(start, chunkEnd));
    start = skipSpace(text, cut, end, clusters);
  }
  if (end > start) chunks.push(text.slice(start, end));
  return chunks;
}

/** Where grapheme clusters start, asked position by position (whole-text segmentation is slow). */
interface ClusterOracle {
  /** Whether a cluster starts at UTF-16 offset i (0 < i < length). */
  isBoundary(i: number): boolean;
  /** The offset where the cluster containing offset i starts. */
  clusterStart(i: number): number;
}

/** The best cut in (start, limit]: the chunk is text[start, cut). Always > start. */
function findCut(
  text: string,
  start: number,
  limit: number,
  clusters: ClusterOracle,
  maxLength: number,
): number {
  const minFill = start + Math.floor(maxLength / 2);
  let line = -1;
  let sentence = -1;
  let word = -1;
  for (let i = limit; i > start; i--) {
    if (i < minFill && word >= 0) break; // only word breaks count below minFill, and we have one
    // Candidates are the starts of whitespace runs that are cluster boundaries.
    if (!isSpace(text, i) || isSpace(text, i - 1)) continue;
    const newlines = i >= minFill ? countNewlines(text, i) : 0;
    const wantParagraph = newlines >= 2;
    const wantLine = newlines === 1 && line < 0;
    const wantSentence = i >= minFill && sentence < 0 && endsSentence(text, start, i);
    if (!(wantParagraph || wantLine || wantSentence || word < 0) || !clusters.isBoundary(i)) continue;
    if (wantParagraph) return i; // the rightmost paragraph break: the best there is
    if (wantLine) line = i;
    if (wantSentence) sentence = i;
    if (word < 0) word = i;
  }
  if (line >= 0) return line;
  if (sentence >= 0) return sentence;
  if (word >= 0) return word;
  // No space: cut before the cluster that straddles the limit.
  if (clusters.isBoundary(limit)) return limit;
  const clusterStart = clusters.clusterStart(limit);
  if (clusterStart > start) return clusterStart;
  // One cluster longer than the window: cut between code points, never inside a surrogate pair.
  const isPairTail = isLowSurrogate(text.charCodeAt(limit)) && isHighSurrogate(text.charCodeAt(limit - 1));
  return isPairTail ? limit - 1 : limit;
}

/** Newlines in the whitespace run starting at `i` ("\r\n" counts once). */
function countNewlines(text: string, i: number): number {
  let count = 0;
  for (let j = i; j < text.length && isSpace(text, j); j++) {
    const ch = text[j];
    if (ch === "\n" || ch === "\u2029" || ch === "\u2028" || (ch === "\r" && text[j + 1] !== "\n")) count++;
  }
  return count;
}

/** Whether text[start, i) ends with sentence punctuation, possibly followed by closing quotes. */
function endsSentence(text: string, start: number, i: number): boolean {
  let j = i - 1;
  while (j > start && CLOSERS.has(text[j] ?? "")) j--;
  return SENTENCE_END.has(text[j] ?? "");
}

/** Skips whitespace at `i` that stands alone (not carrying combining marks). */
function skipSpace(text: string, i: number, end: number, clusters: ClusterOracle): number {
  while (i < end && isSpace(text, i) && (i + 1 === text.length || clusters.isBoundary(i + 1))) i++;
  return i;
}

function isSpace(text: string, i: number): boolean {
  const ch = text[i];
  return ch !== undefined && SPACE.test(ch);
}

/** One segmenter for every text (making one per call cost more than a short reply's split). */
let graphemes: Intl.Segmenter | undefined;

/**
 * Segments the text only when a question is first asked: a text that fits whole, with no leading
 * space (nearly every reply), never needs it.
 */
function clusterOracle(text: string): ClusterOracle {
  let oracle: ClusterOracle | undefined;
  const get = () => {
    oracle ??= segmentedOracle(text);
    return oracle;
  };
  return { isBoundary: (i) => get().isBoundary(i), clusterStart: (i) => get().clusterStart(i) };
}

function segmentedOracle(text: string): ClusterOracle {
  const n = text.length;
  if (typeof Intl !== "undefined" && typeof Intl.Segmenter === "function") {
    graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
    const segments = graphemes.segment(text);
    const clusterStart = (i: number) => segments.containing(i)?.index ?? i;
    return {
      isBoundary: (i) => i <= 0 || i >= n || surelyBoundary(text, i) || clusterStart(i) === i,
      clusterStart,
    };
  }
  const isBoundary = (i: number) => i <= 0 || i >= n || basicBoundary(text, i);
  return {
    isBoundary,
    clusterStart: (i) => {
      let j = i;
      while (j > 0 && !isBoundary(j)) j--;
      return j;
    },
  };
}

/**
 * A quick sufficient test (UAX #29): nothing below U+0300 extends a cluster, so a cluster starts
 * before such a character unless it follows CR (CR LF), a ZWJ (ZWJ ©) or a Prepend character.
 */
function surelyBoundary(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 0x300) return false;
  const p = text.charCodeAt(i - 1);
  if (p === 0x0d && c === 0x0a) return false;
  return p < 0x600 || (p >= 0x0900 && p < 0x0d4e) || (p > 0x0d4e && p < 0x200d) || (p > 0x200d && p < 0xd800);
}

/** A conservative approximation of UAX #29 for runtimes without Intl.Segmenter. */
function basicBoundary(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const p = text.charCodeAt(i - 1);
  if (isLowSurrogate(c) && isHighSurrogate(p)) return false;
  if (p === 0x0d && c === 0x0a) return false;
  const cp = text.codePointAt(i) ?? c;
  if (isExtend(cp)) return false;
  const prev = isLowSurrogate(p) && i >= 2 ? (text.codePointAt(i - 2) ?? p) : p;
  return prev !== 0x200d; // a ZWJ joins what follows
}

/** Code points that never start a grapheme cluster: marks, ZWNJ/ZWJ, skin tones, emoji tags. */
function isExtend(cp: number): boolean {
  if (cp === 0x200c || cp === 0x200d) return true;
  if ((cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0020 && cp <= 0xe007f)) return true;
  return MARK.test(String.fromCodePoint(cp));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
