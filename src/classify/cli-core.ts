/**
 * The core of `npm run classify`: JSON lines {"id","text","place"?} in, one JSON line out per
 * input: {"id","topic","confidence","kind","agency","abstained","second"}, or {"id","error"} for a bad line.
 * Never throws on bad input. The router (topic × place × kind → agency) is passed in as
 * `routeAgency`; without one, "agency" is null.
 */
import type { Classifier } from "./classifier.ts";
import type { Kind } from "./kind-rules.ts";

export interface RouteInput {
  /** The message itself (the router looks for a commune named in it when no place is given). */
  text: string;
  topic: string;
  kind: Kind;
  place?: string;
  /** The classifier was not confident about the topic (a person should check it). */
  abstained: boolean;
}

/** The router's contract, implemented in src/routing/ (wired by the caller). */
export type RouteAgency = (
  input: RouteInput,
) => { agencyId: string } | null | Promise<{ agencyId: string } | null>;

export interface ClassifyCliDeps {
  classifier: Classifier;
  routeAgency?: RouteAgency;
}

export interface ClassifyOutput {
  id: unknown;
  topic: string;
  confidence: number;
  kind: Kind;
  agency: string | null;
  abstained: boolean;
  /** The second-best topic when it is close to the best (see Classification.alternative). */
  second: { topic: string; confidence: number } | null;
}

export interface ClassifyError {
  id: unknown;
  error: string;
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** Handles one input line; returns null for a blank line (no output). */
export async function classifyLine(
  line: string,
  deps: ClassifyCliDeps,
): Promise<ClassifyOutput | ClassifyError | null> {
  if (!line.trim()) return null;
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return { id: null, error: "Dòng không phải JSON hợp lệ." };
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { id: null, error: "Mỗi dòng phải là một đối tượng JSON." };
  }
  const rec = input as Record<string, unknown>;
  const id = rec.id ?? null;
  if (typeof rec.text !== "string") return { id, error: 'Thiếu trường "text" (chuỗi).' };
  if (rec.place !== undefined && rec.place !== null && typeof rec.place !== "string") {
    return { id, error: 'Trường "place" phải là chuỗi.' };
  }
  const place = typeof rec.place === "string" ? rec.place : undefined;
  try {
    const c = await deps.classifier.classify(rec.text);
    const routed = deps.routeAgency
      ? await deps.routeAgency({
          text: rec.text,
          topic: c.topic,
          kind: c.kind.kind,
          abstained: c.abstained,
          ...(place !== undefined ? { place } : {}),
        })
      : null;
    return {
      id,
      topic: c.topic,
      confidence: round(c.confidence),
      kind: c.kind.kind,
      agency: routed?.agencyId ?? null,
      abstained: c.abstained,
      second: c.alternative
        ? { topic: c.alternative.topic, confidence: round(c.alternative.confidence) }
        : null,
    };
  } catch (err) {
    return { id, error: `Lỗi khi phân loại: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Streams lines through classifyLine, writing one JSON line per non-blank input, in order. */
export async function runClassifyStream(
  lines: AsyncIterable<string>,
  write: (line: string) => void | Promise<void>,
  deps: ClassifyCliDeps,
): Promise<{ lines: number; errors: number }> {
  let n = 0;
  let errors = 0;
  for await (const line of lines) {
    const out = await classifyLine(line, deps);
    if (!out) continue;
    n++;
    if ("error" in out) errors++;
    await write(`${JSON.stringify(out)}\n`);
  }
  return { lines: n, errors };
}
