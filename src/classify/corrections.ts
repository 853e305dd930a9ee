/**
 * Corrections: cases whose topic a person chose instead of the classifier — an official
 * re-classified it, the citizen rejected the classifier's guess and picked another topic, or the
 * classifier abstained and the citizen picked (even the topic it had ranked first: a label on a
 * text the model was unsure of is worth as much). Exported as labelled examples to data/ so
 * training can learn from them (`npm run model:train -- --reuse-embedder --with-corrections`). Texts whose sender is protected
 * (tố cáo, anonymous) are left out; phone numbers and e-mail addresses are masked.
 */
import type { Db } from "../store/db.ts";

export interface Correction {
  text: string;
  topic: string;
  kind: string;
  suggested: string;
  source: string;
  caseCode: string;
  /** "corrected": the person chose another topic than the classifier's; "confirmed": the same one. */
  change: "corrected" | "confirmed";
}

export function maskPersonalData(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, "[email]")
    .replace(/(?:\+?84|0)(?:[\s.-]?\d){8,10}/g, "[số điện thoại]");
}

export async function collectCorrections(db: Db, since?: Date): Promise<Correction[]> {
  const events = await db.caseEvent.findMany({
    where: { type: "classified", ...(since ? { createdAt: { gte: since } } : {}) },
    orderBy: { id: "asc" },
    include: {
      case: { select: { code: true, description: true, kind: true, topicId: true, identityProtected: true } },
    },
  });
  const latest = new Map<string, Correction>();
  for (const e of events) {
    const data = e.data as { topicId?: string; suggested?: string; source?: string };
    if (!data.suggested || !data.topicId) continue;
    if (e.case.identityProtected) continue;
    latest.set(e.caseId, {
      text: maskPersonalData(e.case.description),
      topic: e.case.topicId,
      kind: e.case.kind,
      suggested: data.suggested,
      source: data.source ?? e.actorType,
      caseCode: e.case.code,
      change: e.case.topicId === data.suggested ? "confirmed" : "corrected",
    });
  }
  return [...latest.values()];
}
