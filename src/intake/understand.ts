/**
 * Reading what a citizen typed, the way people write in chat: with or without diacritics, in
 * teencode ("ko", "dc", "mun"), in short bits. Pure functions: intents (cancel, send, look up,
 * a kind named, a correction), whether a text is a question or a non-answer, a name with its
 * address and phone, a date, and the separate matters of a long letter.
 */
import type { CaseKind } from "../case/kind.ts";
import { stripDiacritics } from "../classify/normalize.ts";

/** Lower case, no diacritics, common teencode spelled out, punctuation as spaces. */
export function fold(text: string): string {
  const plain = stripDiacritics(text.normalize("NFC").toLowerCase())
    .replace(/[^\p{L}\p{N}/?]+/gu, " ")
    .replace(/\?/g, " ? ")
    .replace(/\s+/g, " ")
    .trim();
  return plain
    .split(" ")
    .map((w) => TEENCODE[w] ?? w)
    .join(" ");
}

const TEENCODE: Record<string, string> = {
  ko: "khong",
  k: "khong",
  kh: "khong",
  hok: "khong",
  hong: "khong",
  kg: "khong",
  khg: "khong",
  dc: "duoc",
  dk: "duoc",
  đc: "duoc",
  mun: "muon",
  mk: "minh",
  e: "em",
  a: "anh",
  j: "gi",
  z: "vay",
  v: "vay",
  r: "roi",
  ns: "noi",
  bt: "biet",
  bik: "biet",
  bjk: "biet",
  ntn: "nhu the nao",
  sdt: "so dien thoai",
  dt: "dien thoai",
  ubnd: "uy ban nhan dan",
  tp: "thanh pho",
  qd: "quyet dinh",
  qđ: "quyet dinh",
  cb: "can bo",
  ca: "cong an",
  oke: "ok",
  okie: "ok",
  uk: "u",
  uh: "u",
  um: "u",
  ah: "a",
  ak: "a",
  nha: "nhe",
  nhen: "nhe",
  nhá: "nhe",
  hs: "ho so",
};

function has(f: string, phrase: string): boolean {
  return ` ${f} `.includes(` ${phrase} `);
}

function hasAny(f: string, phrases: readonly string[]): boolean {
  return phrases.some((p) => has(f, p));
}

// ---------------------------------------------------------------------------------------------
// Short answers

const YES = [
  "co",
  "dung",
  "u",
  "ok",
  "vang",
  "da",
  "yes",
  "dong y",
  "chinh xac",
  "phai",
  "dung roi",
  "dung vay",
  "da dung",
  "vang dung",
  "co a",
  "da co",
  "dung a",
  "vang a",
  "ok em",
  "ok a",
  "chuan",
];
const NO = [
  "khong",
  "no",
  "sai",
  "khong phai",
  "sai roi",
  "khong dung",
  "chua",
  "khong a",
  "da khong",
  "khong co",
  "ko co",
  "khong co a",
  "da khong co",
  "chua co",
  "khong co gi",
  "het roi",
  "khong con",
];

/** Without the politeness around a short answer: "dạ đúng ạ" → "dung", "ừ đúng rồi nhé" → "dung roi". */
function core(text: string): string {
  return fold(text)
    .replace(/^(?:(?:da|vang|thua|u|ok|uh|a|em|chau)\s+)+(?=\S)/, "")
    .replace(/(?:\s+(?:a|nhe|nha|a nhe|ha|em|anh|chi|ban|ad|ha))+$/, "")
    .trim();
}

export function isYes(text: string): boolean {
  return YES.includes(fold(text)) || YES.includes(core(text));
}

export function isNo(text: string): boolean {
  return NO.includes(fold(text)) || NO.includes(core(text));
}

/** "ko co", "không", "chưa có", "khong biet": an answer that gives nothing to store. */
export function isNonAnswer(text: string): boolean {
  const f = fold(text);
  return (
    isNo(text) ||
    [
      "khong biet",
      "khong ro",
      "khong nho",
      "chiu",
      "khong co thong tin",
      "khong biet a",
      "khong ro a",
    ].includes(f)
  );
}

// ---------------------------------------------------------------------------------------------
// Intents

const CANCEL = [
  "thoi",
  "thoi khoi",
  "khoi",
  "thoi khoi di",
  "khong gui nua",
  "thoi khong gui nua",
  "thoi khong gui",
  "thoi bo di",
  "bo di",
  "thoi bo",
  "thoi huy",
  "huy di",
  "huy",
  "huy bo",
  "huy ho so",
  "thoi dung",
  "thoi nhe",
  "thoi khong can",
  "khong can nua",
  "thoi khong can nua",
  "dung lai",
  "thoat",
  "cancel",
];

export function isCancel(text: string): boolean {
  const f = fold(text)
    .replace(/ (a|nhe|nhe em|em|nha|di)$/, "")
    .trim();
  return CANCEL.includes(f) || CANCEL.includes(fold(text)) || CANCEL.includes(core(text));
}

const SEND = [
  "gui giup toi",
  "gui giup",
  "gui cho toi",
  "gui",
  "gui di",
  "gui luon",
  "gui ho so",
  "gui nhe",
  "ok gui",
  "ok gui di",
  "dong y gui",
  "nop",
  "nop di",
  "gui giup",
  "gui giup em",
  "gui giup toi",
  "xac nhan",
  "xac nhan gui",
];

/** At the summary: send it. A bare yes ("ok", "đúng rồi") also means send there. */
export function isSend(text: string): boolean {
  const f = fold(text)
    .replace(/ (a|nhe|em|di)$/, "")
    .trim();
  return SEND.includes(f) || SEND.includes(fold(text)) || SEND.includes(core(text)) || isYes(text);
}

export function isLookupIntent(text: string): boolean {
  const f = fold(text);
  return (
    /\btra cuu\b/.test(f) ||
    /\b(xem|kiem tra|hoi) (lai )?(tinh trang )?ho so\b/.test(f) ||
    /\bho so (cua )?(toi|em|minh) (den dau|the nao|sao roi)/.test(f)
  );
}

const KIND_WORDS: [CaseKind, RegExp][] = [
  ["khieu_nai", /\bkhieu nai\b|\bkhieu kien\b/],
  ["to_cao", /\bto cao\b/],
  ["pakn", /\bphan anh\b|\bkien nghi\b|\bgop y\b|\bde xuat\b|\bde nghi\b/],
];

/** The kinds a text names (in the order written). */
export function kindsNamed(text: string): CaseKind[] {
  const f = fold(text);
  return KIND_WORDS.filter(([, re]) => re.test(f))
    .map(([k, re]) => [k, f.search(re)] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([k]) => k);
}

/**
 * "tôi muốn khiếu nại", "khieu nai", "gửi phản ánh", "muon to cao can bo xa": the kind a citizen
 * says they want to file, with what is left once the intent words are removed.
 */
export function statedIntent(text: string): { kind: CaseKind; rest: string } | undefined {
  const f = fold(text);
  const m =
    /^(?:(?:toi|em|minh|chau|con|tui|anh|chi|ba|ong|co) )?(?:(?:muon|can|xin|can gui|muon gui|xin gui|gui|lam|viet|nop|co viec|co y kien) )*(?:don )?(khieu nai|khieu kien|to cao|phan anh|kien nghi|gop y)\b(.*)$/.exec(
      f,
    );
  if (!m) return undefined;
  const word = m[1]!;
  const kind: CaseKind = word.startsWith("khieu") ? "khieu_nai" : word === "to cao" ? "to_cao" : "pakn";
  const rest = m[2]!.replace(/^ ?(?:ve|viec|rang|la|voi|a|nhe|duoc khong|dc khong)\b/, "").trim();
  return { kind, rest };
}

/**
 * A correction of the kind, in free words at any step: "ko phai khieu nai, toi chon so 3 la to
 * cao ma", "sai rồi, loại phải là tố cáo", "đổi sang khiếu nại". Numbers refer to the printed list.
 */
export function kindCorrection(text: string, printed: readonly CaseKind[]): CaseKind | undefined {
  const f = fold(text);
  if (f.split(" ").length > 20) return undefined;
  const cue =
    /\b(sai|khong phai|chu khong phai|phai la|doi sang|doi thanh|doi lai|chuyen sang|sua thanh|sua lai|loai la|loai phai|chon|nham)\b/.test(
      f,
    );
  if (!cue) return undefined;
  const negated = new Set<CaseKind>();
  for (const [k, re] of KIND_WORDS) {
    const src = re.source.split("|").map((s) => s.replace(/\\b/g, ""));
    if (src.some((w) => new RegExp(`\\b(khong phai|chu khong phai|khong la|sai) (la )?${w}\\b`).test(f)))
      negated.add(k);
  }
  const named = kindsNamed(text).filter((k) => !negated.has(k));
  if (named.length === 1) return named[0];
  const n = /\b(?:so|muc|chon) ([1-3])\b/.exec(f);
  if (n) {
    const k = printed[Number(n[1]) - 1];
    if (k && !negated.has(k)) return k;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Questions

const QUESTION_OPENERS =
  /^(cho (toi|em|minh|chau|con|tui|anh|chi|hoi)|xin hoi|hoi |cho hoi|toi muon hoi|em muon hoi|minh muon hoi|muon hoi|lam sao|lam the nao|o dau|bao lau|khi nao|vi sao|tai sao)/;
const QUESTION_WORDS = [
  "duoc khong",
  "co duoc khong",
  "khong a",
  "duoc khong a",
  "the nao",
  "nhu the nao",
  "lam sao",
  "o dau",
  "bao lau",
  "bao nhieu",
  "khi nao",
  "co phai",
  "phai khong",
  "gi khong",
  "chua a",
  "can gi",
  "can nhung gi",
  "giay to gi",
  "thu tuc gi",
  "ai giai quyet",
];

/** Does the text ask something (rather than answer or report)? */
export function isQuestion(text: string): boolean {
  const f = fold(text);
  if (/\?/.test(f)) return true;
  if (/^cho (toi|em|minh|chau|con|tui|anh|chi) hoi\b|^(xin|cho) hoi\b|^hoi\b|muon hoi\b/.test(f)) return true;
  return QUESTION_WORDS.some((w) => f.endsWith(` ${w}`) || f === w || has(f, `${w} a`));
}

/** An information request rather than a problem to report: a question without a grievance in it. */
export function isInformationQuestion(text: string): boolean {
  const f = fold(text);
  if (!isQuestion(text)) return false;
  if (
    /^(cho (toi|em|minh|chau|con|tui|anh|chi) hoi|xin hoi|cho hoi|toi muon hoi|em muon hoi|minh muon hoi)\b/.test(
      f,
    )
  )
    return !/\b(sao (chua|khong)|bao gio moi)\b/.test(f);
  if (hasProblemCue(f)) return false;
  return QUESTION_OPENERS.test(f) || QUESTION_WORDS.some((w) => has(f, w)) || f.includes("?");
}

const PROBLEM_CUES = [
  "hu hong",
  "hu",
  "hong",
  "ngap",
  "o nhiem",
  "boc mui",
  "hoi thoi",
  "lan chiem",
  "trai phep",
  "khong ai",
  "sao chua",
  "sao khong",
  "bao gio moi",
  "toi bao nhieu lan",
  "keo dai",
  "nhung nhieu",
  "doi tien",
  "an tien",
  "chua duoc",
  "khong duoc giai quyet",
  "bi thu hoi",
  "bi phat",
  "tai nan",
  "nguy hiem",
  "ma tuy",
  "trom",
  "danh nhau",
  "on ao",
  "xa rac",
  "do rac",
  "mat dien",
];

export function hasProblemCue(folded: string): boolean {
  return hasAny(folded, PROBLEM_CUES);
}

/** "ẩn danh", "an danh nha", "ko mun de ten", "giấu tên": the wish not to give one's name. */
export function wantsAnonymity(text: string): boolean {
  const f = fold(text);
  return (
    /\ban danh\b|\bnac danh\b|\bgiau ten\b|\bdau ten\b/.test(f) ||
    /\bkhong (muon |can )?(de|ghi|cho|noi|neu|khai) ten\b/.test(f) ||
    /\bkhong muon (de lo|lo) (danh tinh|thong tin|ten)\b/.test(f)
  );
}

/** "không ẩn danh", "có, để tên tôi", "ghi tên": the citizen accepts to give their name. */
export function declinesAnonymity(text: string): boolean {
  const f = fold(text);
  return (
    /\bkhong an danh\b|\b(de|ghi|cho|neu) ten\b|\bcong khai\b/.test(f) &&
    !/\bkhong (muon |can )?(de|ghi|cho|neu) ten\b/.test(f)
  );
}

// ---------------------------------------------------------------------------------------------
// The sender's identity

export interface IdentityParts {
  name?: string;
  address?: string;
  phone?: string;
  email?: string;
}

const PHONE = /(?:\+?84|0)(?:[\s.-]?\d){8,10}/;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const NAME_PREFIX =
  /^(?:(?:da|vang|da vang|xin chao)[,\s]+)?(?:(?:toi|em|minh|chau|con|tui|anh|chi)\s+)?(?:(?:ten|ho ten|ho va ten)\s+(?:toi|em|minh|chau|con|tui|anh|chi)?\s*(?:la|:)?\s*|la\s+|ten\s+)/;
/** Words and phrases of a sentence, never of a personal name (folded). */
const NOT_NAME_WORDS = new Set(
  "khong duoc muon gui hoi sao gi toi phai roi chua biet nhe vay ok sai neu".split(" "),
);
const NOT_NAME_PHRASES = [
  "to cao",
  "khieu nai",
  "phan anh",
  "kien nghi",
  "an danh",
  "quyet dinh",
  "uy ban",
  "can bo",
  "cong an",
  "dia chi",
  "so dien thoai",
  "la ai",
];

/** A message that gives the sender's identity (a phone number, or it opens with a name). */
export function looksLikeIdentity(text: string): boolean {
  if (PHONE.test(text) || EMAIL.test(text)) return true;
  const p = parseIdentity(text);
  return Boolean(p.name) && text.split(/\s+/).length <= 8;
}

/** The words of a personal name: 2–6 words of letters, none of them a function word. */
export function looksLikeName(text: string): boolean {
  const words = text.trim().split(/\s+/);
  if (words.length < 2 || words.length > 6) return false;
  if (!words.every((w) => /^\p{L}+$/u.test(w))) return false;
  // Without teencode: "Hồng" is a name, not "hong" (= không).
  const f = stripDiacritics(text.normalize("NFC").toLowerCase()).replace(/\s+/g, " ").trim();
  if (f.split(" ").some((w) => NOT_NAME_WORDS.has(w))) return false;
  if (/^(thon|duong|kiet|hem|xa|phuong|khu|ap|khoi|quan|huyen|thanh pho|o|tai)\b/.test(f)) return false;
  return !hasAny(f, NOT_NAME_PHRASES);
}

/**
 * "Nguyễn Văn An, 12 Lê Lợi, phường Hải Châu, 0905123456" → name, address, phone. The name is
 * the first part before a comma (or before the phone/address words); "tôi là …", "tên em là …"
 * are dropped.
 */
export function parseIdentity(text: string): IdentityParts {
  const out: IdentityParts = {};
  let rest = text.normalize("NFC").trim();
  const phone = PHONE.exec(rest);
  if (phone) {
    out.phone = phone[0].replace(/[\s.-]/g, "");
    rest = rest.replace(phone[0], " ");
  }
  const email = EMAIL.exec(rest);
  if (email) {
    out.email = email[0];
    rest = rest.replace(email[0], " ");
  }
  rest = rest
    .replace(
      /\b(?:sđt|sdt|số điện thoại|so dien thoai|đt|dt|điện thoại|dien thoai|email|e-mail)\s*:?\s*/giu,
      " ",
    )
    .replace(/\s+/g, " ")
    .replace(/^[\s,;.-]+|[\s,;.-]+$/g, "");
  // Drop "tôi là", "tên tôi là", "em tên": compare on the folded text, cut the same number of words.
  const f = fold(rest);
  const prefix = NAME_PREFIX.exec(f);
  if (prefix) {
    const n = prefix[0].trim().split(" ").filter(Boolean).length;
    rest = rest.split(/\s+/).slice(n).join(" ");
  }
  const pieces = rest
    .split(/\s*[,;\n]\s*|\s+-\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!pieces.length) return out;
  // "Nguyễn Văn An ở 12 Lê Lợi" / "Nguyễn Văn An địa chỉ 12 Lê Lợi"
  const first = pieces[0]!;
  const at =
    /\s+(?:ở|o|tại|tai|địa chỉ|dia chi|đc|nhà ở|nha o|thôn|thon|tổ|to|số|so|kiệt|kiet|hẻm|hem)\s+/iu.exec(
      first,
    );
  let name = first;
  const addressParts = pieces.slice(1);
  if (at && at.index > 0) {
    name = first.slice(0, at.index);
    const tail = first.slice(at.index).trim();
    addressParts.unshift(tail.replace(/^(?:ở|o|tại|tai|địa chỉ|dia chi|đc|nhà ở|nha o)\s+/iu, ""));
  }
  name = name.replace(/^(?:họ tên|ho ten|tên|ten)\s*:?\s*/iu, "").trim();
  if (looksLikeName(name)) out.name = name;
  else if (name) addressParts.unshift(name);
  const address = addressParts
    .join(", ")
    .replace(/^(?:địa chỉ|dia chi)\s*:?\s*/iu, "")
    .trim();
  if (address && /[\p{L}\p{N}]/u.test(address) && address.split(/\s+/).length >= 2) out.address = address;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dates

/** A date the citizen gave ("12/3/2026", "ngày 5 tháng 10", "hôm qua", "2 tháng trước"), in Việt Nam. */
export function parseDate(text: string, now: Date): Date | undefined {
  const f = fold(text);
  const today = new Date(now.getTime() + 7 * 3600_000);
  const y0 = today.getUTCFullYear();
  const make = (d: number, m: number, y: number) => {
    if (y < 100) y += 2000;
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1990 || y > y0 + 1) return undefined;
    const r = new Date(Date.UTC(y, m - 1, d, 5));
    return r.getUTCMonth() === m - 1 ? r : undefined;
  };
  let m = /\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2,4})\b/.exec(f);
  if (m) return make(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /\bngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{2,4}))?\b/.exec(f);
  if (m) return make(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : y0);
  m = /\b(\d{1,2})\s*\/\s*(\d{1,2})\b/.exec(f);
  if (m) {
    const d = make(Number(m[1]), Number(m[2]), y0);
    // "5/11" said in December means last November; a date in the future means last year.
    if (d && d.getTime() > now.getTime()) return make(Number(m[1]), Number(m[2]), y0 - 1);
    return d;
  }
  m = /\bthang (\d{1,2})(?: nam | \/ ?|\/)(\d{4})\b/.exec(f) ?? /\bthang (\d{1,2}) (\d{4})\b/.exec(f);
  if (m) return make(1, Number(m[1]), Number(m[2]));
  const day = 86_400_000;
  if (/\bhom nay\b|\bsang nay\b|\bchieu nay\b/.test(f)) return now;
  if (/\bhom qua\b/.test(f)) return new Date(now.getTime() - day);
  if (/\bhom kia\b/.test(f)) return new Date(now.getTime() - 2 * day);
  m =
    /\b(\d{1,3}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|may) (ngay|tuan|thang|nam) (truoc|nay|roi|qua)\b/.exec(
      f,
    );
  if (m) {
    const words: Record<string, number> = {
      mot: 1,
      hai: 2,
      ba: 3,
      bon: 4,
      nam: 5,
      sau: 6,
      bay: 7,
      tam: 8,
      chin: 9,
      muoi: 10,
      may: 3,
    };
    const n = Number(m[1]) || words[m[1]!] || 1;
    const unit = { ngay: 1, tuan: 7, thang: 30, nam: 365 }[m[2] as "ngay"];
    return new Date(now.getTime() - n * unit * day);
  }
  if (/\btuan truoc\b/.test(f)) return new Date(now.getTime() - 7 * day);
  if (/\bthang truoc\b/.test(f)) return new Date(now.getTime() - 30 * day);
  if (/\bnam ngoai\b|\bnam truoc\b|\bnam roi\b/.test(f)) return new Date(now.getTime() - 365 * day);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Several matters in one letter

/**
 * The separate matters of a letter that lists them ("1. … 2. … 3. …", "thứ nhất … thứ hai …",
 * bullet lines). Fewer than two parts: an empty list.
 */
export function splitMatters(text: string): string[] {
  const t = text.replace(/\r/g, "");
  const markers =
    /(?<![\p{L}\p{N}/.,])(?:(?:\d{1,2})\s*[.):](?!\d)|[-•*+]\s|(?:thứ|thu)\s+(?:nhất|nhat|hai|ba|tư|tu|năm|nam)\s*[,:.]?|(?:việc|viec|vấn đề|van de|ý|y)\s+(?:thứ|thu)\s+(?:nhất|nhat|hai|ba|tư|tu)\s*[,:.]?)\s*/giu;
  let expected = 1;
  const found: { at: number; body: number }[] = [];
  for (const m of t.matchAll(markers)) {
    const num = /^(\d{1,2})/.exec(m[0]);
    if (num) {
      if (Number(num[1]) !== expected) continue;
      expected++;
    }
    found.push({ at: m.index!, body: m.index! + m[0].length });
  }
  if (found.length < 2) return [];
  const intro = t.slice(0, found[0]!.at).trim();
  const parts: string[] = [];
  for (let i = 0; i < found.length; i++) {
    const end = i + 1 < found.length ? found[i + 1]!.at : t.length;
    const body = t
      .slice(found[i]!.body, end)
      .trim()
      .replace(/[;,.]\s*$/, "");
    if (body.length >= 15) parts.push(body);
  }
  if (parts.length < 2) return [];
  return intro && intro.length >= 10 ? parts.map((p) => `${p} (${intro.replace(/[:.]\s*$/, "")})`) : parts;
}
