/**
 * Who is competent by law, from what the citizen said: a khiếu nại goes to whoever issued the
 * decision or did the act (Luật Khiếu nại 2011, Điều 17–21); a tố cáo about an official to the
 * body that manages that official (Luật Tố cáo 2018, Điều 13–15). Pure: the reference data in,
 * an agency and the reason out, or nothing when the text does not say.
 */
import type { ReferenceData } from "../data/index.ts";
import { communeAgency } from "../routing/router.ts";
import type { PlaceIndex } from "./places.ts";
import { fold } from "./understand.ts";

export interface Competent {
  agencyId: string;
  reason: string;
}

/** Former department names (before 2025) → today's body. */
const FORMER_DEPARTMENTS: [RegExp, string][] = [
  [/\bso tai nguyen( va moi truong)?\b|\bso tn ?mt\b/, "so-nong-nghiep-va-moi-truong"],
  [/\bso nong nghiep\b/, "so-nong-nghiep-va-moi-truong"],
  [/\bso giao thong( van tai)?\b|\bso gtvt\b/, "so-xay-dung"],
  [/\bso lao dong\b|\bso ldtbxh\b/, "so-noi-vu"],
  [/\bso ke hoach( va dau tu)?\b/, "so-tai-chinh"],
  [/\bso thong tin( va truyen thong)?\b/, "so-khoa-hoc-va-cong-nghe"],
  [/\bso du lich\b|\bso van hoa\b/, "so-van-hoa-the-thao-va-du-lich"],
  [/\bban dan toc\b/, "so-dan-toc-va-ton-giao"],
];

const CITY_LEADERSHIP =
  /\b(chu tich|pho chu tich)( uy ban nhan dan)? thanh pho\b|\buy ban nhan dan thanh pho\b|\bthanh pho da nang\b/;

function departmentIn(f: string, data: ReferenceData): string | undefined {
  for (const [re, id] of FORMER_DEPARTMENTS) if (re.test(f) && data.agencyById.has(id)) return id;
  let best: { id: string; len: number } | undefined;
  for (const a of data.agencies) {
    if (a.level !== "province" || a.kind !== "department") continue;
    const name = fold(a.name).replace(/ thanh pho da nang$/, "");
    if (` ${f} `.includes(` ${name} `) && (!best || name.length > best.len))
      best = { id: a.id, len: name.length };
  }
  return best?.id;
}

/** The body that issued the decision or did the act complained of (khiếu nại). */
export function issuerAgency(
  text: string,
  data: ReferenceData,
  places: PlaceIndex,
  placeId?: string | null,
): Competent | undefined {
  const f = fold(text);
  const dept = departmentIn(f, data);
  if (dept) {
    const a = data.agencyById.get(dept)!;
    return {
      agencyId: dept,
      reason: `khiếu nại quyết định, hành vi của ${a.name} do chính cơ quan đó giải quyết lần đầu`,
    };
  }
  if (/\bbao hiem xa hoi\b|\bbhxh\b/.test(f) && data.agencyById.has("bhxh-thanh-pho"))
    return {
      agencyId: "bhxh-thanh-pho",
      reason: "khiếu nại về bảo hiểm xã hội do cơ quan bảo hiểm xã hội giải quyết",
    };
  const police = /\bcong an\b/.test(f);
  if (CITY_LEADERSHIP.test(f)) {
    if (police && data.agencyById.has("cong-an-thanh-pho"))
      return { agencyId: "cong-an-thanh-pho", reason: "quyết định, hành vi của Công an thành phố" };
    if (data.agencyById.has("ban-tiep-cong-dan"))
      return {
        agencyId: "ban-tiep-cong-dan",
        reason:
          "khiếu nại quyết định của UBND/Chủ tịch UBND thành phố do Chủ tịch UBND thành phố giải quyết; Ban Tiếp công dân thành phố tiếp nhận",
      };
  }
  const commune = places.findIn(text);
  const communeId = commune.kind === "unique" ? commune.commune.id : undefined;
  const local = /\b(uy ban nhan dan|chu tich|xa|phuong|dac khu|dia chinh|can bo|cong chuc)\b/.test(f);
  const id = communeId ?? (local ? (placeId ?? undefined) : undefined);
  if (police && id) {
    const a = communeAgency(data, id, "commune_police");
    if (a) return { agencyId: a.id, reason: `quyết định, hành vi của ${a.name}` };
  }
  if (police && data.agencyById.has("cong-an-thanh-pho"))
    return { agencyId: "cong-an-thanh-pho", reason: "quyết định, hành vi của lực lượng Công an" };
  if (local && id) {
    const a = communeAgency(data, id, "commune_committee");
    if (a)
      return {
        agencyId: a.id,
        reason: `khiếu nại quyết định, hành vi của UBND, Chủ tịch UBND hoặc cán bộ cấp xã do Chủ tịch ${a.name} giải quyết lần đầu`,
      };
  }
  return undefined;
}

export type OfficialLevel = "commune" | "city" | "police";

/** Whether the person denounced is an official, and at which level, from the words used. */
export function officialLevel(text: string): OfficialLevel | "official" | undefined {
  const f = fold(text);
  if (/\bcong an\b|\bcanh sat\b|\bcsgt\b/.test(f)) return "police";
  const official =
    /\b(can bo|cong chuc|vien chuc|chu tich|pho chu tich|giam doc|pho giam doc|truong phong|pho phong|chuyen vien|can su|chanh|thanh tra|dia chinh|ke toan|truong thon|to truong|bi thu|lanh dao|nhan vien)\b/.test(
      f,
    );
  if (!official) return undefined;
  // The chairman of a commune is managed by the city: a tố cáo about them is the city's.
  if (/\b(pho )?chu tich (uy ban nhan dan )?(xa|phuong|dac khu)\b/.test(f)) return "city";
  if (
    /\bso (noi vu|tu phap|tai chinh|cong thuong|nong nghiep|xay dung|khoa hoc|van hoa|giao duc|y te|dan toc|ngoai vu|tai nguyen|giao thong|lao dong|ke hoach|thong tin|du lich)\b|\b(cap thanh pho|uy ban nhan dan thanh pho|thanh pho da nang|thanh tra thanh pho|van phong uy ban)\b/.test(
      f,
    )
  )
    return "city";
  if (/\b(xa|phuong|dac khu|thon|to dan pho|to truong|truong thon|dia chinh)\b/.test(f)) return "commune";
  return "official";
}

/** The body that manages the denounced official (tố cáo). */
export function managingBody(
  level: OfficialLevel,
  text: string,
  data: ReferenceData,
  places: PlaceIndex,
  placeId?: string | null,
): Competent | undefined {
  if (level === "police" && data.agencyById.has("cong-an-thanh-pho"))
    return {
      agencyId: "cong-an-thanh-pho",
      reason: "tố cáo cán bộ công an do Công an thành phố, cơ quan quản lý cán bộ đó, giải quyết",
    };
  if (level === "city" && data.agencyById.has("thanh-tra-thanh-pho"))
    return {
      agencyId: "thanh-tra-thanh-pho",
      reason:
        "tố cáo cán bộ cấp thành phố (hoặc Chủ tịch, Phó Chủ tịch UBND cấp xã): Thanh tra thành phố tiếp nhận, tham mưu Chủ tịch UBND thành phố giải quyết",
    };
  if (level === "commune") {
    const named = places.findIn(text);
    const id = named.kind === "unique" ? named.commune.id : placeId;
    const a = id ? communeAgency(data, id, "commune_committee") : undefined;
    if (a)
      return {
        agencyId: a.id,
        reason: `tố cáo cán bộ, công chức cấp xã do Chủ tịch ${a.name}, người quản lý cán bộ đó, giải quyết`,
      };
  }
  return undefined;
}
