/** The citizen dialogue's texts added in round 2 (issue 9): the law's questions, corrections, questions, splitting. */
import type { CaseKind } from "../case/kind.ts";

export const vd = {
  choice: {
    edit: "Sửa thông tin",
    editKind: "Loại",
    editPlace: "Địa bàn",
    editTopic: "Lĩnh vực",
    editDescription: "Nội dung",
    editSubject: "Đối tượng",
    editSender: "Người gửi",
    back: "Quay lại",
    firstComplaint: "Khiếu nại lần đầu",
    secondComplaint: "Khiếu nại lần hai",
    inCourt: "Đã khởi kiện ra Tòa án",
    sendAnyway: "Vẫn gửi",
    unnamedReport: "Gửi không ghi tên (tin báo)",
    giveName: "Ghi họ tên",
    askAgency: "Gửi câu hỏi cho cơ quan",
    fileInstead: "Gửi phản ánh, kiến nghị",
    understood: "Đã rõ, cảm ơn",
    split: (n: number) => `Tách thành ${n} hồ sơ`,
    keepTogether: "Gửi chung một hồ sơ",
    levelCommune: "Cán bộ xã/phường",
    levelCity: "Cán bộ cấp thành phố (sở, ngành)",
    levelUnknown: "Không rõ",
    unknownDate: "Không nhớ ngày",
    noIssuer: "Không rõ",
  },
  askDescription:
    "Xin ông/bà mô tả sự việc: việc gì, ở đâu, từ khi nào, ảnh hưởng thế nào. Có thể kèm ảnh (gửi ảnh bất cứ lúc nào trước khi gửi hồ sơ).",
  askDescriptionFor: (kind: CaseKind) =>
    kind === "khieu_nai"
      ? "Xin ông/bà trình bày việc khiếu nại: quyết định hoặc việc làm nào của cơ quan, cán bộ nhà nước, ảnh hưởng đến quyền lợi của ông/bà thế nào, và vì sao ông/bà cho là chưa đúng."
      : kind === "to_cao"
        ? "Xin ông/bà trình bày việc tố cáo: ai, đã làm gì trái pháp luật, ở đâu, khi nào; có chứng cứ gì (có thể gửi ảnh)."
        : "Xin ông/bà mô tả sự việc cần phản ánh, kiến nghị: việc gì, ở đâu, từ khi nào. Có thể kèm ảnh.",
  descriptionMore:
    "Xin ông/bà mô tả rõ hơn một chút: việc gì, ở đâu, từ khi nào (ví dụ: «đèn đường kiệt 45 Hoàng Diệu hỏng 2 tuần nay»).",
  noted: "Đã ghi nhận nội dung. Ông/bà có thể gửi thêm ảnh hoặc chi tiết bất cứ lúc nào trước khi gửi hồ sơ.",
  addedDetail: "Đã ghi thêm vào nội dung.",
  tooManyPhotos: (max: number) => `Mỗi hồ sơ kèm tối đa ${max} ảnh; ảnh này không được thêm.`,
  photoNotedHere: (count: number) => `Đã nhận ảnh (${count} ảnh), ảnh sẽ kèm theo hồ sơ.`,
  notAnAnswer: "Tôi chưa ghi câu này vào hồ sơ.",
  placeDistrict: (district: string, n: number) =>
    `${district[0]!.toUpperCase()}${district.slice(1)} cũ nay thuộc ${n} xã/phường khác nhau. Sự việc xảy ra ở xã/phường nào (hoặc xã, thị trấn cũ nào)?`,
  askKind: [
    "Ông/bà muốn gửi loại nào? (trả lời bằng số hoặc chữ)",
    "1. Phản ánh, kiến nghị — báo một việc chưa đúng, chưa hợp lý, hoặc đề xuất.",
    "2. Khiếu nại — đề nghị xem xét lại quyết định hoặc việc làm của cơ quan, cán bộ nhà nước ảnh hưởng đến quyền lợi của chính ông/bà.",
    "3. Tố cáo — báo hành vi vi phạm pháp luật của cán bộ, cơ quan, tổ chức hoặc cá nhân.",
  ].join("\n"),
  kindSuggested: (label: string) => `Theo nội dung, đây có vẻ là «${label}».`,
  kindInferred: "Ghi nhận: phản ánh, kiến nghị (nếu là khiếu nại hoặc tố cáo, ông/bà sửa được ở bước cuối).",
  kindChanged: (label: string) => `Đã đổi loại thành «${label}».`,

  askDecision:
    "Ông/bà khiếu nại quyết định hoặc việc làm nào? Xin ghi số, ngày của quyết định (nếu có). Nếu không có quyết định bằng văn bản, xin cho biết việc làm nào, của ai.",
  askIssuer:
    "Cơ quan hoặc người nào ban hành quyết định (hoặc đã làm việc đó)? Ví dụ: «UBND xã Hòa Vang», «Sở Xây dựng», «Chủ tịch UBND thành phố».",
  askRound:
    "Đây là khiếu nại lần đầu, hay lần hai (đã có quyết định giải quyết lần đầu mà ông/bà không đồng ý, hoặc quá hạn chưa được giải quyết)? Nếu việc này đã khởi kiện ra Tòa án, xin chọn mục cuối.",
  askKnownDate: (second: boolean) =>
    second
      ? "Ông/bà nhận được quyết định giải quyết lần đầu ngày nào (hoặc hạn giải quyết lần đầu hết ngày nào)? Ví dụ: 15/10/2026."
      : "Ông/bà nhận được hoặc biết được quyết định, việc làm đó từ ngày nào? Ví dụ: 15/10/2026, «tuần trước», «2 tháng trước».",
  askRequest:
    "Ông/bà đề nghị cơ quan giải quyết thế nào? (ví dụ: hủy quyết định, bồi thường thêm, cấp lại giấy tờ…)",
  inCourt:
    "Theo Luật Khiếu nại 2011 (Điều 11), khiếu nại về việc đã được Tòa án thụ lý hoặc đã có bản án, quyết định của Tòa án thì không được thụ lý giải quyết. Ông/bà nên theo dõi vụ việc tại Tòa án. Nếu Tòa án chưa thụ lý, ông/bà vẫn có thể gửi khiếu nại.",
  late: (days: number, limit: number, second: boolean) =>
    second
      ? `Tính đến nay đã ${days} ngày. Khiếu nại lần hai phải gửi trong ${limit} ngày kể từ khi nhận quyết định giải quyết lần đầu hoặc hết hạn giải quyết (Luật Khiếu nại 2011, Điều 33). Nếu ông/bà chậm vì ốm đau, thiên tai, đi công tác, học tập ở xa hoặc trở ngại khách quan khác, xin ghi lý do; thời gian đó không tính vào thời hạn. Ông/bà vẫn có thể gửi — cơ quan sẽ xem xét.`
      : `Tính đến nay đã ${days} ngày. Thời hiệu khiếu nại là ${limit} ngày kể từ ngày nhận được hoặc biết được quyết định, việc làm (Luật Khiếu nại 2011, Điều 9). Nếu ông/bà chậm vì ốm đau, thiên tai, đi công tác, học tập ở xa hoặc trở ngại khách quan khác, xin ghi lý do; thời gian đó không tính vào thời hiệu. Ông/bà vẫn có thể gửi — cơ quan sẽ xem xét.`,
  withinTime: (days: number, limit: number) => `Còn trong thời hạn khiếu nại (${days}/${limit} ngày).`,
  unknownDateNote: "Cơ quan sẽ kiểm tra thời hiệu khi thụ lý.",

  askAccused: "Ông/bà tố cáo ai (họ tên, chức vụ, nơi công tác nếu biết) và về hành vi vi phạm nào?",
  askLevel: "Người bị tố cáo công tác ở đâu? (để chuyển đúng cơ quan quản lý người đó)",

  askIdentityPakn:
    "Xin cho biết họ tên và số điện thoại (hoặc địa chỉ) để cơ quan liên hệ khi cần. Ví dụ: «Nguyễn Văn An, 0905 123 456». Nếu muốn ẩn danh, chọn «Ẩn danh» — khi đó cán bộ không thấy tên ông/bà và không thể gọi hỏi thêm; kết quả vẫn về cuộc trò chuyện này.",
  askIdentityComplaint:
    "Theo Luật Khiếu nại (Điều 8), đơn khiếu nại phải có họ tên và địa chỉ của người khiếu nại, nên không thể ẩn danh. Xin cho biết họ tên, địa chỉ (có thể kèm số điện thoại). Ví dụ: «Lê Văn Tám, thôn 2 xã Hòa Vang, 0905 123 456».",
  askIdentityDenunciation:
    "Theo Luật Tố cáo (Điều 23), người tố cáo phải ghi họ tên, địa chỉ. Danh tính người tố cáo được giữ bí mật: chỉ người có thẩm quyền giải quyết mới được biết. Xin cho biết họ tên, địa chỉ (có thể kèm số điện thoại).",
  askName: "Xin cho biết họ và tên của ông/bà (ví dụ: Nguyễn Văn An).",
  askAddress: "Xin cho biết địa chỉ của ông/bà (số nhà, thôn/tổ, xã/phường).",
  askContact: "Xin cho biết số điện thoại hoặc địa chỉ để cơ quan liên hệ (hoặc chọn «Ẩn danh»).",
  anonymityAnswer: (kind: CaseKind) =>
    kind === "pakn"
      ? "Được ạ: phản ánh, kiến nghị có thể gửi ẩn danh. Chọn «Ẩn danh» (hoặc gõ «ẩn danh»), hoặc ghi họ tên và số điện thoại."
      : kind === "khieu_nai"
        ? "Khiếu nại không gửi ẩn danh được: Luật Khiếu nại (Điều 8) yêu cầu họ tên, địa chỉ người khiếu nại. Nếu ông/bà chỉ muốn báo sự việc mà không ghi tên, có thể đổi sang phản ánh, kiến nghị ở bước cuối."
        : "Tố cáo phải ghi họ tên, địa chỉ (Luật Tố cáo, Điều 23), nhưng danh tính người tố cáo được giữ bí mật. Nếu không ghi tên, nội dung chỉ được nhận như một tin báo (Điều 25): cơ quan xem xét, kiểm tra khi nội dung rõ ràng, có chứng cứ, nhưng không giải quyết như đơn tố cáo và không trả lời kết quả giải quyết tố cáo cho ông/bà.",
  unnamedChosen:
    "Ghi nhận: gửi không ghi tên. Nội dung sẽ được chuyển như một tin báo (Luật Tố cáo 2018, Điều 25), không phải đơn tố cáo.",

  summary: (lines: string[]) =>
    `Xin ông/bà kiểm tra lại trước khi gửi:\n${lines.join("\n")}\nChọn «Gửi hồ sơ» để gửi, «Sửa thông tin» để sửa bất kỳ mục nào, hoặc «Hủy».`,
  summaryLine: {
    decision: (v: string) => `• Quyết định/việc bị khiếu nại: ${v}`,
    issuer: (v: string) => `• Cơ quan, người ban hành: ${v}`,
    knownDate: (v: string) => `• Ngày nhận/biết: ${v}`,
    round: (second: boolean) => `• Khiếu nại lần: ${second ? "hai" : "đầu"}`,
    request: (v: string) => `• Đề nghị: ${v}`,
    lateReason: (v: string) => `• Lý do gửi chậm: ${v}`,
    accused: (v: string) => `• Người/việc bị tố cáo: ${v}`,
    unnamed: "• Hình thức: tin báo không ghi tên (không giải quyết theo Luật Tố cáo)",
    question: "• Loại: Câu hỏi gửi cơ quan (không phải phản ánh, khiếu nại, tố cáo)",
    sender: (v: string) => `• Người gửi: ${v}`,
    senderSecret: (v: string) => `• Người gửi: ${v} (được giữ bí mật theo Luật Tố cáo)`,
    senderHidden: (v: string) => `• Người gửi: ${v} (cán bộ xử lý không thấy tên)`,
    address: (v: string) => `• Địa chỉ: ${v}`,
    contact: (v: string) => `• Liên hệ: ${v}`,
    part: (i: number, topic: string, text: string) => `  ${i}) [${topic}] ${text}`,
    parts: (n: number) => `• Tách thành ${n} hồ sơ:`,
    agency: (v: string) => `• Dự kiến chuyển: ${v}`,
  },
  confirmHint: "Xin chọn «Gửi hồ sơ» để gửi, «Sửa thông tin» để sửa, hoặc «Hủy» để bỏ.",
  askEdit: "Ông/bà muốn sửa mục nào?",
  askNewDescription: "Xin gõ lại toàn bộ nội dung (nội dung cũ sẽ được thay).",

  filedPakn: (p: { code: string; agency: string; firstDue: string; due: string }) =>
    [
      "Hộp thư dân đã tiếp nhận hồ sơ của ông/bà.",
      `Mã hồ sơ: ${p.code}`,
      "Xin ông/bà lưu lại mã này để tra cứu.",
      `Cơ quan xử lý: ${p.agency}`,
      `Phản hồi lần đầu: trước hết ngày ${p.firstDue}. Hạn trả lời: trước hết ngày ${p.due}.`,
      "Khi có kết quả, chúng tôi sẽ nhắn vào cuộc trò chuyện này.",
    ].join("\n"),
  filedQuestion: (p: { code: string; agency: string; due: string }) =>
    [
      "Hộp thư dân đã chuyển câu hỏi của ông/bà.",
      `Mã hồ sơ: ${p.code}`,
      `Cơ quan trả lời: ${p.agency}`,
      `Dự kiến trả lời: trước hết ngày ${p.due}. Câu trả lời sẽ được nhắn vào cuộc trò chuyện này.`,
    ].join("\n"),
  filedMany: (n: number) => `Đã tách thành ${n} hồ sơ, mỗi hồ sơ chuyển đến cơ quan phụ trách:`,

  faqAnswer: (answer: string, source: string) => `${answer}\n(Căn cứ: ${source})`,
  faqMore:
    "Nếu câu trả lời trên chưa đủ, ông/bà có thể gửi câu hỏi cho cơ quan có thẩm quyền, hoặc gửi phản ánh, kiến nghị.",
  questionNoAnswer: (days: number) =>
    `Tôi chưa có câu trả lời sẵn cho câu hỏi này. Ông/bà có muốn gửi câu hỏi đến cơ quan có thẩm quyền không? Câu hỏi được trả lời trong khoảng ${days} ngày làm việc, không cần làm hồ sơ phản ánh.`,
  questionPlace: (province: string) =>
    `Câu hỏi liên quan đến xã, phường nào của ${province}? (để chuyển đúng nơi trả lời; nếu không liên quan nơi nào, chọn «Không rõ»)`,
  questionShort: "Xin ông/bà gõ câu hỏi đầy đủ hơn một chút.",
  understood: "Cảm ơn ông/bà. Cần gì thêm, ông/bà cứ nhắn.",

  splitOffer: (n: number, lines: string[]) =>
    `Nội dung có ${n} việc khác nhau:\n${lines.join("\n")}\nTách thành ${n} hồ sơ riêng thì mỗi việc được chuyển thẳng đến cơ quan phụ trách và có mã tra cứu riêng. Ông/bà muốn tách không?`,
  splitLine: (i: number, topic: string, text: string) => `${i}. [${topic}] ${text}`,
} as const;
