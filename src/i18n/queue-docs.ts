/**
 * Strings of the officials' legal documents, registers, walk-in petitions and administration
 * pages (Vietnamese; one place, so English can follow).
 */
import type { CaseKind } from "../case/kind.ts";

const CHANNEL_LABELS: Record<string, string> = {
  web: "Trang web",
  telegram: "Telegram",
  zalo: "Zalo",
  walk_in: "Trực tiếp tại trụ sở",
  post: "Qua bưu chính",
  reception: "Buổi tiếp công dân định kỳ",
};

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** Where the sender's identity may not be shown: how the documents name them instead. */
export function hiddenSender(kind: CaseKind, anonymous: boolean): string {
  if (kind === "to_cao") return "người tố cáo";
  return anonymous ? "người gửi đơn (ẩn danh)" : "người gửi đơn";
}

/** "ngày 04 tháng 12 năm 2026" (the date line of an administrative document). */
export function longDate(d: Date): string {
  const local = new Date(d.getTime() + 7 * 3600_000);
  const dd = String(local.getUTCDate()).padStart(2, "0");
  const mm = String(local.getUTCMonth() + 1).padStart(2, "0");
  return `ngày ${dd} tháng ${mm} năm ${local.getUTCFullYear()}`;
}

/**
 * What a person not satisfied with a first-instance complaint decision may do, and by when:
 * Luật Khiếu nại 2011, Điều 33 (30 days, up to 45 in remote areas) and Luật Tố tụng hành chính
 * 2015, Điều 116 (one year to sue).
 */
export function complaintRights(remote: boolean, secondInstance: string): string {
  const days = remote ? "45 ngày" : "30 ngày (45 ngày đối với vùng sâu, vùng xa đi lại khó khăn)";
  return `Trong thời hạn ${days} kể từ ngày nhận được quyết định giải quyết khiếu nại, nếu không đồng ý thì người khiếu nại có quyền khiếu nại đến ${secondInstance} (Điều 33 Luật Khiếu nại năm 2011) hoặc khởi kiện vụ án hành chính tại Tòa án trong thời hiệu 01 năm kể từ ngày nhận được quyết định này (Điều 116 Luật Tố tụng hành chính năm 2015).`;
}

/** Sent when a khiếu nại is closed, before the rating question. */
export function complaintClosedRights(code: string, remote: boolean): string {
  return `Hồ sơ khiếu nại ${code} đã kết thúc. ${complaintRights(remote, "người có thẩm quyền giải quyết khiếu nại lần hai")}`;
}

export const docs = {
  blankMarker: (label: string) => `«${label}»`,
  numberLine: (code: string) => `Số: ……/${code}-……`,
  nationalTitle: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
  motto: "Độc lập - Tự do - Hạnh phúc",
  respectfully: "Kính gửi:",
  recipientsTitle: "Nơi nhận:",
  parentOfProvinceBodies: (province: string) => `ỦY BAN NHÂN DÂN ${province.toUpperCase()}`,
  defaultSigner: "THỦ TRƯỞNG CƠ QUAN",
  blanksLeft: (labels: string[]) => `Còn chỗ trống chưa điền: ${labels.join(", ")}.`,
  templateNotForKind: "Mẫu văn bản này không dùng cho loại hồ sơ này.",
  unknownTemplate: "Không có mẫu văn bản này.",
  emptyBody: "Nội dung văn bản không được để trống.",
  needAgency: "Cần chọn cơ quan nhận đơn chuyển.",
} as const;
