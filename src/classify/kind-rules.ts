/**
 * Wording cues for the kind of a petition (phản ánh/kiến nghị, khiếu nại, tố cáo), matched on the
 * diacritic-free syllables so they work for text typed without diacritics. Each rule is an input
 * feature of the trained kind head; the two explicit words ("khiếu nại", "tố cáo") also add a fixed
 * prior to their kind, because a citizen who names the procedure almost always means it.
 */
import type { Token } from "./normalize.ts";

export const KINDS = ["pakn", "khieu_nai", "to_cao"] as const;
export type Kind = (typeof KINDS)[number];

interface Rule {
  name: string;
  kind: Kind;
  /** Diacritic-free syllable sequences; any one matching fires the rule. */
  phrases: readonly string[];
}

export const KIND_RULES: readonly Rule[] = [
  { name: "says_khieu_nai", kind: "khieu_nai", phrases: ["khieu nai", "don khieu", "khieu kien"] },
  {
    name: "cites_decision",
    kind: "khieu_nai",
    phrases: [
      "quyet dinh so",
      "quyet dinh thu hoi",
      "quyet dinh hanh chinh",
      "quyet dinh xu phat",
      "quyet dinh cuong che",
      "quyet dinh phe duyet",
      "quyet dinh ky luat",
      "theo quyet dinh",
    ],
  },
  {
    name: "contests_decision",
    kind: "khieu_nai",
    phrases: [
      "khong dong y voi",
      "khong dong y",
      "huy quyet dinh",
      "xem xet lai",
      "giai quyet lai",
      "khong thoa dang",
      "khong dung quy dinh",
      "trai quy dinh",
      "quyen loi hop phap",
      "quyen va loi ich hop phap",
      "bi thiet thoi",
      "khong cong bang",
    ],
  },
  { name: "says_to_cao", kind: "to_cao", phrases: ["to cao", "don to", "to giac"] },
  {
    name: "bribery",
    kind: "to_cao",
    phrases: [
      "nhan tien",
      "nhan hoi lo",
      "hoi lo",
      "dua tien",
      "phong bi",
      "boi duong",
      "tien boi duong",
      "tien ca phe",
      "chi ngoai",
      "tien ngoai",
      "bao ke",
      "an chan",
      "an hoi lo",
    ],
  },
  {
    name: "abuse_of_office",
    kind: "to_cao",
    phrases: [
      "tham nhung",
      "tham o",
      "lam dung chuc vu",
      "loi dung chuc vu",
      "lam dung quyen han",
      "loi dung quyen han",
      "chiem doat",
      "bao che",
      "tiep tay",
      "sai pham",
      "vi pham phap luat",
      "gia mao",
      "bu khong",
      "rut ruot",
      "khai khong",
      "danh tinh",
      "giu bi mat",
    ],
  },
  {
    name: "names_official",
    kind: "to_cao",
    phrases: [
      "chu tich xa",
      "chu tich phuong",
      "chu tich ubnd",
      "chu tich uy ban",
      "pho chu tich",
      "can bo dia chinh",
      "truong cong an",
      "cong an xa",
      "bi thu",
      "truong phong",
      "truong thon",
      "hieu truong",
      "giam doc",
      "can bo tu phap",
    ],
  },
  {
    name: "asks_or_suggests",
    kind: "pakn",
    phrases: [
      "phan anh",
      "kien nghi",
      "de nghi",
      "de xuat",
      "gop y",
      "mong",
      "xin hoi",
      "lam on",
      "khac phuc",
    ],
  },
];

export const RULE_NAMES: readonly string[] = [...KIND_RULES.map((r) => r.name), "names_person"];

/** Fixed prior (added to the kind logits) when the citizen names the procedure. */
export const EXPLICIT_PRIOR: Readonly<Record<string, Kind>> = {
  says_khieu_nai: "khieu_nai",
  says_to_cao: "to_cao",
};

// "ông Nguyễn Văn A", "bà Trần Thị B", "anh Lê C" — a person named with a capitalised name.
const PERSON =
  /(?:^|[^\p{L}])(?:ông|bà|ong|ba|anh|chị|chi|đồng chí|dong chi)\s+(?:\p{Lu}[\p{L}]*)(?:\s+\p{Lu}[\p{L}]*)*/u;

/** Rule indicator vector (1 when the rule fires), in the order of RULE_NAMES. */
export function kindRuleVector(text: string, tokens: readonly Token[]): Float32Array {
  const joined = ` ${tokens.map((t) => t.plain).join(" ")} `;
  const out = new Float32Array(RULE_NAMES.length);
  KIND_RULES.forEach((r, i) => {
    if (r.phrases.some((p) => joined.includes(` ${p} `))) out[i] = 1;
  });
  if (PERSON.test(text.normalize("NFC"))) out[RULE_NAMES.length - 1] = 1;
  return out;
}
