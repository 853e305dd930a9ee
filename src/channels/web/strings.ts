/** Texts of the web chat page and its API errors. */
export const webStrings = {
  title: "Hộp thư dân — Gửi phản ánh, kiến nghị",
  header: "Hộp thư dân",
  subheader: "Tiếp nhận phản ánh, kiến nghị, khiếu nại, tố cáo",
  placeholder: "Nhập tin nhắn…",
  send: "Gửi",
  newChat: "Cuộc trò chuyện mới",
  offline: "Không gửi được tin nhắn. Xin kiểm tra kết nối và thử lại.",
  badJson: "Yêu cầu không hợp lệ: nội dung không phải JSON.",
  badRequest: "Yêu cầu không hợp lệ: cần nội dung tin nhắn (text).",
  tooLarge: "Yêu cầu quá lớn.",
  unavailable: "Hệ thống đang bận hoặc gặp sự cố. Xin thử lại sau ít phút.",
  notFound: "Không tìm thấy địa chỉ này.",
} as const;
