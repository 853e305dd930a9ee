import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildReferenceData, DataError, loadReferenceData } from "../../src/data/index.ts";
import { route } from "../../src/routing/router.ts";

const read = (f: string) => JSON.parse(readFileSync(`data/${f}`, "utf8"));
const raw = () => ({
  topics: read("topics.json"),
  places: read("places.json"),
  agencies: read("agencies.json"),
  routing: read("routing-rules.json"),
  holidays: read("holidays.json"),
  deadlines: read("deadlines.json"),
});

describe("reference data in data/", () => {
  it("loads: 15 topics, the 94 communes of Đà Nẵng, an agency for each, rules ending in a catch-all", () => {
    const d = loadReferenceData();
    expect(d.topics.map((t) => t.id)).toHaveLength(15);
    expect(d.communes).toHaveLength(94);
    expect(d.communes.filter((c) => c.type === "phuong")).toHaveLength(23);
    expect(d.communes.filter((c) => c.type === "xa")).toHaveLength(70);
    expect(d.communes.filter((c) => c.type === "dac_khu")).toHaveLength(1);
    expect(d.rules.at(-1)).toMatchObject({ scope: "any", agency: "van-phong-ubnd" });
  });

  it("refuses data with a broken reference, naming the file and the problem", () => {
    const bad = raw();
    bad.routing.rules[0].agency = "so-khong-co";
    expect(() => buildReferenceData(bad)).toThrow(/routing rule #1: unknown agency so-khong-co/);
  });

  it("refuses data of the wrong shape or not NFC-normalised", () => {
    const bad = raw();
    bad.topics.topics[0].name = "Đất đai".normalize("NFD");
    expect(() => buildReferenceData(bad)).toThrow(DataError);
    const bad2 = raw();
    bad2.holidays.holidays.push({ date: "26/11/2026", name: "x" });
    expect(() => buildReferenceData(bad2)).toThrow(/holidays.json is invalid/);
  });

  it("refuses topics that lack one of the classifier's labels", () => {
    const bad = raw();
    bad.topics.topics = bad.topics.topics.filter((t: { id: string }) => t.id !== "education");
    expect(() => buildReferenceData(bad)).toThrow(/lacks topic "education"/);
  });
});

describe("routing: topic × place × kind → agency, explained", () => {
  const d = loadReferenceData();
  it("sends a local matter to the commune People's Committee", () => {
    const r = route({ topicId: "transport_infrastructure", kind: "pakn", placeId: "hoa-vang" }, d);
    expect(r.agencyId).toBe("ubnd-hoa-vang");
    expect(r.explanation).toBe(
      "Chuyển đến Ủy ban nhân dân xã Hòa Vang vì chủ đề = Giao thông và hạ tầng, địa bàn = xã Hòa Vang, loại = Phản ánh, kiến nghị (quy tắc #5: Việc tại địa phương → UBND xã/phường nơi xảy ra)",
    );
  });
  it("sends a city-wide matter to the department", () => {
    expect(route({ topicId: "land", kind: "pakn" }, d).agencyId).toBe("so-nong-nghiep-va-moi-truong");
    expect(route({ topicId: "education", kind: "pakn", placeId: null }, d).agencyId).toBe(
      "so-giao-duc-va-dao-tao",
    );
  });
  it("sends denunciations of officials to Thanh tra, complaints about commune officials to the commune", () => {
    expect(route({ topicId: "officials_conduct", kind: "to_cao", placeId: "hai-chau" }, d).agencyId).toBe(
      "thanh-tra-thanh-pho",
    );
    expect(route({ topicId: "officials_conduct", kind: "khieu_nai", placeId: "hai-chau" }, d).agencyId).toBe(
      "ubnd-hai-chau",
    );
    expect(route({ topicId: "officials_conduct", kind: "khieu_nai" }, d).ruleId).toBe(3);
  });
  it("sends security matters to the commune police (the city police when the place is unknown), and the rest to the city office", () => {
    expect(route({ topicId: "security_order", kind: "pakn", placeId: "hai-chau" }, d).agencyId).toBe(
      "cong-an-hai-chau",
    );
    expect(route({ topicId: "security_order", kind: "pakn" }, d).agencyId).toBe("cong-an-thanh-pho");
    expect(route({ topicId: "other", kind: "pakn" }, d)).toMatchObject({
      agencyId: "van-phong-ubnd",
      ruleId: 15,
    });
    expect(route({ topicId: "other", kind: "khieu_nai" }, d)).toMatchObject({
      agencyId: "thanh-tra-thanh-pho",
      ruleId: 14,
    });
  });
});
