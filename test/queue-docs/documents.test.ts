import ExcelJS from "exceljs";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { documentToDocx } from "../../src/documents/docx.ts";
import {
  blanksLeft,
  type DocumentCase,
  documentText,
  KNOWN_FIELDS,
  loadTemplates,
  renderDocument,
  templatesFor,
} from "../../src/documents/render.ts";
import { buildTemplates, loadCannedSeed, rawTemplates } from "../../src/documents/templates.ts";
import { petitionColumns, type RegisterCase, table } from "../../src/registers/columns.ts";
import { toCsv, toXlsx } from "../../src/registers/export.ts";

const now = new Date("2026-12-04T03:00:00Z");
const ctx = {
  now,
  provinceName: "thành phố Đà Nẵng",
  placeOfIssue: "Đà Nẵng",
  officialName: "Trần Thị Bình",
  settlementDays: 30,
};

function kn(over: Partial<DocumentCase> = {}): DocumentCase {
  return {
    code: "HK7R-2MQ9X",
    kind: "khieu_nai",
    description: "Tôi khiếu nại quyết định thu hồi đất số 12/QĐ-UBND vì bồi thường thấp.",
    subject: "Quyết định số 12/QĐ-UBND ngày 01/10/2026 về thu hồi đất",
    senderName: "Nguyễn Văn An",
    senderContact: "Địa chỉ: 12 Lê Lợi, phường Hải Châu",
    anonymous: false,
    identityVisible: true,
    receivedAt: new Date("2026-11-23T03:00:00Z"),
    acceptedAt: new Date("2026-11-25T03:00:00Z"),
    dueAt: new Date("2026-12-25T16:59:59.999Z"),
    remote: false,
    complex: false,
    channel: "walk_in",
    agencyName: "Ủy ban nhân dân phường Hải Châu",
    agencyLevel: "commune",
    agencyIsPeoplesCommittee: true,
    placeName: "phường Hải Châu",
    topicName: "Đất đai",
    ...over,
  };
}

describe("legal document templates", () => {
  it("load, validate, and cover each form the issue names for khiếu nại and tố cáo", () => {
    const t = loadTemplates();
    const ids = t.templates.map((x) => x.id);
    for (const id of [
      "kn-thu-ly",
      "kn-khong-thu-ly",
      "kn-quyet-dinh",
      "tc-thu-ly",
      "tc-khong-thu-ly",
      "tc-ket-luan",
      "chuyen-don",
      "huong-dan",
    ])
      expect(ids).toContain(id);
    expect(templatesFor("to_cao").map((x) => x.id)).not.toContain("chuyen-don");
    expect(templatesFor("to_cao").map((x) => x.id)).toContain("chuyen-don-to-cao");
    expect(loadCannedSeed().length).toBeGreaterThan(3);
  });

  it("refuse a template with a field nobody fills", () => {
    const raw = structuredClone(rawTemplates) as { templates: { body: string[] }[] };
    raw.templates[0]!.body.push("{{khong_co}}");
    expect(() => buildTemplates(raw, KNOWN_FIELDS)).toThrow(/unknown field \{\{khong_co\}\}/);
  });

  it("fill a notice of acceptance with the case's fields, in Vietnamese", () => {
    const tpl = loadTemplates().templates.find((x) => x.id === "kn-thu-ly")!;
    const d = renderDocument(tpl, kn(), ctx);
    expect(d.docType).toBe("THÔNG BÁO");
    expect(d.subject).toBe("Về việc thụ lý giải quyết khiếu nại");
    expect(d.dateLine).toBe("Đà Nẵng, ngày 04 tháng 12 năm 2026");
    expect(d.parentBody).toBe("");
    expect(d.issuingBody).toBe("ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU");
    expect(d.body).toContain(
      "Ngày 23/11/2026, Ủy ban nhân dân phường Hải Châu nhận được đơn khiếu nại của ông/bà Nguyễn Văn An",
    );
    expect(d.body).toContain("(mã hồ sơ HK7R-2MQ9X)");
    expect(d.body).toContain("từ ngày 25/11/2026");
    expect(d.body).toContain("30 ngày kể từ ngày thụ lý");
    expect(d.body).toContain("đến hết ngày 25/12/2026");
    expect(blanksLeft(d.body)).toEqual([]);
    expect(d.body).toBe(d.body.normalize("NFC"));
  });

  it("leave «blanks» for what only the official knows, and fill them from the form", () => {
    const tpl = loadTemplates().templates.find((x) => x.id === "kn-quyet-dinh")!;
    const d = renderDocument(tpl, kn(), ctx);
    expect(blanksLeft(d.body)).toEqual([
      "kết quả xác minh",
      "kết luận",
      "nội dung quyết định",
      "người có thẩm quyền giải quyết khiếu nại lần hai",
    ]);
    // The right to complain again or to sue, and its time limits, are in every decision.
    expect(d.body).toContain("30 ngày (45 ngày đối với vùng sâu, vùng xa đi lại khó khăn)");
    expect(d.body).toContain("khởi kiện vụ án hành chính tại Tòa án trong thời hiệu 01 năm");
    const filled = renderDocument(tpl, kn({ remote: true }), {
      ...ctx,
      inputs: {
        nguoi_co_tham_quyen_lan_hai: "Chủ tịch Ủy ban nhân dân thành phố Đà Nẵng",
        ket_luan: "Khiếu nại đúng một phần.",
      },
    });
    expect(filled.body).toContain("Trong thời hạn 45 ngày kể từ ngày nhận được");
    expect(filled.body).toContain("khiếu nại đến Chủ tịch Ủy ban nhân dân thành phố Đà Nẵng");
    expect(blanksLeft(filled.body)).toEqual(["kết quả xác minh", "nội dung quyết định"]);
  });

  it("never name a denouncer or a hidden sender", () => {
    for (const tpl of templatesFor("to_cao")) {
      const d = renderDocument(tpl, kn({ kind: "to_cao", identityVisible: false }), ctx);
      const all = [d.subject, d.recipient, d.body, ...d.recipients].join("\n");
      expect(all).not.toContain("Nguyễn Văn An");
      expect(all).not.toContain("Lê Lợi");
    }
    const d = renderDocument(templatesFor("pakn")[0]!, kn({ kind: "pakn", anonymous: true }), ctx);
    expect(d.body).not.toContain("Nguyễn Văn An");
  });

  it("give the citizen the document as plain text", () => {
    const tpl = loadTemplates().templates.find((x) => x.id === "kn-thu-ly")!;
    const text = documentText(renderDocument(tpl, kn(), ctx));
    expect(text.split("\n").slice(0, 2)).toEqual(["THÔNG BÁO", "Về việc thụ lý giải quyết khiếu nại"]);
  });
});

describe("the DOCX file", () => {
  it("is a Word document with the national title, the case's fields, and markup kept as text", async () => {
    const tpl = loadTemplates().templates.find((x) => x.id === "kn-khong-thu-ly")!;
    const d = renderDocument(tpl, kn({ subject: "<script>alert(1)</script> & 'x'" }), {
      ...ctx,
      inputs: { ly_do: "Đã hết thời hiệu khiếu nại" },
    });
    const buf = await documentToDocx(d);
    expect(buf.subarray(0, 2).toString()).toBe("PK");
    const zip = await JSZip.loadAsync(buf);
    const xml = await zip.file("word/document.xml")!.async("string");
    expect(xml).toContain("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    expect(xml).toContain("Độc lập - Tự do - Hạnh phúc");
    expect(xml).toContain("ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU");
    expect(xml).toContain("Về việc không thụ lý giải quyết khiếu nại");
    expect(xml).toContain("Đã hết thời hiệu khiếu nại");
    expect(xml).toContain("Times New Roman");
    expect(xml).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp;");
    expect(xml).not.toContain("<script>");
  });
});

describe("exports", () => {
  const row: RegisterCase = {
    id: "x",
    code: "HK7R-2MQ9X",
    kind: "pakn",
    status: "routed",
    channel: "post",
    receivedAt: new Date("2026-11-23T03:00:00Z"),
    description: '=HYPERLINK("http://evil","bấm") đường "Nguyễn Văn Linh", hư hỏng',
    subject: null,
    sender: "Lê Thị Hoa",
    senderContact: "Điện thoại: 0905 123 456",
    topicName: "Giao thông, hạ tầng",
    placeName: "phường Hải Châu",
    agencyName: "Ủy ban nhân dân phường Hải Châu",
    acceptedAt: null,
    dueAt: new Date("2026-12-07T16:59:59.999Z"),
    closedAt: null,
    publicAnswer: null,
    transfers: [],
    rejectReason: null,
  };

  it("CSV: UTF-8 with a BOM, CRLF, quoted cells, formulas made inert", () => {
    const t = table(petitionColumns, [row]);
    const csv = toCsv(t.headers, t.rows);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[0]).toBe(
      'STT,Ngày nhận đơn,Mã hồ sơ,"Họ tên, địa chỉ người gửi đơn",Nội dung đơn,Phân loại đơn,Nguồn đơn,Địa bàn,Cơ quan có thẩm quyền,Hướng xử lý,Hạn giải quyết,Kết quả giải quyết,Ngày kết thúc',
    );
    expect(lines[1]).toContain('"\'=HYPERLINK(""http://evil"",""bấm"") đường ""Nguyễn Văn Linh"", hư hỏng"');
    expect(lines[1]).toContain("Qua bưu chính");
    expect(Buffer.from(csv, "utf8").subarray(0, 3).toString("hex")).toBe("efbbbf");
  });

  it("XLSX: readable back with the Vietnamese intact and text never a formula", async () => {
    const t = table(petitionColumns, [row]);
    const buf = await toXlsx("Sổ xử lý đơn", "SỔ XỬ LÝ ĐƠN", petitionColumns, t.rows);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as never);
    const ws = wb.getWorksheet("Sổ xử lý đơn")!;
    expect(ws.getCell("A1").value).toBe("SỔ XỬ LÝ ĐƠN");
    expect(ws.getRow(2).getCell(2).value).toBe("Ngày nhận đơn");
    expect(ws.getRow(3).getCell(3).value).toBe("HK7R-2MQ9X");
    expect(ws.getRow(3).getCell(5).value).toBe(row.description);
    expect(ws.getRow(3).getCell(5).type).toBe(ExcelJS.ValueType.String);
  });
});
