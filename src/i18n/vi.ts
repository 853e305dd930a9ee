/**
 * Every text a citizen reads, in one place (Vietnamese first; an English table can follow the
 * same shape). Functions take the values they show.
 */
import type { CaseKind } from "../case/kind.ts";
import type { CaseStatus } from "../case/lifecycle.ts";

const KIND_LABELS: Record<CaseKind, string> = {
  pakn: "Phản ánh, kiến nghị",
  khieu_nai: "Khiếu nại",
  to_cao: "Tố cáo",
};

const STATUS_LABELS: Record<CaseStatus, string> = {
  received: "Đã tiếp nhận",
  routed: "Đã chuyển cơ quan có thẩm quyền",
  in_progress: "Đang xử lý",
  waiting_citizen: "Chờ ông/bà bổ sung thông tin",
  answered: "Đã có trả lời",
  closed: "Đã kết thúc",
  rejected: "Không thuộc thẩm quyền / không thụ lý",
  transferred: "Đã chuyển cơ quan khác",
};

export function kindLabel(kind: CaseKind): string {
  return KIND_LABELS[kind];
}

export function statusLabel(status: CaseStatus): string {
  return STATUS_LABELS[status];
}

/** dd/mm/yyyy in Việt Nam time. */
export function formatDate(d: Date): string {
  const local = new Date(d.getTime() + 7 * 3600_000);
  const dd = String(local.getUTCDate()).padStart(2, "0");
  const mm = String(local.getUTCMonth() + 1).padStart(2, "0");
  return `${dd}/${mm}/${local.getUTCFullYear()}`;
}

/** dd/mm/yyyy HH:mm in Việt Nam time. */
export function formatDateTime(d: Date): string {
  const local = new Date(d.getTime() + 7 * 3600_000);
  const hh = String(local.getUTCHours()).padStart(2, "0");
  const mi = String(local.getUTCMinutes()).padStart(2, "0");
  return `${formatDate(d)} ${hh}:${mi}`;
}

export const vi = {
  choice: {
    file: "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo",
    resume: "Tiếp tục hồ sơ đang soạn",
    lookup: "Tra cứu hồ sơ",
    help: "Hướng dẫn",
    next: "Tiếp tục",
    cancel: "Hủy",
    skip: "Bỏ qua",
    send: "Gửi hồ sơ",
    yes: "Đúng",
    otherPlace: "Nơi khác",
    cityWide: "Không rõ / chung toàn thành phố",
    notAnonymous: "Không ẩn danh",
    anonymous: "Ẩn danh",
    noPhoto: "Không có ảnh",
    changeTopic: "Sửa lĩnh vực",
  },
  greeting: (name?: string) =>
    `Xin chào${name ? ` ${name}` : ""}! Đây là Hộp thư dân — nơi tiếp nhận phản ánh, kiến nghị, khiếu nại, tố cáo của người dân gửi chính quyền thành phố.\nÔng/bà cần gì ạ?`,
  menu: "Ông/bà cần gì ạ? Chọn một mục bên dưới.",
  help: [
    "Hướng dẫn sử dụng Hộp thư dân:",
    "• Gửi phản ánh, kiến nghị, khiếu nại, tố cáo: chọn mục Gửi (hoặc gõ /gui), rồi trả lời vài câu hỏi ngắn. Cuối cùng ông/bà nhận một mã hồ sơ.",
    "• Tra cứu: gõ mã hồ sơ (ví dụ HK7R-2MQ9X) hoặc /tracuu để xem tình trạng, cơ quan xử lý, hạn trả lời và nội dung trả lời.",
    "• Hủy thao tác đang làm: gõ /huy hoặc «hủy».",
    "Phản ánh, kiến nghị: báo một việc chưa đúng, chưa hợp lý hoặc đề xuất cách làm tốt hơn.",
    "Khiếu nại: đề nghị xem xét lại một quyết định hoặc việc làm của cơ quan, cán bộ nhà nước xâm phạm quyền lợi của chính ông/bà.",
    "Tố cáo: báo cho cơ quan có thẩm quyền hành vi vi phạm pháp luật của cán bộ, cơ quan, tổ chức hoặc cá nhân. Danh tính người tố cáo được giữ bí mật theo Luật Tố cáo.",
  ].join("\n"),
  cancelled: "Đã hủy thao tác. Nội dung đang soạn không được gửi.",
  nothingToCancel: "Hiện không có thao tác nào đang làm.",
  empty: "Tôi chưa nhận được nội dung. Ông/bà vui lòng gõ nội dung cần gửi.",
  notUnderstood:
    "Xin lỗi, tôi chưa hiểu ý ông/bà. Ông/bà có thể chọn một mục bên dưới, hoặc gõ /trogiup để xem hướng dẫn.",
  tooLong: (length: number, max: number) =>
    `Tin nhắn quá dài (${length.toLocaleString("vi-VN")} ký tự). Mỗi tin xin gửi dưới ${max.toLocaleString("vi-VN")} ký tự; nội dung dài có thể chia thành nhiều tin.`,
  spam: "Tin nhắn này có vẻ không phải nội dung phản ánh, kiến nghị nên chưa được ghi nhận. Nếu cần gửi hồ sơ, ông/bà vui lòng mô tả sự việc bằng lời.",
  groupChat:
    "Để bảo vệ thông tin cá nhân, xin ông/bà nhắn tin riêng cho Hộp thư dân để gửi hoặc tra cứu hồ sơ.",
  unsupported: "Xin lỗi, Hộp thư dân hiện chỉ nhận tin nhắn chữ và ảnh.",
  editedIgnored:
    "Tin nhắn đã sửa không được cập nhật vào hồ sơ. Nếu cần bổ sung, xin ông/bà gửi một tin nhắn mới.",
  photoOutsideDraft:
    "Tôi đã nhận ảnh. Để gửi ảnh kèm một hồ sơ, xin chọn «Gửi phản ánh…» trước rồi gửi ảnh trong lúc soạn hồ sơ.",

  askDescription:
    "Xin ông/bà mô tả sự việc: việc gì, ở đâu, từ khi nào, ảnh hưởng thế nào. Có thể gửi nhiều tin nhắn và kèm ảnh. Gửi xong, chọn «Tiếp tục».",
  startedFromText:
    "Tôi ghi nhận đây là nội dung ông/bà muốn gửi. Ông/bà có thể gửi thêm chi tiết hoặc ảnh, hoặc chọn «Tiếp tục».",
  descriptionNoted: (chars: number) =>
    `Đã ghi nhận (${chars.toLocaleString("vi-VN")} ký tự). Gửi thêm chi tiết hoặc ảnh nếu cần, rồi chọn «Tiếp tục».`,
  descriptionTooShort: "Nội dung còn ngắn quá. Xin ông/bà mô tả rõ hơn: việc gì, ở đâu, từ khi nào.",
  descriptionFull: (max: number) =>
    `Nội dung hồ sơ đã đạt giới hạn ${max.toLocaleString("vi-VN")} ký tự. Xin chọn «Tiếp tục» để sang bước sau.`,
  photoNoted: (count: number) => `Đã nhận ảnh (${count} ảnh). Gửi thêm ảnh hoặc chọn «Tiếp tục».`,
  tooManyPhotos: (max: number) => `Mỗi hồ sơ kèm tối đa ${max} ảnh. Xin chọn «Tiếp tục».`,

  askPlace: (province: string) =>
    `Sự việc xảy ra ở xã, phường nào của ${province}? Xin gõ tên (ví dụ: Hải Châu, Hòa Vang, Hội An). Nếu không rõ hoặc là việc chung của thành phố, chọn «Không rõ».`,
  confirmPlace: (place: string) => `Sự việc xảy ra tại ${place}, đúng không ạ?`,
  placeNotFound: (text: string) =>
    `Tôi không tìm thấy xã, phường nào tên «${text}». Xin ông/bà gõ lại tên xã/phường (có thể gõ không dấu), hoặc chọn «Không rõ».`,
  placeAmbiguous: "Có vài nơi trùng hoặc gần giống tên này. Xin chọn đúng nơi:",
  placeNoted: (place: string, via?: string) =>
    via ? `Ghi nhận địa bàn: ${place} (${via} cũ nay thuộc ${place}).` : `Ghi nhận địa bàn: ${place}.`,
  placeCityWide: "Ghi nhận: chưa rõ xã/phường, hồ sơ sẽ chuyển cơ quan cấp thành phố.",

  askKind: [
    "Ông/bà muốn gửi loại nào?",
    "1. Phản ánh, kiến nghị — báo một việc chưa đúng, chưa hợp lý, hoặc đề xuất.",
    "2. Khiếu nại — đề nghị xem xét lại quyết định hoặc việc làm của cơ quan, cán bộ nhà nước ảnh hưởng đến quyền lợi của chính ông/bà.",
    "3. Tố cáo — báo hành vi vi phạm pháp luật của cán bộ, cơ quan, tổ chức hoặc cá nhân.",
  ].join("\n"),
  kindSuggested: (label: string) => `Theo nội dung, đây có vẻ là «${label}». Ông/bà chọn lại nếu chưa đúng.`,
  askComplaintSubject:
    "Ông/bà khiếu nại quyết định hoặc việc làm nào? Xin ghi số, ngày của quyết định và cơ quan hoặc người ban hành (nếu có).",
  askDenunciationSubject:
    "Ông/bà tố cáo ai (họ tên, chức vụ, nơi công tác nếu biết) và về hành vi vi phạm nào?",
  subjectTooShort: "Thông tin còn ngắn quá, xin ông/bà ghi rõ hơn.",

  askTopic: "Nội dung thuộc lĩnh vực nào? Xin chọn một mục:",
  askTopicSuggested:
    "Tôi chưa chắc nội dung thuộc lĩnh vực nào. Xin ông/bà chọn một mục (các mục đầu là gợi ý):",
  topicDetected: (topic: string) => `Lĩnh vực: ${topic}.`,

  askPhoto: "Ông/bà có ảnh hoặc giấy tờ kèm theo không? Gửi ảnh ngay bây giờ, hoặc chọn «Không có ảnh».",

  askAnonymity:
    "Ông/bà có muốn ẩn danh không?\nNếu ẩn danh: cán bộ xử lý không thấy tên và thông tin liên lạc của ông/bà, nhưng cũng không thể liên hệ để hỏi thêm; kết quả vẫn được gửi về cuộc trò chuyện này.",
  askIdentityComplaint:
    "Theo Luật Khiếu nại, đơn khiếu nại phải ghi họ tên và địa chỉ của người khiếu nại, nên không thể ẩn danh. Xin cho biết họ tên và địa chỉ liên hệ của ông/bà (có thể kèm số điện thoại).",
  askIdentityDenunciation:
    "Theo Luật Tố cáo, tố cáo không được ẩn danh: xin cho biết họ tên và địa chỉ liên hệ của ông/bà (có thể kèm số điện thoại). Danh tính người tố cáo được giữ bí mật: chỉ người có thẩm quyền giải quyết mới được biết.",
  identityTooShort: "Xin ông/bà ghi đủ họ tên và địa chỉ liên hệ.",

  summary: (lines: string[]) =>
    `Xin ông/bà kiểm tra lại trước khi gửi:\n${lines.join("\n")}\nChọn «Gửi hồ sơ» để gửi, hoặc «Hủy».`,
  summaryLine: {
    kind: (v: string) => `• Loại: ${v}`,
    topic: (v: string) => `• Lĩnh vực: ${v}`,
    place: (v: string) => `• Địa bàn: ${v}`,
    subject: (v: string) => `• Đối tượng: ${v}`,
    description: (v: string) => `• Nội dung: ${v}`,
    photos: (n: number) => `• Ảnh kèm theo: ${n}`,
    anonymous: (yes: boolean) => `• Ẩn danh: ${yes ? "Có" : "Không"}`,
    sender: (v: string) => `• Người gửi: ${v} (được giữ bí mật)`,
  },
  confirmHint: "Xin chọn «Gửi hồ sơ» để gửi, hoặc «Hủy» để bỏ.",
  filed: (p: { code: string; agency: string; kind: CaseKind; acceptanceDue: string; due: string }) =>
    [
      "Hộp thư dân đã tiếp nhận hồ sơ của ông/bà.",
      `Mã hồ sơ: ${p.code}`,
      "Xin ông/bà lưu lại mã này để tra cứu.",
      `Cơ quan xử lý: ${p.agency}`,
      p.kind === "pakn"
        ? `Hạn trả lời: trước hết ngày ${p.due}.`
        : `Hạn thụ lý: ${p.acceptanceDue}. Hạn giải quyết dự kiến: ${p.due} (tính lại khi hồ sơ được thụ lý).`,
      "Khi có kết quả, chúng tôi sẽ nhắn vào cuộc trò chuyện này.",
    ].join("\n"),

  askCode: "Xin nhập mã hồ sơ (ví dụ: HK7R-2MQ9X).",
  yourOpenCases: "Các hồ sơ đang xử lý của ông/bà:",
  codeInvalid: {
    length: "Mã hồ sơ gồm 9 ký tự (ví dụ: HK7R-2MQ9X). Xin ông/bà kiểm tra lại.",
    character: "Mã hồ sơ chỉ gồm chữ số 2–9 và chữ cái (không có O, I, L, 0, 1). Xin ông/bà kiểm tra lại.",
    check: "Mã này có vẻ gõ nhầm một ký tự. Xin ông/bà kiểm tra lại mã.",
  },
  codeNotFound: (code: string) => `Không tìm thấy hồ sơ mã ${code}. Xin ông/bà kiểm tra lại mã.`,
  caseView: (v: {
    code: string;
    kind: CaseKind;
    status: CaseStatus;
    topic: string;
    agency?: string | null;
    place?: string | null;
    receivedAt: Date;
    dueAt?: Date | null;
    answer?: string | null;
    own: boolean;
    description?: string;
    overdue: boolean;
  }) =>
    [
      `Hồ sơ ${v.code} — ${kindLabel(v.kind)}`,
      `Tình trạng: ${statusLabel(v.status)}`,
      `Lĩnh vực: ${v.topic}`,
      v.place ? `Địa bàn: ${v.place}` : null,
      `Cơ quan xử lý: ${v.agency ?? "đang phân công"}`,
      `Ngày nhận: ${formatDate(v.receivedAt)}`,
      v.dueAt ? `Hạn giải quyết: ${formatDate(v.dueAt)}${v.overdue ? " (đã quá hạn)" : ""}` : null,
      v.own && v.description ? `Nội dung ông/bà đã gửi: ${v.description}` : null,
      v.answer ? `Trả lời của cơ quan: ${v.answer}` : "Chưa có trả lời.",
    ]
      .filter(Boolean)
      .join("\n"),
  noOpenCases: "Ông/bà chưa có hồ sơ nào đang xử lý.",

  askRating: (code: string) =>
    `Hồ sơ ${code} đã kết thúc. Ông/bà hài lòng với kết quả giải quyết ở mức nào? Chọn từ 1 (rất không hài lòng) đến 5 (rất hài lòng).`,
  ratingInvalid: "Xin chọn một số từ 1 đến 5.",
  askRatingComment: "Cảm ơn ông/bà. Ông/bà có góp ý gì thêm không? Gõ góp ý, hoặc chọn «Bỏ qua».",
  ratingThanks: "Cảm ơn ông/bà đã đánh giá. Ý kiến của ông/bà giúp chính quyền phục vụ tốt hơn.",
  ratingLabels: ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"],
  infoRequested: (code: string, agency: string, question: string) =>
    `${agency} cần ông/bà bổ sung thông tin cho hồ sơ ${code}:\n«${question}»\nXin trả lời ngay trong cuộc trò chuyện này (có thể gửi kèm ảnh).`,
  supplemented: (code: string) =>
    `Đã bổ sung vào hồ sơ ${code}. Cơ quan sẽ tiếp tục xử lý và báo kết quả cho ông/bà.`,
  routedNotice: (code: string, agency: string, due: string) =>
    `Hồ sơ ${code} đã được chuyển đến ${agency}. Hạn giải quyết: ${due}.`,
  transferredNotice: (code: string, agency: string, reason: string | undefined, due: string) =>
    `Hồ sơ ${code} đã được chuyển đến ${agency}${reason ? ` (lý do: ${reason})` : ""}. Hạn giải quyết mới: ${due}.`,
  replyNotice: (code: string, agency: string, text: string) => `${agency} trả lời hồ sơ ${code}:\n${text}`,
  answerNotice: (code: string, agency: string, text: string) =>
    `Kết quả giải quyết hồ sơ ${code} của ${agency}:\n${text}`,
  closedNotice: (code: string) => `Hồ sơ ${code} đã kết thúc. Cảm ơn ông/bà đã gửi ý kiến đến chính quyền.`,
  extendedNotice: (code: string, agency: string, due: string, reason: string) =>
    `${agency} gia hạn thời hạn giải quyết hồ sơ ${code} đến ngày ${due} (Luật Tố cáo 2018, Điều 30). Lý do: ${reason}`,
  rejectedNotice: (code: string, agency: string, reason: string) =>
    `${agency} không thụ lý hồ sơ ${code}. Lý do: ${reason}`,
  dataErrorFallback: "Xin lỗi, hệ thống đang gặp sự cố. Ông/bà vui lòng thử lại sau ít phút.",
} as const;
