/**
 * Makes a received update storable in PostgreSQL's jsonb, keeping everything that can be kept:
 *  - lone UTF-16 surrogates (valid in JSON text, invalid Unicode) become U+FFFD — PostgreSQL rejects
 *    them ("unsupported Unicode escape sequence");
 *  - U+0000 becomes U+FFFD (jsonb and text cannot hold it);
 *  - nesting deeper than `maxDepth` is cut: the subtree is replaced by the string
 *    `TRUNCATED_MARKER` (Prisma's serializer and PostgreSQL overflow on thousands of levels; no
 *    Telegram or Zalo update is more than a few levels deep, so this only touches junk).
 * Iterative on purpose: a recursive walk would itself overflow on the inputs it exists for.
 */

export const TRUNCATED_MARKER = "[cắt bớt: lồng quá sâu]";
export const DEFAULT_MAX_DEPTH = 64;

export interface RepairResult {
  value: unknown;
  /** What was changed, for the log ("lone surrogates", "NUL characters", "depth > 64"). */
  changes: string[];
}

export function repairJson(input: unknown, maxDepth = DEFAULT_MAX_DEPTH): RepairResult {
  const changes = new Set<string>();
  const fixString = (s: string): string => {
    let out = s;
    if (!out.isWellFormed()) {
      out = out.toWellFormed();
      changes.add("lone surrogates");
    }
    if (out.includes("\u0000")) {
      out = out.replaceAll("\u0000", "\uFFFD");
      changes.add("NUL characters");
    }
    return out;
  };
  const root: { v: unknown } = { v: undefined };
  // Each frame copies one source value into `target[key]`.
  const stack: Array<{
    src: unknown;
    target: Record<string, unknown> | unknown[];
    key: string | number;
    depth: number;
  }> = [{ src: input, target: root as unknown as Record<string, unknown>, key: "v", depth: 0 }];
  while (stack.length) {
    const { src, target, key, depth } = stack.pop()!;
    let out: unknown;
    if (typeof src === "string") out = fixString(src);
    else if (src === null || typeof src !== "object") out = src;
    else if (depth >= maxDepth) {
      out = TRUNCATED_MARKER;
      changes.add(`depth > ${maxDepth}`);
    } else if (Array.isArray(src)) {
      const arr: unknown[] = new Array(src.length);
      for (let i = src.length - 1; i >= 0; i--)
        stack.push({ src: src[i], target: arr, key: i, depth: depth + 1 });
      out = arr;
    } else {
      const obj: Record<string, unknown> = {};
      const entries = Object.entries(src);
      for (const [k] of entries) obj[fixString(k)] = undefined;
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        stack.push({ src: v, target: obj, key: fixString(k), depth: depth + 1 });
      }
      out = obj;
    }
    (target as Record<string | number, unknown>)[key] = out;
  }
  return { value: root.v, changes: [...changes] };
}
