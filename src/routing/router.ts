/**
 * Routing, the FixMyStreet way: topic × place × kind → the responsible body, by the first
 * matching rule of data/routing-rules.json, with an explanation a person can check.
 */
import type { CaseKind } from "../case/kind.ts";
import { stripDiacritics } from "../classify/normalize.ts";
import type { ReferenceData, RoutingRule } from "../data/index.ts";
import { kindLabel } from "../i18n/vi.ts";

export interface RouteInput {
  topicId: string;
  kind: CaseKind;
  /** Commune/ward id when the place is known; absent for city-wide or unknown places. */
  placeId?: string | null;
  /** The case's text, for rules with keywords (electricity, social insurance, …). */
  text?: string;
  /**
   * The body competent by law that the dialogue established (the issuer of a decision complained
   * of; the body that manages a denounced official): it takes precedence over the rules.
   */
  competent?: { agencyId: string; reason: string };
}

export interface Route {
  agencyId: string;
  agencyName: string;
  ruleId: number;
  /** "Chuyển đến … vì chủ đề = …, địa bàn = …, loại = … (quy tắc #n: …)". */
  explanation: string;
}

function fold(text: string): string {
  return stripDiacritics(text.normalize("NFC").toLowerCase()).replace(/\s+/g, " ");
}

function matches(rule: RoutingRule, input: RouteInput, hasPlace: boolean, folded: string): boolean {
  if (rule.kinds && !rule.kinds.includes(input.kind)) return false;
  if (rule.topics && !rule.topics.includes(input.topicId)) return false;
  if (rule.scope === "commune" && !hasPlace) return false;
  if (rule.scope === "province" && hasPlace) return false;
  if (rule.places && !(input.placeId && rule.places.includes(input.placeId))) return false;
  if (rule.keywords && !rule.keywords.some((k) => ` ${folded} `.includes(` ${fold(k)} `))) return false;
  return true;
}

export function route(input: RouteInput, data: ReferenceData): Route {
  const commune = input.placeId ? data.communeById.get(input.placeId) : undefined;
  const hasPlace = Boolean(commune);
  const topic = data.topicById.get(input.topicId)?.name ?? input.topicId;
  const place = commune ? placeName(commune) : "chưa xác định xã/phường";
  const competent = input.competent && data.agencyById.get(input.competent.agencyId);
  if (competent) {
    return {
      agencyId: competent.id,
      agencyName: competent.name,
      ruleId: 0,
      explanation: `Chuyển đến ${competent.name} theo thẩm quyền: ${input.competent!.reason} (chủ đề = ${topic}, địa bàn = ${place}, loại = ${kindLabel(input.kind)})`,
    };
  }
  const folded = fold(` ${input.text ?? ""} `.replace(/[^\p{L}\p{N}]+/gu, " "));
  for (const rule of data.rules) {
    if (!matches(rule, input, hasPlace, folded)) continue;
    const agency =
      rule.agency === "$commune"
        ? communeAgency(data, commune?.id, "commune_committee")
        : rule.agency === "$commune_police"
          ? communeAgency(data, commune?.id, "commune_police")
          : data.agencyById.get(rule.agency);
    if (!agency) continue; // validated at load; defensive for data edited at run time
    return {
      agencyId: agency.id,
      agencyName: agency.name,
      ruleId: rule.id,
      explanation: `Chuyển đến ${agency.name} vì chủ đề = ${topic}, địa bàn = ${place}, loại = ${kindLabel(input.kind)} (quy tắc #${rule.id}: ${rule.name})`,
    };
  }
  throw new Error("No routing rule matched: routing-rules.json must end with a catch-all rule");
}

/** The commune's People's Committee or police (an agency of that kind, else any of the commune's). */
export function communeAgency(data: ReferenceData, communeId: string | undefined, kind: string) {
  if (!communeId) return undefined;
  const own = data.agencies.filter((a) => a.communeId === communeId);
  return (
    own.find((a) => a.kind === kind) ??
    (kind === "commune_police" ? undefined : own.find((a) => a.kind !== "commune_police"))
  );
}

export function placeName(commune: { name: string; type: string }): string {
  const prefix = commune.type === "phuong" ? "phường" : commune.type === "xa" ? "xã" : "đặc khu";
  return `${prefix} ${commune.name}`;
}
