/** Texts the Telegram channel shows to citizens (the dialogue's own texts are in src/i18n/vi.ts). */
export const telegramStrings = {
  /** Descriptions of the bot's commands in Telegram's "/" menu (setMyCommands, 1–256 characters). */
  commands: {
    start: "Bắt đầu",
    gui: "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo",
    tracuu: "Tra cứu hồ sơ bằng mã",
    huy: "Hủy thao tác đang làm",
    trogiup: "Hướng dẫn sử dụng",
  },
  /** Carries the buttons when a reply has choices but no text (Telegram rejects an empty text). */
  chooseOne: "Mời ông/bà chọn một mục bên dưới.",
  /** Polite answers to what the bot cannot take (see `unsupportedReplyText`). */
  unsupported: {
    edited:
      "Hệ thống không cập nhật được tin nhắn đã sửa. Nếu cần bổ sung hay đính chính, xin ông/bà gửi một tin nhắn mới.",
    sticker: "Cảm ơn ông/bà! Để gửi phản ánh, xin nhập nội dung bằng chữ hoặc gửi ảnh.",
    voice: "Hiện hệ thống chưa nghe được tin nhắn thoại. Xin ông/bà nhập nội dung bằng chữ.",
    video: "Hiện hệ thống chưa nhận được video. Xin ông/bà gửi ảnh chụp và mô tả bằng chữ.",
    location:
      "Hiện hệ thống chưa đọc được vị trí gửi từ bản đồ. Xin ông/bà nhập địa chỉ bằng chữ (số nhà, đường, phường/xã).",
    document: "Hiện hệ thống chỉ nhận tệp hình ảnh. Xin ông/bà gửi ảnh hoặc nhập nội dung bằng chữ.",
    other: "Hiện hệ thống chỉ nhận tin nhắn chữ và hình ảnh. Xin ông/bà nhập nội dung bằng chữ.",
    staleButton: "Nút này đã cũ. Xin ông/bà chọn lại ở tin nhắn mới nhất.",
  },
} as const;
