/** Issue 9: routing by competence, the new bodies, and rules on keywords and places. */
import { describe, expect, it } from "vitest";
import { loadReferenceData } from "../../src/data/index.ts";
import { issuerAgency, managingBody, officialLevel } from "../../src/intake/competence.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import { route } from "../../src/routing/router.ts";

const d = loadReferenceData();
const places = new PlaceIndex(d.communes);

describe("the bodies added in round 2", () => {
  it("every commune has its police besides its People's Committee; the new city bodies exist", () => {
    for (const c of d.communes) {
      expect(
        d.agencies.some((a) => a.communeId === c.id && a.kind === "commune_committee"),
        c.id,
      ).toBe(true);
      expect(
        d.agencies.some((a) => a.communeId === c.id && a.kind === "commune_police"),
        c.id,
      ).toBe(true);
    }
    for (const id of ["ban-tiep-cong-dan", "bhxh-thanh-pho", "dien-luc-da-nang", "dien-luc-quang-nam"])
      expect(d.agencyById.has(id), id).toBe(true);
    expect(d.agencyById.get("cong-an-hoang-sa")?.name).toBe("Công an đặc khu Hoàng Sa");
  });
});

describe("rules with keywords and places", () => {
  it("sends electricity to the power company of the area, BHXH to social insurance", () => {
    const r = (text: string, placeId: string | null) =>
      route({ topicId: "transport_infrastructure", kind: "pakn", placeId, text }, d).agencyId;
    expect(r("Mất điện cả ngày ở tổ 5", "hoa-tien")).toBe("dien-luc-da-nang");
    expect(r("cup dien lien tuc", "dien-ban-dong")).toBe("dien-luc-quang-nam");
    expect(r("Mất điện toàn khu", null)).toBe("so-cong-thuong");
    expect(r("Đèn đường hỏng", "hoa-tien")).toBe("ubnd-hoa-tien");
    expect(
      route({ topicId: "social_policy", kind: "pakn", placeId: "hai-chau", text: "công ty nợ BHXH" }, d)
        .agencyId,
    ).toBe("bhxh-thanh-pho");
    // A khiếu nại about electricity is not a PAKN: the keyword rules do not take it.
    expect(
      route(
        { topicId: "transport_infrastructure", kind: "khieu_nai", placeId: "hoa-tien", text: "mất điện" },
        d,
      ).agencyId,
    ).toBe("ubnd-hoa-tien");
  });
  it("takes the competent body the dialogue established over the rules, and says why", () => {
    const r = route(
      {
        topicId: "land",
        kind: "khieu_nai",
        placeId: "hai-chau",
        competent: { agencyId: "so-xay-dung", reason: "quyết định của Sở Xây dựng" },
      },
      d,
    );
    expect(r.agencyId).toBe("so-xay-dung");
    expect(r.explanation).toContain("theo thẩm quyền: quyết định của Sở Xây dựng");
  });
});

describe("who is competent", () => {
  it("a khiếu nại goes to the issuer of the decision", () => {
    const id = (t: string, p?: string) => issuerAgency(t, d, places, p)?.agencyId;
    expect(id("Quyết định 85/QĐ-XPHC của Sở Xây dựng")).toBe("so-xay-dung");
    expect(id("thông báo của Sở Tài nguyên và Môi trường")).toBe("so-nong-nghiep-va-moi-truong");
    expect(id("QĐ 12/QĐ-UBND của Chủ tịch UBND phường An Khê")).toBe("ubnd-an-khe");
    expect(id("quyet dinh cua ubnd thanh pho da nang")).toBe("ban-tiep-cong-dan");
    expect(id("Công an phường Sơn Trà")).toBe("cong-an-son-tra");
    expect(id("cán bộ địa chính xã", "hoa-vang")).toBe("ubnd-hoa-vang");
    expect(id("ông hàng xóm")).toBeUndefined();
  });
  it("a tố cáo about an official goes to the body that manages that official", () => {
    expect(officialLevel("công chức địa chính xã Điện Bàn Bắc")).toBe("commune");
    expect(officialLevel("Chủ tịch UBND xã Tam Xuân")).toBe("city");
    expect(officialLevel("phó phòng Sở Tài chính")).toBe("city");
    expect(officialLevel("cảnh sát giao thông")).toBe("police");
    expect(officialLevel("cán bộ tiếp nhận hồ sơ")).toBe("official");
    expect(officialLevel("nhóm khai thác cát")).toBeUndefined();
    expect(officialLevel("làm giả hồ sơ đất")).toBeUndefined();
    expect(managingBody("commune", "công chức địa chính xã Điện Bàn Bắc", d, places)?.agencyId).toBe(
      "ubnd-dien-ban-bac",
    );
    expect(managingBody("commune", "cán bộ xã", d, places, "hoa-vang")?.agencyId).toBe("ubnd-hoa-vang");
    expect(managingBody("city", "phó phòng Sở Tài chính", d, places)?.agencyId).toBe("thanh-tra-thanh-pho");
    expect(managingBody("police", "CSGT", d, places)?.agencyId).toBe("cong-an-thanh-pho");
  });
});
