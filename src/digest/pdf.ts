/**
 * The digest as a PDF (A4), made with pdfkit; charts are the same Vega SVGs drawn as vectors by
 * svg-to-pdfkit; text in Be Vietnam Pro (TTF from an npm package, every Vietnamese glyph).
 * No browser needed: runs under `npm start` and in the CLI.
 */
import PDFDocument from "pdfkit";
import SVGtoPDF from "svg-to-pdfkit";
import { digestStrings as S } from "../i18n/digest.ts";
import type { DigestCharts } from "./charts.ts";
import type { CaseRef, Digest, Trend } from "./figures.ts";
import { FONT_FILES } from "./fonts.ts";
import { periodLabel } from "./period.ts";
import type { Narrative } from "./summary.ts";

const INK = "#1b2a3a";
const MUTED = "#6b7785";
const LINE = "#dfe3e8";
const GOOD = "#2f8a4f";
const BAD = "#c8463d";
const ACCENT = "#1f5fa8";

const num = (n: number) => n.toLocaleString("vi-VN");
const pct = (x: number | null) => (x === null ? "—" : `${x.toLocaleString("vi-VN")}%`);
const date = (iso: string | null) => {
  if (!iso) return "—";
  const d = new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString();
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
};
const change = (t: Trend) =>
  t.changePct === null
    ? `kỳ trước ${num(t.previous)}`
    : `${t.changePct > 0 ? "+" : t.changePct < 0 ? "−" : "±"}${num(Math.abs(t.changePct))}% so với kỳ trước (${num(t.previous)})`;

export async function renderDigestPdf(
  report: { digest: Digest; narrative: Narrative },
  charts: DigestCharts,
): Promise<Buffer> {
  const d = report.digest;
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 40, bottom: 40, left: 42, right: 42 },
    info: { Title: `${S.title} — ${periodLabel(d.period)}`, Author: "Hộp thư dân", Subject: d.scope.name },
    bufferPages: true,
  });
  doc.registerFont("R", FONT_FILES.regular);
  doc.registerFont("SB", FONT_FILES.semibold);
  doc.registerFont("B", FONT_FILES.bold);
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const heading = (text: string) => {
    ensure(60);
    doc.moveDown(0.6);
    doc.font("B").fontSize(12.5).fillColor(INK).text(text, left, doc.y);
    doc
      .moveTo(left, doc.y + 1)
      .lineTo(left + width, doc.y + 1)
      .lineWidth(1.2)
      .strokeColor(INK)
      .stroke();
    doc.moveDown(0.4);
  };
  const table = (
    cols: Array<{ title: string; w: number; align?: "left" | "right" }>,
    rows: string[][],
    colors?: Array<Array<string | undefined>>,
  ) => {
    const total = cols.reduce((s, c) => s + c.w, 0);
    const ws = cols.map((c) => (c.w / total) * width);
    const drawRow = (cells: string[], font: string, color: string, rowColors?: Array<string | undefined>) => {
      doc.font(font).fontSize(8.5);
      const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: ws[i]! - 6 }))) + 5;
      ensure(h + 2);
      const y = doc.y;
      let x = left;
      cells.forEach((c, i) => {
        doc
          .fillColor(rowColors?.[i] ?? color)
          .text(c, x + 3, y + 2.5, { width: ws[i]! - 6, align: cols[i]!.align ?? "left" });
        x += ws[i]!;
      });
      doc
        .moveTo(left, y + h)
        .lineTo(left + width, y + h)
        .lineWidth(0.5)
        .strokeColor(LINE)
        .stroke();
      doc.y = y + h;
    };
    drawRow(
      cols.map((c) => c.title),
      "SB",
      MUTED,
    );
    for (const [i, r] of rows.entries()) drawRow(r, "R", INK, colors?.[i]);
    doc.x = left;
    doc.moveDown(0.3);
  };
  const chart = (svg: string | null, w: number) => {
    if (!svg) return;
    const m = /<svg[^>]*width="([\d.]+)"[^>]*height="([\d.]+)"/.exec(svg);
    const sw = Number(m?.[1] ?? 600);
    const sh = Number(m?.[2] ?? 300);
    const h = (w / sw) * sh;
    ensure(h + 6);
    // The root's own width/height would win over the box given here: leave the viewBox only.
    const boxed = svg.replace(/^<svg([^>]*?) width="[\d.]+" height="[\d.]+"/, "<svg$1");
    SVGtoPDF(doc, boxed, left, doc.y, {
      width: w,
      height: h,
      fontCallback: (_f, bold) => (bold ? "SB" : "R"),
    });
    doc.y += h + 6;
    doc.x = left;
  };
  const caseRows = (rows: CaseRef[], overdue: boolean) =>
    rows.map((c) => [
      c.code,
      `${c.kind} · ${c.topic}`,
      c.agency,
      c.place,
      date(c.receivedAt),
      `${overdue ? c.overdueDays : c.ageDays} ngày`,
    ]);
  const caseCols = (overdue: boolean) => [
    { title: "Mã hồ sơ", w: 13 },
    { title: "Loại · lĩnh vực", w: 22 },
    { title: "Cơ quan", w: 27 },
    { title: "Địa bàn", w: 15 },
    { title: "Ngày nhận", w: 11 },
    { title: overdue ? "Quá hạn" : "Tồn", w: 9, align: "right" as const },
  ];

  // Header.
  doc.rect(0, 0, doc.page.width, 6).fill(ACCENT);
  doc.font("B").fontSize(17).fillColor(INK).text(S.title, left, 34);
  doc
    .font("R")
    .fontSize(10)
    .fillColor(MUTED)
    .text(`${d.scope.name} · ${periodLabel(d.period)} · số liệu đến ${date(d.asOf)}`);
  doc.moveDown(0.8);

  // Key figures.
  const t = d.totals;
  const s = d.satisfaction;
  const cards: Array<[string, string, string, boolean]> = [
    [S.received, num(t.received.current), change(t.received), false],
    [S.answered, num(t.answered.current), change(t.answered), false],
    [S.closed, num(t.closed.current), change(t.closed), false],
    [
      S.onTime,
      pct(t.onTimeRate),
      `${num(t.handled)} đã giải quyết`,
      t.onTimeRate !== null && t.onTimeRate < 80,
    ],
    [S.overdue, num(t.overdueAtEnd), `/${num(t.openAtEnd)} đang mở`, t.overdueAtEnd > 0],
    [
      "Hài lòng",
      s.average === null ? "—" : `${s.average.toLocaleString("vi-VN")}/5`,
      `${num(s.rated)} đánh giá`,
      false,
    ],
  ];
  const cw = (width - 5 * 6) / 6;
  const cy = doc.y;
  cards.forEach(([label, value, sub, alert], i) => {
    const x = left + i * (cw + 6);
    doc
      .roundedRect(x, cy, cw, 58, 5)
      .lineWidth(0.8)
      .strokeColor(alert ? "#e8a8a1" : LINE)
      .stroke();
    doc
      .font("SB")
      .fontSize(7)
      .fillColor(MUTED)
      .text(label.toUpperCase(), x + 6, cy + 6, { width: cw - 12 });
    doc
      .font("B")
      .fontSize(16)
      .fillColor(alert ? BAD : INK)
      .text(value, x + 6, cy + 17, { width: cw - 12 });
    doc
      .font("R")
      .fontSize(6.5)
      .fillColor(MUTED)
      .text(sub, x + 6, cy + 39, { width: cw - 12 });
  });
  doc.y = cy + 68;
  doc.x = left;

  // Summary.
  const sumH =
    doc
      .font("R")
      .fontSize(10)
      .heightOfString(report.narrative.text, { width: width - 16 }) + 12;
  doc.rect(left, doc.y, 3, sumH).fill(ACCENT);
  doc.fillColor(INK).text(report.narrative.text, left + 10, doc.y + 6, { width: width - 16 });
  doc.y += 8;
  doc.x = left;

  heading(S.attention);
  if (!d.attention.length) doc.font("R").fontSize(9).fillColor(MUTED).text(S.none);
  d.attention.forEach((a, i) => {
    ensure(14);
    doc
      .font("SB")
      .fontSize(9)
      .fillColor(INK)
      .text(`${i + 1}. ${a.reason} — `, { continued: true });
    doc.font("R").text(`${a.code} · ${a.kind} · ${a.topic} · ${a.agency} · ${a.place}`);
  });

  heading("Xu hướng tiếp nhận");
  chart(charts.weekly, width);

  heading(S.onTimeByAgency);
  chart(charts.onTime, width);
  table(
    [
      { title: "Cơ quan", w: 46 },
      { title: "Đúng hạn", w: 11, align: "right" },
      { title: "Đúng/đã GQ", w: 12, align: "right" },
      { title: "Đang mở", w: 10, align: "right" },
      { title: "Quá hạn", w: 10, align: "right" },
      { title: "Chuyển đi", w: 11, align: "right" },
    ],
    d.onTime.map((a) => [
      a.name,
      pct(a.rate),
      `${a.onTime}/${a.handled}`,
      num(a.openAtEnd),
      num(a.overdueAtEnd),
      num(a.transferredOut),
    ]),
    d.onTime.map((a) => [
      undefined,
      a.rate === null ? undefined : a.rate >= 90 ? GOOD : a.rate < 70 ? BAD : undefined,
      undefined,
      undefined,
      a.overdueAtEnd ? BAD : undefined,
    ]),
  );

  heading(S.overdueList);
  if (d.overdue.length) table(caseCols(true), caseRows(d.overdue, true));
  else doc.font("R").fontSize(9).fillColor(MUTED).text(S.none);
  heading(S.oldestOpen);
  if (d.oldestOpen.length) table(caseCols(false), caseRows(d.oldestOpen, false));
  else doc.font("R").fontSize(9).fillColor(MUTED).text(S.none);

  heading(S.hotSpots);
  if (!d.hotSpots.length) doc.font("R").fontSize(9).fillColor(MUTED).text(S.noHotSpots);
  for (const h of d.hotSpots.slice(0, 10)) {
    ensure(30);
    doc
      .font("SB")
      .fontSize(9.5)
      .fillColor(INK)
      .text(`${h.label} — ${num(h.count)} vụ việc tương tự (${date(h.firstAt)}–${date(h.lastAt)})`);
    doc
      .font("R")
      .fontSize(8)
      .fillColor(MUTED)
      .text(h.cases.map((c) => c.code).join(" · "));
    doc.moveDown(0.3);
  }
  if (d.hotSpots.length > 10)
    doc
      .font("R")
      .fontSize(8)
      .fillColor(MUTED)
      .text(`… và ${d.hotSpots.length - 10} điểm nóng nhỏ hơn.`);
  chart(charts.hotSpots, width * 0.75);

  heading(S.satisfaction);
  doc
    .font("R")
    .fontSize(9.5)
    .fillColor(INK)
    .text(
      s.average === null
        ? "Chưa có đánh giá trong kỳ."
        : `Điểm trung bình ${s.average.toLocaleString("vi-VN")}/5 trên ${num(s.rated)} đánh giá (kỳ trước: ${s.previousAverage === null ? "—" : `${s.previousAverage.toLocaleString("vi-VN")}/5`}); ${pct(s.shareRated)} hồ sơ kết thúc được chấm. Phân bố: ${s.distribution.map((n, i) => `${n} phiếu ${i + 1} điểm`).join(", ")}.`,
    );
  doc.moveDown(0.3);
  if (s.lowest.length)
    table(
      [
        { title: "Mã hồ sơ", w: 14 },
        { title: "Điểm", w: 7, align: "right" },
        { title: "Cơ quan", w: 30 },
        { title: "Lĩnh vực", w: 19 },
        { title: "Góp ý", w: 30 },
      ],
      s.lowest.map((l) => [l.code, `${l.rating}/5`, l.agency, l.topic, l.comment ?? ""]),
    );

  heading(S.byTopic);
  table(
    [
      { title: "Lĩnh vực", w: 46 },
      { title: "Kỳ này", w: 12, align: "right" },
      { title: "Kỳ trước", w: 12, align: "right" },
      { title: S.average4(d.period.kind), w: 15, align: "right" },
      { title: "Thay đổi", w: 15, align: "right" },
    ],
    d.byTopic.map((r) => [
      r.name,
      num(r.current),
      num(r.previous),
      num(r.average4),
      r.changePct === null ? "—" : `${r.changePct > 0 ? "+" : ""}${num(r.changePct)}%`,
    ]),
  );

  // Page numbers.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0;
    doc.font("R").fontSize(7.5).fillColor(MUTED);
    const y = doc.page.height - 28;
    doc.text(`Hộp thư dân · ${periodLabel(d.period)} · trang ${i + 1}/${range.count}`, left, y, {
      width,
      align: "right",
      lineBreak: false,
    });
  }
  doc.end();
  return done;
}
