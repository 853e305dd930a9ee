/**
 * The two registers of Thông tư 05/2021/TT-TTCP as column definitions over plain rows — pure.
 * Sổ tiếp công dân: one line per visit (walk-in, reception session). Sổ xử lý đơn: one line per
 * petition received, whatever its channel. The same columns serve the web page, CSV and XLSX.
 */
import type { CaseKind } from "../case/kind.ts";
import type { CaseStatus } from "../case/lifecycle.ts";
import { channelLabel } from "../i18n/queue-docs.ts";
import { formatDate, kindLabel, statusLabel } from "../i18n/vi.ts";

/** A case as the registers show it, identity already reduced to what the viewer may see. */
export interface RegisterCase {
  id: string;
  code: string;
  kind: CaseKind;
  status: CaseStatus;
  channel: string;
  receivedAt: Date;
  description: string;
  subject: string | null;
  /** Name and contact, or the words that say they are hidden. */
  sender: string;
  senderContact: string;
  topicName: string;
  placeName: string | null;
  agencyName: string | null;
  acceptedAt: Date | null;
  dueAt: Date | null;
  closedAt: Date | null;
  publicAnswer: string | null;
  /** Agency names the case was transferred to, in order. */
  transfers: string[];
  rejectReason: string | null;
}

export interface ReceptionRow {
  receivedAt: Date;
  channel: string;
  peopleCount: number;
  presidedBy: string | null;
  note: string | null;
  officialName: string | null;
  case: RegisterCase;
}

export interface Column<R> {
  key: string;
  header: string;
  /** Width in characters (XLSX). */
  width: number;
  value: (row: R, index: number) => string | number;
}

const date = (d: Date | null) => (d ? formatDate(d) : "");

/** Hướng xử lý: what was done with the petition (thụ lý, chuyển đơn, hướng dẫn/không thụ lý, …). */
export function handling(c: RegisterCase): string {
  const parts: string[] = [];
  if (c.transfers.length) parts.push(`Chuyển đơn đến ${c.transfers.join(", ")}`);
  if (c.status === "rejected")
    parts.push(`Không thụ lý / hướng dẫn${c.rejectReason ? `: ${c.rejectReason}` : ""}`);
  else if (c.acceptedAt) parts.push(c.kind === "pakn" ? "Tiếp nhận xử lý" : "Thụ lý giải quyết");
  else if (c.status === "waiting_citizen") parts.push("Đề nghị bổ sung thông tin");
  else if (!c.transfers.length) parts.push("Đang phân loại, xử lý");
  return parts.join("; ");
}

/** Theo dõi kết quả: the outcome so far. */
export function result(c: RegisterCase): string {
  if (c.publicAnswer) return `${statusLabel(c.status)}: ${c.publicAnswer}`;
  return statusLabel(c.status);
}

const classify = (c: RegisterCase) => `${kindLabel(c.kind)} — ${c.topicName}`;

export const receptionColumns: Column<ReceptionRow>[] = [
  { key: "stt", header: "STT", width: 6, value: (_, i) => i + 1 },
  { key: "ngay", header: "Ngày tiếp", width: 12, value: (r) => date(r.receivedAt) },
  {
    key: "nguoi",
    header: "Họ tên, địa chỉ, số định danh của người được tiếp",
    width: 34,
    value: (r) => [r.case.sender, r.case.senderContact].filter(Boolean).join("; "),
  },
  { key: "songuoi", header: "Số người", width: 8, value: (r) => r.peopleCount },
  { key: "noidung", header: "Nội dung vụ việc", width: 50, value: (r) => r.case.description },
  { key: "phanloai", header: "Phân loại vụ việc", width: 26, value: (r) => classify(r.case) },
  {
    key: "hinhthuc",
    header: "Hình thức tiếp",
    width: 22,
    value: (r) => channelLabel(r.channel) + (r.presidedBy ? ` (chủ trì: ${r.presidedBy})` : ""),
  },
  { key: "canbo", header: "Cán bộ tiếp", width: 20, value: (r) => r.officialName ?? "" },
  { key: "huong", header: "Hướng xử lý", width: 34, value: (r) => handling(r.case) },
  { key: "ketqua", header: "Theo dõi kết quả", width: 34, value: (r) => result(r.case) },
  { key: "ma", header: "Mã hồ sơ", width: 13, value: (r) => r.case.code },
  { key: "ghichu", header: "Ghi chú", width: 24, value: (r) => r.note ?? "" },
];

export const petitionColumns: Column<RegisterCase>[] = [
  { key: "stt", header: "STT", width: 6, value: (_, i) => i + 1 },
  { key: "ngay", header: "Ngày nhận đơn", width: 12, value: (c) => date(c.receivedAt) },
  { key: "ma", header: "Mã hồ sơ", width: 13, value: (c) => c.code },
  {
    key: "nguoi",
    header: "Họ tên, địa chỉ người gửi đơn",
    width: 34,
    value: (c) => [c.sender, c.senderContact].filter(Boolean).join("; "),
  },
  {
    key: "noidung",
    header: "Nội dung đơn",
    width: 50,
    value: (c) => (c.subject ? `${c.description}\n(Đối tượng: ${c.subject})` : c.description),
  },
  { key: "phanloai", header: "Phân loại đơn", width: 26, value: classify },
  { key: "nguon", header: "Nguồn đơn", width: 18, value: (c) => channelLabel(c.channel) },
  { key: "diaban", header: "Địa bàn", width: 18, value: (c) => c.placeName ?? "" },
  { key: "thamquyen", header: "Cơ quan có thẩm quyền", width: 30, value: (c) => c.agencyName ?? "" },
  { key: "huong", header: "Hướng xử lý", width: 34, value: handling },
  { key: "han", header: "Hạn giải quyết", width: 12, value: (c) => date(c.dueAt) },
  { key: "ketqua", header: "Kết quả giải quyết", width: 34, value: result },
  { key: "ngaykt", header: "Ngày kết thúc", width: 12, value: (c) => date(c.closedAt) },
];

export function table<R>(
  columns: Column<R>[],
  rows: R[],
): { headers: string[]; keys: string[]; rows: (string | number)[][] } {
  return {
    headers: columns.map((c) => c.header),
    keys: columns.map((c) => c.key),
    rows: rows.map((r, i) => columns.map((c) => c.value(r, i))),
  };
}
