/**
 * Replays scripted citizen conversations (test/fixtures/dialogue/*.json) against the production
 * dialogue, with the production router and deadlines and an in-memory case store, and scores
 * them: filed with the right kind, topic, place and agency; turns per case; answers stored in the
 * wrong field; texts that promise a «button» the reply does not show. Used by `npm run
 * eval:dialogue` and by the tests.
 */
import { z } from "zod";
import { computeDeadlines } from "../case/deadline.ts";
import type { ReferenceData } from "../data/index.ts";
import { route } from "../routing/router.ts";
import {
  type Classification,
  type DialoguePorts,
  type DialogueState,
  type Draft,
  handleTurn,
  initialState,
} from "./dialogue.ts";
import type { PlaceIndex } from "./places.ts";
import type { Reply } from "./types.ts";
import { fold } from "./understand.ts";

export const conversationSchema = z.object({
  id: z.string(),
  style: z.string(),
  turns: z.array(z.string()).min(1),
  expect: z.object({
    filed: z.boolean().default(true),
    kind: z.enum(["pakn", "khieu_nai", "to_cao"]).optional(),
    topic: z.string().optional(),
    /** A commune id, or null for city-wide. */
    place: z.string().nullable().optional(),
    agency: z.string().optional(),
    /** Stored fields that must contain these texts (compared without diacritics). */
    fields: z.record(z.string(), z.string()).default({}),
    /** What the citizen typed that must not be stored in any field. */
    notStored: z.array(z.string()).default([]),
    /** A simple PAKN (for the median-turns bar). */
    simple: z.boolean().default(false),
    question: z.boolean().optional(),
    cases: z.number().int().positive().optional(),
  }),
});
export type Conversation = z.infer<typeof conversationSchema>;

export interface Filed {
  draft: Draft;
  agencyId: string;
}

export interface ReplayResult {
  id: string;
  style: string;
  filed: Filed[];
  turns: number;
  replies: Reply[];
  checks: { kind?: boolean; topic?: boolean; place?: boolean; agency?: boolean };
  fieldChecks: number;
  wrongFields: string[];
  brokenPromises: string[];
  ok: boolean;
}

function storedFields(d: Draft): Record<string, string> {
  const det = d.details ?? {};
  return {
    description: d.description.join("\n"),
    subject: d.subject ?? "",
    senderName: d.senderName ?? "",
    senderContact: d.senderContact ?? "",
    senderAddress: d.senderAddress ?? "",
    decision: d.kind === "khieu_nai" ? (d.subject ?? "") : "",
    accused: d.kind === "to_cao" ? (d.subject ?? "") : "",
    issuer: det.issuer ?? "",
    request: det.request ?? "",
    lateReason: det.lateReason ?? "",
  };
}

const norm = (s: string) => fold(s).replace(/ \? /g, " ").trim();

/** «Label» promised in a reply's text must be a choice of that reply (or of the last reply). */
function promises(replies: Reply[]): string[] {
  const broken: string[] = [];
  const shown = new Set(replies.flatMap((r) => r.choices?.map((c) => norm(c.label)) ?? []));
  for (const r of replies) {
    for (const m of r.text.matchAll(/chọn «([^»]+)»/g)) {
      const label = norm(m[1]!);
      if (![...shown].some((s) => s === label || s.startsWith(label))) broken.push(m[1]!);
    }
  }
  return broken;
}

export async function replay(
  conv: Conversation,
  env: {
    data: ReferenceData;
    places: PlaceIndex;
    classify?: (text: string) => Promise<Classification>;
    now?: Date;
  },
): Promise<ReplayResult> {
  const now = env.now ?? new Date("2026-11-23T03:00:00Z");
  const filed: Filed[] = [];
  let n = 0;
  const ports: DialoguePorts = {
    data: env.data,
    places: env.places,
    now: () => now,
    async fileCase(draft) {
      const det = draft.details ?? {};
      const r = route(
        {
          topicId: draft.topicId,
          kind: draft.kind,
          placeId: draft.placeId ?? null,
          text: [draft.subject ?? "", ...draft.description].join("\n"),
          ...(det.competentAgencyId
            ? { competent: { agencyId: det.competentAgencyId, reason: det.competentReason ?? "" } }
            : {}),
        },
        env.data,
      );
      const remote = Boolean(draft.placeId && env.data.communeById.get(draft.placeId)?.remote);
      const due = computeDeadlines(
        {
          kind: draft.kind,
          receivedAt: now,
          remote,
          second: Boolean(det.second),
          question: Boolean(det.question),
        },
        env.data.deadlines,
        env.data.calendar,
      );
      filed.push({ draft: structuredClone(draft), agencyId: r.agencyId });
      n++;
      return {
        code: `TEST-${String(n).padStart(5, "0")}`,
        kind: draft.kind,
        agencyName: r.agencyName,
        ...due,
      };
    },
    lookup: async () => null,
    listOpenCases: async () => [],
    rate: async () => {},
    supplement: async () => {},
    ...(env.classify ? { classify: env.classify } : {}),
  };
  let state: DialogueState = initialState;
  let turns = 0;
  let filedAt = 0;
  const all: Reply[] = [];
  const brokenPromises: string[] = [];
  for (const text of conv.turns) {
    const r = await handleTurn(state, { channel: "web", chatId: conv.id, userId: conv.id, text }, ports);
    state = r.state;
    all.push(...r.replies);
    brokenPromises.push(...promises(r.replies));
    if (!filedAt) turns++;
    if (filed.length && !filedAt) filedAt = turns;
  }
  const e = conv.expect;
  const first = filed[0];
  const checks: ReplayResult["checks"] = {};
  if (first) {
    if (e.kind) checks.kind = first.draft.kind === e.kind;
    if (e.topic) checks.topic = first.draft.topicId === e.topic;
    if (e.place !== undefined) checks.place = (first.draft.placeId ?? null) === e.place;
    if (e.agency) checks.agency = first.agencyId === e.agency;
  }
  const wrongFields: string[] = [];
  let fieldChecks = 0;
  if (first) {
    const stored = storedFields(first.draft);
    for (const [field, want] of Object.entries(e.fields)) {
      fieldChecks++;
      if (!norm(stored[field] ?? "").includes(norm(want))) wrongFields.push(`${field} lacks «${want}»`);
    }
    // The sender's identity never travels in the description or the subject.
    for (const f of filed) {
      const d = f.draft;
      const open = norm([...d.description, d.subject ?? ""].join("\n"));
      for (const secret of [d.senderName, d.senderContact]) {
        if (!secret) continue;
        fieldChecks++;
        if (open.includes(norm(secret))) wrongFields.push(`identity «${secret}» stored in the description`);
      }
    }
    for (const text of e.notStored) {
      fieldChecks++;
      // Stored as an answer: a whole field or a whole line of one (the description is kept line by line).
      const where = Object.entries(stored).find(([, v]) =>
        v.split("\n").some((line) => norm(line) === norm(text)),
      );
      if (where) wrongFields.push(`«${text}» stored in ${where[0]}`);
    }
  }
  const filedOk = e.filed ? filed.length === (e.cases ?? 1) : filed.length === 0;
  const ok =
    filedOk && Object.values(checks).every(Boolean) && wrongFields.length === 0 && !brokenPromises.length;
  return {
    id: conv.id,
    style: conv.style,
    filed,
    turns,
    replies: all,
    checks,
    fieldChecks,
    wrongFields,
    brokenPromises,
    ok,
  };
}

export function median(values: number[]): number {
  if (!values.length) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
