import { describe, expect, it } from "vitest";
import { loadReferenceData } from "../../src/data/index.ts";
import { PlaceIndex, type PlaceMatch } from "../../src/intake/places.ts";

const index = new PlaceIndex(loadReferenceData().communes);
const id = (m: PlaceMatch) => (m.kind === "unique" ? m.commune.id : m.kind);
const ids = (m: PlaceMatch) => (m.kind === "ambiguous" ? m.candidates.map((c) => c.id).sort() : []);

describe("finding the commune or ward a citizen means", () => {
  it("matches names with or without diacritics and prefixes", () => {
    for (const q of [
      "Hải Châu",
      "hai chau",
      "P. Hải Châu",
      "phường Hải Châu",
      "PHUONG HAI CHAU",
      "  hải  châu! ",
    ]) {
      expect(id(index.match(q)), q).toBe("hai-chau");
    }
    expect(id(index.match("xã Hòa Vang"))).toBe("hoa-vang");
    expect(id(index.match("Hoà Vang"))).toBe("hoa-vang");
  });

  it("forgives a typo", () => {
    expect(id(index.match("hai chaau"))).toBe("hai-chau");
    expect(id(index.match("Hoi Ann"))).toBe("hoi-an");
  });

  it("knows the units merged in 2025 and says where they went", () => {
    const m = index.match("Hòa Khánh Bắc");
    expect(id(m)).toBe("lien-chieu");
    expect(m.kind === "unique" && m.via).toBe("Hòa Khánh Bắc");
    expect(id(index.match("Vĩnh Điện"))).toBe("dien-ban");
  });

  it("asks when names collide once diacritics are gone", () => {
    expect(ids(index.match("tam thanh"))).toEqual(["duc-phu", "quang-phu", "tay-ho"]);
    expect(id(index.match("Tam Thạnh"))).toBe("duc-phu");
    expect(ids(index.match("thanh binh"))).toEqual(["hai-chau", "thanh-binh"]);
    expect(id(index.match("Thạnh Bình"))).toBe("thanh-binh");
    expect(ids(index.match("Phước Ninh"))).toEqual(["hai-chau", "que-phuoc"]);
  });

  it("finds a place named inside a longer text", () => {
    expect(id(index.findIn("Đường kiệt 45 Hoàng Diệu phường Hải Châu bị ngập mỗi khi mưa"))).toBe("hai-chau");
    expect(id(index.findIn("duong o xa hoa vang bi hu hong nang"))).toBe("hoa-vang");
    expect(id(index.match("tổ 3, phường Hội An Tây, TP Đà Nẵng"))).toBe("hoi-an-tay");
  });

  it("says so when nothing matches", () => {
    expect(index.match("Hà Nội").kind).toBe("none");
    expect(index.match("xyz").kind).toBe("none");
    expect(index.match("").kind).toBe("none");
    expect(index.findIn("cống bị tắc lâu ngày").kind).toBe("none");
  });
});
