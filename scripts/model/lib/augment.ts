/**
 * Genre frames for training: real petitions reach the classifier wrapped in the conventions of
 * the genre that published them — a summary of voters' petitions ("Cử tri … phản ánh: …"), a
 * newspaper report that quotes an official's answer, a letter that opens with the sender's
 * background and the officials already asked. None of that says what the petition is about, but
 * a model trained only on bare messages reads "cán bộ", "lãnh đạo UBND" or "mưa lũ" in the
 * background as the topic. Training on framed copies teaches it that the frame is neutral.
 *
 * A seeded fraction of the training examples (those typed with diacritics and not already long)
 * get one framed copy each, with the same topic and kind. The frames are this file's own words;
 * the place and agency names are real Đà Nẵng names used only as context.
 */
import { isMarkedText, tokenize } from "../../../src/classify/normalize.ts";
import type { Example } from "./head-train.ts";
import { Prng } from "./prng.ts";

export interface AugmentOptions {
  /** Share of the eligible examples that get a framed copy (0 disables augmentation). */
  fraction: number;
  seed: number;
  /** Examples longer than this (characters) are not framed. */
  maxChars: number;
}

export const DEFAULT_AUGMENT_OPTIONS: AugmentOptions = { fraction: 0.5, seed: 11, maxChars: 500 };

const PLACES = [
  "phường Hải Châu",
  "xã Hòa Vang",
  "phường Thanh Khê",
  "xã Bà Nà",
  "phường Sơn Trà",
  "xã Điện Bàn Tây",
  "phường Hội An",
  "xã Thăng Bình",
  "phường Cẩm Lệ",
  "xã Núi Thành",
  "thôn 3, xã Đại Lộc",
  "tổ dân phố 7, phường An Khê",
];
const AGENCIES = [
  "UBND phường",
  "UBND xã",
  "Ban Tiếp công dân thành phố",
  "Văn phòng UBND thành phố",
  "Đường dây nóng của thành phố",
];
const PAPERS = ["Báo", "đường dây nóng của Báo", "chuyên mục Bạn đọc", "Cổng góp ý của thành phố"];
const OFFICIALS = [
  "lãnh đạo UBND xã",
  "đại diện UBND phường",
  "Chủ tịch UBND xã",
  "một cán bộ phụ trách lĩnh vực này",
  "đại diện cơ quan chức năng",
];
const NAMES = [
  "Nguyễn Văn Hùng",
  "Trần Thị Lệ",
  "Lê Văn Phước",
  "Phạm Thị Thu",
  "Võ Minh Tuấn",
  "Hồ Thị Nga",
];
const BACKGROUNDS = [
  "Gia đình tôi sinh sống tại địa phương đã nhiều năm, luôn chấp hành tốt chủ trương, chính sách của Nhà nước.",
  "Thời gian qua, chính quyền và cán bộ thôn đã quan tâm đến đời sống của bà con.",
  "Tôi đã nhiều lần trình bày với cán bộ xã và tổ trưởng dân phố nhưng chưa được giải quyết.",
  "Việc này đã được nêu tại buổi tiếp xúc cử tri trước kỳ họp, lãnh đạo UBND có ghi nhận.",
  "Sau khi sáp nhập, trụ sở UBND ở xa nên tôi gửi ý kiến qua kênh này.",
  "Năm ngoái mưa lũ kéo dài, kinh tế gia đình còn nhiều khó khăn.",
];

const pick = <T>(prng: Prng, xs: readonly T[]): T => xs[prng.int(xs.length)]!;

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const endSentence = (s: string) => (/[.!?…]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

/** One framed copy of a petition text. */
export function frame(text: string, prng: Prng): string {
  const t = endSentence(text);
  const place = pick(prng, PLACES);
  switch (prng.int(5)) {
    case 0:
      return `Cử tri ${place} ${pick(prng, ["phản ánh", "kiến nghị", "phản ánh, kiến nghị"])}: ${lowerFirst(t)}`;
    case 1:
      return `Phản ánh đến ${pick(prng, PAPERS)}, người dân ${place} cho biết: ${lowerFirst(t)} Trao đổi với phóng viên, ${pick(prng, OFFICIALS)} cho biết sẽ kiểm tra, xử lý theo thẩm quyền.`;
    case 2:
      return `Kính gửi ${pick(prng, AGENCIES)}. Tôi tên là ${pick(prng, NAMES)}, trú tại ${place}. ${pick(prng, BACKGROUNDS)} ${t} Kính mong được xem xét, giải quyết.`;
    case 3:
      return `Người dân ${place} cho biết: ${lowerFirst(t)}`;
    default:
      return `${t} ${pick(prng, BACKGROUNDS)} Người gửi: ${pick(prng, NAMES)}, ${place}.`;
  }
}

/**
 * Framed copies of a seeded share of the examples; `source` is the index of the example each
 * copy came from (cross-validation keeps a copy in its source's fold).
 */
export function augmentExamples(
  examples: readonly Example[],
  o: AugmentOptions,
): { example: Example; source: number }[] {
  if (!(o.fraction > 0)) return [];
  const prng = new Prng(o.seed);
  const out: { example: Example; source: number }[] = [];
  examples.forEach((e, i) => {
    // Draw for every example so the choice of one does not depend on the others' eligibility.
    const take = prng.next() < o.fraction;
    if (!take || e.text.length > o.maxChars || !isMarkedText(tokenize(e.text))) return;
    out.push({ example: { ...e, text: frame(e.text, prng) }, source: i });
  });
  return out;
}
