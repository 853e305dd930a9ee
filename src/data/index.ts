/**
 * The reference data officials edit (data/*.json), validated at load and cross-checked.
 * Imported as JSON modules so the same code runs under Node and on Workers.
 */

import type { z } from "zod";
import agenciesJson from "../../data/agencies.json" with { type: "json" };
import deadlinesJson from "../../data/deadlines.json" with { type: "json" };
import faqJson from "../../data/faq.json" with { type: "json" };
import holidaysJson from "../../data/holidays.json" with { type: "json" };
import placesJson from "../../data/places.json" with { type: "json" };
import routingJson from "../../data/routing-rules.json" with { type: "json" };
import topicsJson from "../../data/topics.json" with { type: "json" };
import { type Calendar, createCalendar } from "../case/calendar.ts";
import type { DeadlineRules } from "../case/deadline.ts";
import {
  agenciesSchema,
  deadlineRulesSchema,
  faqSchema,
  holidaysSchema,
  placesSchema,
  routingRulesSchema,
  TOPIC_IDS,
  topicsSchema,
} from "./schemas.ts";

export type Topic = z.infer<typeof topicsSchema>["topics"][number];
export type Commune = z.infer<typeof placesSchema>["communes"][number];
export type Province = z.infer<typeof placesSchema>["province"];
export type Agency = z.infer<typeof agenciesSchema>["agencies"][number];
export type RoutingRule = z.infer<typeof routingRulesSchema>["rules"][number];
export type FaqEntry = z.infer<typeof faqSchema>["entries"][number];

export interface ReferenceData {
  topics: Topic[];
  province: Province;
  communes: Commune[];
  agencies: Agency[];
  rules: RoutingRule[];
  deadlines: DeadlineRules;
  calendar: Calendar;
  calendarCoversThrough: string;
  /** The holiday calendar as validated (the seed of the editable calendar). */
  holidaysSeed: z.infer<typeof holidaysSchema>;
  topicById: Map<string, Topic>;
  communeById: Map<string, Commune>;
  agencyById: Map<string, Agency>;
  /** Answers to common questions (data/faq.json). */
  faq: FaqEntry[];
}

export class DataError extends Error {
  override name = "DataError";
}

function parse<T>(file: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DataError(
      `data/${file} is invalid: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return result.data;
}

/** Validates raw data objects (the files by default) and checks their references to each other. */
export function buildReferenceData(raw: {
  topics: unknown;
  places: unknown;
  agencies: unknown;
  routing: unknown;
  holidays: unknown;
  deadlines: unknown;
  /** data/faq.json when absent. */
  faq?: unknown;
}): ReferenceData {
  const { topics } = parse("topics.json", topicsSchema, raw.topics);
  const places = parse("places.json", placesSchema, raw.places);
  const { agencies } = parse("agencies.json", agenciesSchema, raw.agencies);
  const { rules } = parse("routing-rules.json", routingRulesSchema, raw.routing);
  const holidays = parse("holidays.json", holidaysSchema, raw.holidays);
  const deadlines = parse("deadlines.json", deadlineRulesSchema, raw.deadlines);
  const { entries: faq } = parse("faq.json", faqSchema, raw.faq ?? faqJson);

  const topicById = new Map(topics.map((t) => [t.id, t]));
  const communeById = new Map(places.communes.map((c) => [c.id, c]));
  const agencyById = new Map(agencies.map((a) => [a.id, a]));
  const problems: string[] = [];
  for (const id of TOPIC_IDS) if (!topicById.has(id)) problems.push(`topics.json lacks topic "${id}"`);
  if (topicById.size !== topics.length) problems.push("topics.json has duplicate ids");
  if (communeById.size !== places.communes.length) problems.push("places.json has duplicate ids");
  if (agencyById.size !== agencies.length) problems.push("agencies.json has duplicate ids");
  for (const a of agencies) {
    if (a.communeId && !communeById.has(a.communeId))
      problems.push(`agency ${a.id}: unknown commune ${a.communeId}`);
  }
  for (const c of places.communes) {
    if (!agencies.some((a) => a.communeId === c.id && a.kind !== "commune_police"))
      problems.push(`commune ${c.id} has no People's Committee in agencies.json`);
  }
  for (const f of faq)
    if (!topicById.has(f.topicId)) problems.push(`faq.json ${f.id}: unknown topic ${f.topicId}`);
  for (const r of rules) {
    if (!r.agency.startsWith("$") && !agencyById.has(r.agency))
      problems.push(`routing rule #${r.id}: unknown agency ${r.agency}`);
    if (r.agency.startsWith("$") && r.agency !== "$commune" && r.agency !== "$commune_police")
      problems.push(`routing rule #${r.id}: unknown agency ${r.agency}`);
    if (r.agency.startsWith("$") && r.scope !== "commune")
      problems.push(`routing rule #${r.id}: ${r.agency} needs scope "commune"`);
    for (const p of r.places ?? [])
      if (!communeById.has(p)) problems.push(`routing rule #${r.id}: unknown place ${p}`);
    for (const t of r.topics ?? [])
      if (!topicById.has(t)) problems.push(`routing rule #${r.id}: unknown topic ${t}`);
  }
  if (!rules.some((r) => !r.topics && !r.kinds && r.scope === "any"))
    problems.push("routing-rules.json needs a final catch-all rule");
  if (problems.length) throw new DataError(problems.join("\n"));

  return {
    topics,
    province: places.province,
    communes: places.communes,
    agencies,
    rules,
    deadlines,
    calendar: createCalendar(holidays),
    calendarCoversThrough: holidays.coversThrough,
    holidaysSeed: holidays,
    topicById,
    communeById,
    agencyById,
    faq,
  };
}

let cached: ReferenceData | undefined;

/** The project's data files, validated once. */
export function loadReferenceData(): ReferenceData {
  cached ??= buildReferenceData({
    topics: topicsJson,
    places: placesJson,
    agencies: agenciesJson,
    routing: routingJson,
    holidays: holidaysJson,
    deadlines: deadlinesJson,
  });
  return cached;
}
