/** What a citizen reads when the bot protects itself (flood limits, look-up limits). */
export const guardStrings = {
  /** Sent once when a chat writes faster than the bot answers; its further messages are kept unanswered. */
  floodChat: (waitSeconds: number) =>
    `Ông/bà đang gửi tin nhắn quá nhanh. Hệ thống đã ghi nhận các tin nhắn nhưng sẽ tạm dừng trả lời khoảng ${waitSeconds} giây. Xin vui lòng gửi chậm lại và gộp nội dung vào một tin nhắn.`,
  /** The whole system is receiving more than it can answer at once (web chat: 429). */
  busy: "Hệ thống đang tiếp nhận quá nhiều tin nhắn cùng lúc. Xin ông/bà vui lòng thử lại sau ít phút.",
  /** Too many tracking-code look-ups from one conversation or one address. */
  lookupLimited: (waitMinutes: number) =>
    `Ông/bà đã tra cứu quá nhiều mã hồ sơ trong thời gian ngắn. Để bảo vệ thông tin của người dân, xin vui lòng thử lại sau khoảng ${waitMinutes} phút.`,
  /** An update that could not be read at all (kept aside for officials). */
  unreadable:
    "Xin lỗi, hệ thống không đọc được tin nhắn vừa rồi. Xin ông/bà vui lòng gửi lại nội dung bằng văn bản thông thường.",
} as const;
