/**
 * Reading a long letter by its parts. Petitions published by portals and newspapers wrap the
 * matter in background: who writes, how long they have lived there, which officials they already
 * asked, what an official told the reporter. The topic lives in the sentences that raise the
 * matter or make the request ("… phản ánh …", "đề nghị …", "mong …"). For a text of three or more
 * sentences, `focusText` returns those sentences (without the ones reporting an official's
 * answer); the classifier mixes the head's logits on them with the logits on the whole text.
 * Matching is on diacritic-free lower-case text, so it works for text typed without diacritics.
 */
import { stripDiacritics } from "./normalize.ts";

const SENTENCE_END = /(?<=[.!?…;])\s+|\n+/u;
/** The sentence raises the matter or asks for something. */
const CUE = /\b(phan anh|kien nghi|de nghi|de xuat|cho biet|buc xuc|mong|yeu cau|xin|to cao|khieu nai)\b/;
/** The sentence reports the answer of an official or a body, not the petition. */
const ANSWER = /\b(phong vien|tra loi bao|theo lanh dao|dai dien .{0,60}cho biet|lanh dao .{0,60}cho biet)\b/;

export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => /\p{L}/u.test(s));
}

/** The focus part of a long text, or null when the whole text should be read alone. */
export function focusText(text: string): string | null {
  const sentences = splitSentences(text);
  if (sentences.length < 3) return null;
  const keep = sentences.filter((s) => {
    const plain = stripDiacritics(s).toLowerCase();
    return CUE.test(plain) && !ANSWER.test(plain);
  });
  if (!keep.length || keep.length === sentences.length) return null;
  return keep.join(" ");
}
