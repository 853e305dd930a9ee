/**
 * A tiny training set written for the tests (our own sentences, not from any corpus):
 * a few petitions per topic and a small "corpus" built from them plus some filler text.
 * Used to train a miniature model quickly and reproducibly.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export const TINY_EXAMPLES: { text: string; topic: string; kind: "pakn" | "khieu_nai" | "to_cao" }[] = [
  {
    topic: "land",
    kind: "khieu_nai",
    text: "Tôi khiếu nại quyết định thu hồi đất của ủy ban huyện vì mức bồi thường quá thấp.",
  },
  {
    topic: "land",
    kind: "pakn",
    text: "Gia đình tôi chờ cấp sổ đỏ cho mảnh đất ở đã hai năm mà chưa có kết quả.",
  },
  {
    topic: "land",
    kind: "pakn",
    text: "Hàng xóm lấn sang đất nhà tôi, xin xã hòa giải tranh chấp ranh giới thửa đất.",
  },
  {
    topic: "land",
    kind: "khieu_nai",
    text: "Tiền bồi thường giải phóng mặt bằng và tái định cư cho dân chưa thỏa đáng.",
  },
  { topic: "environment", kind: "pakn", text: "Nhà máy xả nước thải đen ra sông, mùi hôi nồng nặc cả xóm." },
  { topic: "environment", kind: "pakn", text: "Bãi rác tự phát cạnh chợ bốc mùi, ruồi nhặng bay khắp nơi." },
  { topic: "environment", kind: "pakn", text: "Xưởng gỗ chạy máy cả đêm gây tiếng ồn, bụi bay vào nhà dân." },
  {
    topic: "environment",
    kind: "to_cao",
    text: "Tôi tố cáo tàu hút cát trái phép trên sông ban đêm làm sạt bờ.",
  },
  {
    topic: "social_policy",
    kind: "pakn",
    text: "Mẹ tôi là người khuyết tật nhưng ba tháng nay chưa nhận trợ cấp.",
  },
  {
    topic: "social_policy",
    kind: "khieu_nai",
    text: "Nhà tôi khó khăn mà bị đưa ra khỏi danh sách hộ nghèo, đề nghị xem xét lại.",
  },
  {
    topic: "social_policy",
    kind: "pakn",
    text: "Ông nội tôi là người có công với cách mạng, hồ sơ hưởng chế độ bị chậm.",
  },
  {
    topic: "social_policy",
    kind: "pakn",
    text: "Công ty nợ bảo hiểm xã hội nên tôi không chốt được sổ để hưởng chế độ.",
  },
  {
    topic: "construction_urban",
    kind: "pakn",
    text: "Nhà bên cạnh xây dựng trái phép thêm hai tầng không có giấy phép xây dựng.",
  },
  {
    topic: "construction_urban",
    kind: "pakn",
    text: "Quán ăn lấn chiếm vỉa hè, người đi bộ phải đi xuống lòng đường.",
  },
  {
    topic: "construction_urban",
    kind: "pakn",
    text: "Công trình xây dựng làm nứt tường nhà tôi, chủ đầu tư không chịu sửa.",
  },
  {
    topic: "construction_urban",
    kind: "to_cao",
    text: "Tôi tố cáo cán bộ trật tự đô thị nhận tiền để làm ngơ cho nhà xây sai phép.",
  },
  {
    topic: "transport_infrastructure",
    kind: "pakn",
    text: "Con đường vào thôn hư hỏng nặng, nhiều ổ gà, trời mưa rất nguy hiểm.",
  },
  {
    topic: "transport_infrastructure",
    kind: "pakn",
    text: "Đèn đường trên tuyến này tắt cả tháng nay, buổi tối rất tối.",
  },
  {
    topic: "transport_infrastructure",
    kind: "pakn",
    text: "Mỗi lần mưa to khu phố bị ngập sâu vì cống thoát nước tắc.",
  },
  {
    topic: "transport_infrastructure",
    kind: "pakn",
    text: "Khu dân cư mất điện liên tục và chưa có nước sạch để dùng.",
  },
  {
    topic: "health",
    kind: "pakn",
    text: "Trạm y tế xã thiếu thuốc, bác sĩ không có mặt khi dân đến khám bệnh.",
  },
  {
    topic: "health",
    kind: "pakn",
    text: "Bệnh viện huyện bắt bệnh nhân chờ khám cả ngày, thái độ nhân viên kém.",
  },
  {
    topic: "health",
    kind: "pakn",
    text: "Quán ăn trước cổng trường bán thức ăn không đảm bảo an toàn thực phẩm.",
  },
  {
    topic: "health",
    kind: "to_cao",
    text: "Tôi tố cáo bác sĩ bệnh viện đòi tiền bồi dưỡng mới chịu mổ cho bệnh nhân.",
  },
  {
    topic: "education",
    kind: "pakn",
    text: "Trường tiểu học thu nhiều khoản ngoài học phí, phụ huynh rất bức xúc.",
  },
  { topic: "education", kind: "pakn", text: "Giáo viên dạy thêm bắt học sinh phải đi học thêm ở nhà cô." },
  {
    topic: "education",
    kind: "pakn",
    text: "Phòng học xuống cấp, bàn ghế hỏng, mùa mưa học sinh phải nghỉ.",
  },
  {
    topic: "education",
    kind: "to_cao",
    text: "Tôi tố cáo hiệu trưởng lạm thu và chiếm đoạt tiền quỹ phụ huynh.",
  },
  {
    topic: "security_order",
    kind: "pakn",
    text: "Nhóm thanh niên tụ tập sử dụng ma túy ở bãi đất trống cuối hẻm.",
  },
  {
    topic: "security_order",
    kind: "pakn",
    text: "Xóm tôi liên tục bị trộm xe máy vào ban đêm, xin công an tăng tuần tra.",
  },
  {
    topic: "security_order",
    kind: "pakn",
    text: "Bọn cho vay tín dụng đen đến nhà siết nợ, đe dọa gia đình tôi.",
  },
  {
    topic: "security_order",
    kind: "pakn",
    text: "Tôi bị lừa đảo qua điện thoại, kẻ gian giả danh công an chiếm tiền.",
  },
  {
    topic: "admin_procedures",
    kind: "pakn",
    text: "Làm giấy khai sinh cho con ở bộ phận một cửa phải đi lại nhiều lần.",
  },
  {
    topic: "admin_procedures",
    kind: "pakn",
    text: "Hồ sơ làm căn cước của tôi nộp quá hạn mà chưa được trả kết quả.",
  },
  {
    topic: "admin_procedures",
    kind: "pakn",
    text: "Thủ tục chứng thực giấy tờ ở xã rườm rà, yêu cầu nhiều bản sao.",
  },
  {
    topic: "admin_procedures",
    kind: "khieu_nai",
    text: "Tôi khiếu nại việc xã từ chối đăng ký hộ tịch cho con tôi không đúng quy định.",
  },
  {
    topic: "officials_conduct",
    kind: "to_cao",
    text: "Tôi tố cáo cán bộ địa chính xã nhận tiền của dân mới làm hồ sơ.",
  },
  {
    topic: "officials_conduct",
    kind: "pakn",
    text: "Cán bộ một cửa gây phiền hà, thái độ hách dịch với người dân.",
  },
  {
    topic: "officials_conduct",
    kind: "to_cao",
    text: "Ông Nguyễn Văn Hùng chủ tịch xã nhận hối lộ, tham nhũng tiền hỗ trợ.",
  },
  {
    topic: "officials_conduct",
    kind: "pakn",
    text: "Công chức xã thường xuyên đi muộn về sớm, dân đến làm việc không gặp.",
  },
  {
    topic: "disasters",
    kind: "pakn",
    text: "Sau cơn bão nhà tôi bị tốc mái mà chưa nhận được tiền cứu trợ.",
  },
  {
    topic: "disasters",
    kind: "pakn",
    text: "Đồi sau nhà có nguy cơ sạt lở, xin di dời dân đến nơi an toàn.",
  },
  { topic: "disasters", kind: "pakn", text: "Lũ lụt cuốn trôi hoa màu, bà con cần hỗ trợ giống cây trồng." },
  { topic: "disasters", kind: "pakn", text: "Hạn hán kéo dài, giếng cạn hết, dân thiếu nước sinh hoạt." },
  {
    topic: "ethnic_religion",
    kind: "pakn",
    text: "Đồng bào dân tộc thiểu số trong bản chưa được hưởng chính sách hỗ trợ nhà ở.",
  },
  {
    topic: "ethnic_religion",
    kind: "pakn",
    text: "Xin phép sửa chữa chùa của làng nhưng hồ sơ chưa được giải quyết.",
  },
  {
    topic: "ethnic_religion",
    kind: "pakn",
    text: "Giáo xứ muốn tổ chức lễ ở nhà thờ, xin hướng dẫn thủ tục tôn giáo.",
  },
  {
    topic: "ethnic_religion",
    kind: "pakn",
    text: "Học sinh người dân tộc ở vùng cao chưa nhận được tiền hỗ trợ gạo.",
  },
  { topic: "agriculture", kind: "pakn", text: "Phân bón giả bán cho nông dân làm lúa chết hàng loạt." },
  {
    topic: "agriculture",
    kind: "pakn",
    text: "Dịch bệnh gia súc lan rộng, đàn lợn chết mà chưa có hỗ trợ tiêm phòng.",
  },
  {
    topic: "agriculture",
    kind: "pakn",
    text: "Kênh thủy lợi không được nạo vét, ruộng lúa thiếu nước tưới.",
  },
  { topic: "agriculture", kind: "to_cao", text: "Tôi tố cáo nhóm người phá rừng phòng hộ để lấy gỗ bán." },
  { topic: "culture_tourism", kind: "pakn", text: "Quán karaoke hát đến nửa đêm, ồn ào không ai ngủ được." },
  { topic: "culture_tourism", kind: "pakn", text: "Lễ hội của làng bị chèo kéo, ép giá khách du lịch." },
  {
    topic: "culture_tourism",
    kind: "pakn",
    text: "Di tích đình làng xuống cấp nghiêm trọng, cần được tu bổ.",
  },
  { topic: "culture_tourism", kind: "pakn", text: "Biển quảng cáo dán tràn lan trên cột điện và tường nhà." },
  { topic: "other", kind: "pakn", text: "Tôi muốn hỏi giờ làm việc của ủy ban vào thứ bảy." },
  {
    topic: "other",
    kind: "pakn",
    text: "Xin cảm ơn các anh chị đã hỗ trợ gia đình tôi trong thời gian qua.",
  },
  { topic: "other", kind: "pakn", text: "Tôi góp ý nên có thêm ứng dụng để người dân gửi ý kiến dễ hơn." },
  { topic: "other", kind: "pakn", text: "Cho tôi hỏi địa chỉ email để gửi thư cho lãnh đạo thành phố." },
];

const FILLER = [
  "Người dân trong thôn họp bàn việc làm đường và giữ vệ sinh môi trường.",
  "Ủy ban nhân dân xã tiếp công dân vào sáng thứ năm hằng tuần.",
  "Học sinh đến trường đúng giờ, giáo viên chuẩn bị bài giảng chu đáo.",
  "Công an xã phối hợp với dân phòng giữ gìn an ninh trật tự trên địa bàn.",
  "Nông dân thu hoạch lúa xong thì chuẩn bị đất cho vụ mới.",
  "Bệnh viện tuyến tỉnh tiếp nhận nhiều bệnh nhân từ các huyện.",
  "Mùa mưa bão năm nay đến sớm, chính quyền chuẩn bị phương án cứu trợ.",
  "Không có gì quan trọng hơn sức khỏe và sự bình yên của gia đình.",
];

/** Corpus documents: the filler text and the examples, each repeated so that counts are not tiny. */
export function tinyCorpus(): string[] {
  const docs: string[] = [];
  for (let r = 0; r < 3; r++) {
    docs.push(FILLER.join("\n"));
    docs.push(TINY_EXAMPLES.map((e) => e.text).join("\n"));
  }
  return docs;
}

/** Writes the tiny examples as data/examples/train/<topic>.jsonl under `dir`; returns the train folder. */
export async function writeTinyExamples(dir: string): Promise<string> {
  const train = path.join(dir, "examples", "train");
  await mkdir(train, { recursive: true });
  const byTopic = new Map<string, string[]>();
  for (const e of TINY_EXAMPLES) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), JSON.stringify(e)]);
  for (const [topic, lines] of byTopic)
    await writeFile(path.join(train, `${topic}.jsonl`), `${lines.join("\n")}\n`);
  return train;
}

/** Training parameters small enough for a test (a second or two). */
export const TINY_TRAINING = {
  embedding: {
    dim: 16,
    maxAcc: 400,
    maxPlain: 300,
    maxBigrams: 300,
    maxContexts: 200,
    minCount: 2,
    minBigramCount: 2,
    minBigramPmi: 0,
    powerIterations: 2,
    ngramIterations: 20,
    pcSamples: 50,
  },
  head: {
    folds: 2,
    l2Grid: [1e-3],
    l2DenseGrid: [1e-3],
    kindL2Grid: [1e-3],
    kindPriorGrid: [1],
    maxIterations: 60,
    minFeatureCount: 1,
  },
};
