/** Diacritics-insensitive search text of a case (stored in Case.searchText) and of a query. */
import { stripDiacritics } from "../classify/normalize.ts";

export function foldForSearch(text: string): string {
  return stripDiacritics(text.normalize("NFC").toLowerCase()).replace(/\s+/g, " ").trim();
}

export function searchTextOf(c: {
  code: string;
  subject?: string | null;
  address?: string | null;
  description: string;
}): string {
  return foldForSearch([c.code, c.subject, c.address, c.description].filter(Boolean).join(" "));
}

/** The words of a query (folded, at most 8, each at most 60 characters). */
export function queryWords(query: string): string[] {
  return foldForSearch(query.slice(0, 300))
    .split(" ")
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}-]+$/gu, ""))
    .filter((w) => w.length > 0)
    .slice(0, 8)
    .map((w) => w.slice(0, 60));
}
