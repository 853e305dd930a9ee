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

/** Labels of the queue pages for documents, walk-in petitions, registers and administration. */
export const qd = {
  walkIn: {
    nav: "Tiếp nhận đơn trực tiếp",
    title: "Ghi nhận đơn trực tiếp, qua bưu chính, buổi tiếp công dân",
    intro:
      "Đơn được ghi nhận như hồ sơ gửi qua Zalo, Telegram: cùng loại đơn, mã hồ sơ, thời hạn và quy tắc chuyển cơ quan có thẩm quyền.",
    channel: "Hình thức tiếp nhận",
    kind: "Loại đơn",
    topic: "Lĩnh vực",
    place: "Xã/phường nơi xảy ra sự việc",
    placeCity: "Chưa rõ / việc chung của thành phố",
    description: "Nội dung đơn / nội dung trình bày",
    subject: "Quyết định, hành vi bị khiếu nại / người, cơ quan bị tố cáo",
    sender: "Người gửi đơn / người được tiếp",
    senderName: "Họ và tên",
    senderAddress: "Địa chỉ",
    senderIdNumber: "Số định danh cá nhân / CCCD",
    senderPhone: "Số điện thoại",
    anonymous: "Người gửi đề nghị giữ kín danh tính (chỉ với phản ánh, kiến nghị)",
    peopleCount: "Số người cùng đến",
    presidedBy: "Người chủ trì buổi tiếp (nếu có)",
    receivedAt: "Ngày nhận đơn (để trống: hôm nay)",
    note: "Ghi chú",
    submit: "Ghi nhận và cấp mã hồ sơ",
    invalid: "Đơn chưa đủ thông tin. Xin kiểm tra các trường được đánh dấu.",
  },
  receipt: {
    title: "Giấy biên nhận đơn",
    heading: "GIẤY BIÊN NHẬN",
    subheading: "Đơn khiếu nại, tố cáo, kiến nghị, phản ánh",
    code: "Mã hồ sơ",
    received: "Ngày nhận",
    kind: "Loại đơn",
    channel: "Hình thức",
    sender: "Người gửi",
    content: "Nội dung tóm tắt",
    agency: "Cơ quan giải quyết",
    acceptanceDue: "Hạn thụ lý / trả lời lần đầu",
    due: "Hạn giải quyết dự kiến",
    lookup: (url: string) =>
      `Tra cứu tình trạng hồ sơ bất cứ lúc nào: nhắn mã hồ sơ cho Hộp thư dân trên Zalo hoặc Telegram, hoặc tại ${url}.`,
    note: "Thời hạn giải quyết được tính theo quy định của pháp luật kể từ ngày thụ lý; cơ quan sẽ thông báo nếu có thay đổi.",
    citizenSign: "NGƯỜI NỘP ĐƠN",
    officialSign: "CÁN BỘ TIẾP NHẬN",
    print: "In giấy biên nhận",
    another: "Ghi nhận đơn khác",
    recorded: (code: string) => `Đã ghi nhận đơn. Mã hồ sơ: ${code}.`,
    hidden: "(được giữ bí mật)",
  },
  documents: {
    title: (code: string) => `Văn bản trả lời hồ sơ ${code}`,
    link: "Văn bản trả lời, câu trả lời mẫu",
    choose: "Chọn mẫu văn bản",
    form: "Theo mẫu",
    sendsAs: {
      reply: "Gửi như thông báo (hồ sơ tiếp tục xử lý)",
      answer: "Gửi như kết quả giải quyết (hồ sơ chuyển sang “Đã có trả lời”)",
      reject: "Gửi như văn bản không thụ lý / hướng dẫn (hồ sơ kết thúc)",
      transfer: "Gửi kèm việc chuyển đơn sang cơ quan có thẩm quyền",
    },
    toAgency: "Cơ quan nhận đơn chuyển",
    refill: "Điền lại theo cơ quan đã chọn",
    body: "Nội dung văn bản (sửa trực tiếp; thay các chỗ «…» bằng nội dung cụ thể)",
    signer: "Chức danh người ký",
    send: "Gửi cho người dân",
    docx: "Tải về (DOCX)",
    confirm: "Gửi văn bản này cho người dân qua kênh họ đã dùng?",
    sent: "Đã gửi văn bản cho người dân (qua hàng đợi gửi tin).",
    sentList: "Văn bản đã gửi",
    none: "Chưa có văn bản nào.",
    blanks: (n: number) => `Còn ${n} chỗ trống «…» cần điền trước khi gửi.`,
    canned: "Câu trả lời mẫu (phản ánh, kiến nghị)",
    cannedText: "Nội dung trả lời",
    cannedReply: "Gửi trả lời (hồ sơ tiếp tục xử lý)",
    cannedAnswer: "Gửi kết quả giải quyết",
    cannedUse: "Dùng mẫu",
    back: "← Về hồ sơ",
    paperNote:
      "Hồ sơ tiếp nhận trực tiếp/qua bưu chính: văn bản được lưu và tải về để gửi bản giấy cho người dân.",
  },
  registers: {
    title: "Sổ sách",
    petitions: "Sổ xử lý đơn",
    receptions: "Sổ tiếp công dân",
    from: "Từ ngày",
    to: "Đến ngày",
    kind: "Loại đơn",
    status: "Tình trạng",
    topic: "Lĩnh vực",
    channel: "Nguồn / hình thức",
    agency: "Cơ quan",
    all: "Tất cả",
    filter: "Lọc",
    csv: "Tải CSV",
    xlsx: "Tải Excel (XLSX)",
    count: (n: number) => `${n} dòng`,
    truncated: (n: number) => `Trang chỉ hiện ${n} dòng đầu; tệp tải về có đủ các dòng.`,
    empty: "Không có dòng nào khớp bộ lọc.",
    basis: "Theo mẫu sổ của Thông tư 05/2021/TT-TTCP.",
    sheetTitle: (book: string, agency: string) => `${book.toUpperCase()} — ${agency}`,
    allAgencies: "Tất cả cơ quan",
  },
  admin: {
    title: "Quản trị danh mục",
    agencies: "Cơ quan",
    rules: "Quy tắc chuyển hồ sơ",
    holidays: "Ngày nghỉ, ngày làm bù",
    canned: "Câu trả lời mẫu",
    officials: "Tài khoản cán bộ",
    saved: "Đã lưu. Thay đổi có hiệu lực ngay.",
    add: "Thêm mới",
    edit: "Sửa",
    save: "Lưu",
    active: "Đang dùng",
    inactiveNote: "Bỏ chọn “Đang dùng” để ngừng dùng (dữ liệu cũ vẫn được giữ).",
    id: "Mã",
    name: "Tên",
    shortName: "Tên viết tắt",
    level: "Cấp",
    levels: { province: "Thành phố", commune: "Xã/phường" },
    agencyKind: "Loại cơ quan",
    commune: "Xã/phường (với UBND xã/phường)",
    position: "Thứ tự xét",
    kinds: "Loại đơn (bỏ trống = mọi loại)",
    topics: "Lĩnh vực (bỏ trống = mọi lĩnh vực)",
    scope: "Địa bàn",
    scopes: { commune: "Đã biết xã/phường", province: "Chưa rõ / toàn thành phố", any: "Mọi trường hợp" },
    agency: "Cơ quan nhận",
    agencyCommune: "UBND xã/phường nơi xảy ra sự việc",
    date: "Ngày (YYYY-MM-DD)",
    workingDay: "Ngày làm bù (thứ Bảy/Chủ nhật đi làm)",
    provisional: "Chưa chính thức (cần kiểm tra lại)",
    title_: "Tiêu đề",
    body: "Nội dung (dùng {{ma_ho_so}}, {{co_quan}}, {{han_giai_quyet}}, {{dia_ban}}…)",
    username: "Tên đăng nhập",
    displayName: "Họ và tên",
    role: "Vai trò",
    canSeeIdentity: "Được xem danh tính người tố cáo, người gửi ẩn danh",
    created: (username: string, password: string) =>
      `Đã tạo tài khoản ${username}. Mật khẩu dùng một lần (chỉ hiện lần này): ${password} — người dùng phải đổi khi đăng nhập lần đầu.`,
    usernameTaken: "Tên đăng nhập đã có.",
    forbidden: "Chỉ quản trị hệ thống được sửa mục này.",
    selfDemote: "Không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình.",
  },
} as const;
