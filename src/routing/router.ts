/**
 * Routing, the FixMyStreet way: topic × place × kind → the responsible body, by the first
 * matching rule of data/routing-rules.json, with an explanation a person can check.
 */
import type { CaseKind } from "../case/kind.ts";
import type { ReferenceData, RoutingRule } from "../data/index.ts";
import { kindLabel } from "../i18n/vi.ts";

export interface RouteInput {
  topicId: string;
  kind: CaseKind;
  /** Commune/ward id when the place is known; absent for city-wide or unknown places. */
  placeId?: string | null;
}

export interface Route {
  agencyId: string;
  agencyName: string;
  ruleId: number;
  /** "Chuyển đến … vì chủ đề = …, địa bàn = …, loại = … (quy tắc #n: …)". */
  explanation: string;
}

function matches(rule: RoutingRule, input: RouteInput, hasPlace: boolean): boolean {
  if (rule.kinds && !rule.kinds.includes(input.kind)) return false;
  if (rule.topics && !rule.topics.includes(input.topicId)) return false;
  if (rule.scope === "commune" && !hasPlace) return false;
  if (rule.scope === "province" && hasPlace) return false;
  return true;
}

export function route(input: RouteInput, data: ReferenceData): Route {
  const commune = input.placeId ? data.communeById.get(input.placeId) : undefined;
  const hasPlace = Boolean(commune);
  for (const rule of data.rules) {
    if (!matches(rule, input, hasPlace)) continue;
    const agency =
      rule.agency === "$commune"
        ? data.agencies.find((a) => a.communeId === commune?.id)
        : data.agencyById.get(rule.agency);
    if (!agency) continue; // validated at load; defensive for data edited at run time
    const topic = data.topicById.get(input.topicId)?.name ?? input.topicId;
    const place = commune ? placeName(commune) : "chưa xác định xã/phường";
    return {
      agencyId: agency.id,
      agencyName: agency.name,
      ruleId: rule.id,
      explanation: `Chuyển đến ${agency.name} vì chủ đề = ${topic}, địa bàn = ${place}, loại = ${kindLabel(input.kind)} (quy tắc #${rule.id}: ${rule.name})`,
    };
  }
  throw new Error("No routing rule matched: routing-rules.json must end with a catch-all rule");
}

export function placeName(commune: { name: string; type: string }): string {
  const prefix = commune.type === "phuong" ? "phường" : commune.type === "xa" ? "xã" : "đặc khu";
  return `${prefix} ${commune.name}`;
}
