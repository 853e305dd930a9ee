/**
 * A fixed data set for the digest, around ISO week 48 of 2026 (Monday 23/11 – Sunday 29/11, Việt
 * Nam time = 2026-11-22T17:00Z – 2026-11-29T17:00Z). Every figure the tests expect is worked out
 * by hand from this table (see figures.test.ts).
 */
import type { Db } from "../../src/store/db.ts";

export const NOW = new Date("2026-12-01T03:00:00Z");
export const SECRET_NAME = "Nguyễn Thị Bí Mật";
export const SECRET_PHONE = "0905123456";
export const SECRET_COMMENT = "Trả lời qua loa, PRIVATE-COMMENT-XYZ";

const X = "ubnd-hai-chau";
const Y = "so-nong-nghiep-va-moi-truong";

interface Row {
  code: string;
  kind?: "pakn" | "khieu_nai" | "to_cao";
  topic: string;
  place: string | null;
  agency: string;
  received: string;
  due: string;
  answered?: string;
  closed?: string;
  status: string;
  rating?: number;
  rated?: string;
  comment?: string;
  text: string;
}

export const ROWS: Row[] = [
  // Week 48
  {
    code: "C01",
    topic: "environment",
    place: "hai-chau",
    agency: X,
    received: "2026-11-22T17:00:00Z",
    due: "2026-11-27T16:59:59.999Z",
    answered: "2026-11-25T03:00:00Z",
    closed: "2026-11-26T03:00:00Z",
    status: "closed",
    rating: 5,
    rated: "2026-11-26T04:00:00Z",
    text: "Rác thải sinh hoạt ùn ứ nhiều ngày ở chợ Hàn, bốc mùi hôi thối.",
  },
  {
    code: "C03",
    topic: "environment",
    place: "hai-chau",
    agency: X,
    received: "2026-11-29T16:59:59Z",
    due: "2026-12-10T16:59:59.999Z",
    status: "routed",
    text: "Quán karaoke hát đến 1 giờ sáng, tiếng ồn làm cả khu phố mất ngủ.",
  },
  {
    code: "C05",
    topic: "land",
    place: "hai-chau",
    agency: Y,
    received: "2026-11-24T03:00:00Z",
    due: "2026-12-09T16:59:59.999Z",
    answered: "2026-11-27T03:00:00Z",
    status: "answered",
    text: "Đề nghị hướng dẫn thủ tục cấp giấy chứng nhận quyền sử dụng đất cho thửa đất thừa kế.",
  },
  {
    code: "H1",
    topic: "environment",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-23T02:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Ban đêm có nhiều ghe hút cát trái phép trên sông Yên đoạn qua thôn Giáng Nam, bờ sông bị sạt lở nghiêm trọng.",
  },
  {
    code: "H2",
    topic: "environment",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-24T02:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Tình trạng khai thác cát trái phép trên sông Yên gần thôn Giáng Nam diễn ra hằng đêm, gây sạt lở bờ sông.",
  },
  {
    code: "H3",
    topic: "environment",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-25T02:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Người dân thôn Giáng Nam phản ánh ghe hút cát trái phép hoạt động suốt đêm trên sông Yên làm sạt lở đất ven sông.",
  },
  {
    code: "H4",
    topic: "environment",
    place: "hoa-tien",
    agency: "ubnd-hoa-tien",
    received: "2026-11-26T02:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Đề nghị xử lý việc hút cát trái phép ban đêm trên sông Yên khu vực Giáng Nam, bờ sông sạt lở mất đất sản xuất.",
  },
  {
    code: "S1",
    topic: "social_policy",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-23T05:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Gia đình tôi thuộc hộ nghèo nhưng năm nay không được xét trợ cấp, đề nghị xem xét lại.",
  },
  {
    code: "S2",
    topic: "transport_infrastructure",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-24T05:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Đèn đường trên Quốc lộ 14B đoạn qua xã bị hỏng cả tháng nay, ban đêm rất tối.",
  },
  {
    code: "S3",
    topic: "education",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-25T05:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Nhà trường thu thêm nhiều khoản phí ngoài học phí mà không công khai, phụ huynh bức xúc.",
  },
  {
    code: "S4",
    topic: "land",
    place: "hoa-vang",
    agency: "ubnd-hoa-vang",
    received: "2026-11-26T05:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Cán bộ địa chính xã hẹn nhiều lần mà không giải quyết hồ sơ cấp sổ đỏ cho gia đình tôi.",
  },
  {
    code: "L1",
    topic: "environment",
    place: "hoi-an",
    agency: "ubnd-hoi-an",
    received: "2026-11-27T02:00:00Z",
    due: "2026-12-08T16:59:59.999Z",
    status: "routed",
    text: "Ban đêm có nhiều ghe hút cát trái phép trên sông Thu Bồn, bờ sông bị sạt lở nghiêm trọng.",
  },
  // Week 49 (Monday 00:00 in Việt Nam): not in week 48.
  {
    code: "C04",
    topic: "environment",
    place: "hai-chau",
    agency: X,
    received: "2026-11-29T17:00:00Z",
    due: "2026-12-14T16:59:59.999Z",
    status: "routed",
    text: "Cây xanh gãy đổ chắn ngang vỉa hè sau mưa lớn.",
  },
  // Week 47 (C02 at Sunday 23:59:59 in Việt Nam).
  {
    code: "C02",
    topic: "land",
    place: "hai-chau",
    agency: X,
    received: "2026-11-22T16:59:59Z",
    due: "2026-11-23T16:59:59.999Z",
    answered: "2026-11-24T03:00:00Z",
    closed: "2026-11-25T03:00:00Z",
    status: "closed",
    rating: 1,
    rated: "2026-11-25T04:00:00Z",
    comment: SECRET_COMMENT,
    text: `Tôi là ${SECRET_NAME}, số điện thoại ${SECRET_PHONE}, đề nghị giải quyết tranh chấp ranh giới đất với nhà hàng xóm.`,
  },
  {
    code: "B1",
    topic: "environment",
    place: "hai-chau",
    agency: X,
    received: "2026-11-18T03:00:00Z",
    due: "2026-12-02T16:59:59.999Z",
    answered: "2026-11-20T03:00:00Z",
    closed: "2026-11-21T03:00:00Z",
    status: "closed",
    rating: 4,
    rated: "2026-11-21T04:00:00Z",
    text: "Xưởng gỗ xả khói bụi ra khu dân cư vào buổi chiều.",
  },
  {
    code: "B2",
    kind: "khieu_nai",
    topic: "land",
    place: "hoi-an",
    agency: "ubnd-hoi-an",
    received: "2026-11-19T03:00:00Z",
    due: "2026-12-31T16:59:59.999Z",
    status: "in_progress",
    text: "Khiếu nại quyết định thu hồi đất vì mức bồi thường thấp hơn giá thị trường.",
  },
  // Week 46
  {
    code: "D1",
    topic: "environment",
    place: "hai-chau",
    agency: X,
    received: "2026-11-10T03:00:00Z",
    due: "2026-11-20T16:59:59.999Z",
    answered: "2026-11-12T03:00:00Z",
    closed: "2026-11-13T03:00:00Z",
    status: "closed",
    text: "Cống thoát nước bị tắc gây mùi hôi.",
  },
  // Week 45
  {
    code: "C06",
    kind: "khieu_nai",
    topic: "land",
    place: "hai-chau",
    agency: "thanh-tra-thanh-pho",
    received: "2026-11-02T03:00:00Z",
    due: "2026-11-20T16:59:59.999Z",
    status: "in_progress",
    text: "Khiếu nại việc cấp giấy chứng nhận chồng lấn lên đất của gia đình.",
  },
  {
    code: "D2",
    topic: "social_policy",
    place: "son-tra",
    agency: "ubnd-son-tra",
    received: "2026-11-03T03:00:00Z",
    due: "2026-11-17T16:59:59.999Z",
    answered: "2026-11-18T03:00:00Z",
    status: "answered",
    text: "Đề nghị xem xét chế độ cho người có công.",
  },
];

/** Writes the data set (reference data must be synced first); C05 was re-routed from X to Y. */
export async function seedFixture(db: Db): Promise<Map<string, string>> {
  const citizen = await db.citizen.create({
    data: { channel: "telegram", externalId: "fixture", displayName: SECRET_NAME, phone: SECRET_PHONE },
  });
  const ids = new Map<string, string>();
  for (const r of ROWS) {
    const d = (s?: string) => (s ? new Date(s) : null);
    const c = await db.case.create({
      data: {
        code: r.code,
        kind: r.kind ?? "pakn",
        status: r.status as never,
        topicId: r.topic,
        placeId: r.place,
        agencyId: r.agency,
        description: r.text,
        citizenId: citizen.id,
        channel: "telegram",
        receivedAt: new Date(r.received),
        dueAt: new Date(r.due),
        answeredAt: d(r.answered),
        closedAt: d(r.closed),
        rating: r.rating ?? null,
        ratedAt: d(r.rated),
        ratingComment: r.comment ?? null,
        publicAnswer: r.answered ? "Đã trả lời." : null,
      },
    });
    await db.caseSender.create({ data: { caseId: c.id, name: SECRET_NAME, contact: SECRET_PHONE } });
    ids.set(r.code, c.id);
  }
  await db.caseEvent.create({
    data: {
      caseId: ids.get("C05")!,
      type: "rerouted",
      actorType: "official",
      data: { from: X, to: Y, reason: "Thuộc thẩm quyền của Sở" },
      createdAt: new Date("2026-11-25T03:00:00Z"),
    },
  });
  return ids;
}
