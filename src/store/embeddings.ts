/**
 * Case texts' embeddings, stored once per model and text (TextEmbedding, keyed by the md5 of the
 * embedded text): filing a case stores its vector, and the digest's hot spots read the vectors
 * instead of embedding thousands of texts each time; a case without one (filed before, or while
 * the model was unavailable) gets it the first time it is needed. Identical texts share a vector.
 */
import { createHash } from "node:crypto";
import type { Embedder } from "../classify/embedder.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "./db.ts";

/** Characters of a case's description its embedding sees (the opening says what it is about). */
export const EMBEDDED_CHARS = 600;

/** The text a case's embedding is of (the same characters as SQL's left(description, 600)). */
export function embeddedText(description: string): string {
  const chars = Array.from(description);
  return chars.length > EMBEDDED_CHARS ? chars.slice(0, EMBEDDED_CHARS).join("") : description;
}

/** The key of a text: md5 of its UTF-8 bytes in hex (as PostgreSQL's md5()). */
export function textHash(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** The hash of a case's embedded text, as an SQL expression over "Case" c. */
export const CASE_TEXT_HASH = Prisma.sql`md5(left(c."description", ${Prisma.raw(String(EMBEDDED_CHARS))}))`;

const toBytes = (v: Float32Array) => {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  return out;
};

const fromBytes = (b: Uint8Array) => {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(b.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
};

/** The TextEmbedding row of a case's description (to store with createMany, skipDuplicates). */
export async function caseEmbedding(embedder: Embedder, description: string) {
  const text = embeddedText(description);
  const [vector] = await embedder.embed([text]);
  return { model: embedder.id, textHash: textHash(text), vector: toBytes(vector!) };
}

/**
 * The vectors of cases' texts by hash (each case given with the hash of its embedded text, as
 * CASE_TEXT_HASH computes it): read from the store; those missing are embedded from the cases'
 * descriptions and stored. Returns how many were embedded now.
 */
export async function caseEmbeddings(
  db: Db,
  embedder: Embedder,
  cases: ReadonlyArray<{ id: string; textHash: string }>,
): Promise<{ vectors: Map<string, Float32Array>; embedded: number }> {
  const hashes = [...new Set(cases.map((c) => c.textHash))];
  const vectors = new Map<string, Float32Array>();
  if (!hashes.length) return { vectors, embedded: 0 };
  // One row: the hashes, and the vectors end to end as base64 (the embedded database decodes a
  // bytea value per row slowly; one text is quick on both).
  const [stored] = await db.$queryRaw<Array<{ hashes: string | null; vectors: string | null }>>`
    SELECT string_agg("textHash", ',' ORDER BY "textHash") AS "hashes",
           encode(string_agg("vector", ''::bytea ORDER BY "textHash"), 'base64') AS "vectors"
    FROM "TextEmbedding"
    WHERE "model" = ${embedder.id} AND "textHash" = ANY(${hashes}::text[])`;
  if (stored?.hashes && stored.vectors) {
    const bytes = Buffer.from(stored.vectors, "base64");
    const size = embedder.dim * 4;
    const found = stored.hashes.split(",");
    if (bytes.length !== found.length * size)
      throw new Error(`stored vectors of ${embedder.id} are not ${embedder.dim}-dimensional`);
    found.forEach((hash, i) => {
      vectors.set(hash, fromBytes(bytes.subarray(i * size, (i + 1) * size)));
    });
  }
  // One case per missing text.
  const missing = new Map<string, string>();
  for (const c of cases)
    if (!vectors.has(c.textHash) && !missing.has(c.textHash)) missing.set(c.textHash, c.id);
  if (!missing.size) return { vectors, embedded: 0 };
  const texts = await db.$queryRaw<Array<{ textHash: string; text: string }>>`
    SELECT ${CASE_TEXT_HASH} AS "textHash", left(c."description", ${EMBEDDED_CHARS}::int) AS "text"
    FROM "Case" c WHERE c."id" = ANY(${[...missing.values()]}::uuid[])`;
  const embedded = await embedder.embed(texts.map((t) => t.text));
  for (const [i, t] of texts.entries()) vectors.set(t.textHash, embedded[i]!);
  for (let i = 0; i < texts.length; i += 1000)
    await db.textEmbedding.createMany({
      data: texts.slice(i, i + 1000).map((t, j) => ({
        model: embedder.id,
        textHash: t.textHash,
        vector: toBytes(embedded[i + j]!),
      })),
      skipDuplicates: true,
    });
  return { vectors, embedded: texts.length };
}
