/**
 * Spreadsheet exports of any list: CSV (UTF-8 with a byte-order mark, so Excel reads Vietnamese
 * correctly; CRLF; RFC 4180 quoting) and XLSX (exceljs). Cells that a spreadsheet would run as a
 * formula (= + - @ tab CR at the start) are prefixed with an apostrophe: data stays data.
 */
// exceljs (~18 MB resident) loads with the first spreadsheet asked for.
import type ExcelJS from "exceljs";

export type Cell = string | number;

function inert(v: Cell): Cell {
  if (typeof v === "number") return v;
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function toCsv(headers: string[], rows: Cell[][]): string {
  const quote = (v: Cell) => {
    const s = String(inert(v));
    return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [headers, ...rows].map((r) => r.map(quote).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function toXlsx(
  sheetName: string,
  title: string,
  columns: { header: string; width: number }[],
  rows: Cell[][],
): Promise<Buffer> {
  const { default: Excel } = (await import("exceljs")) as { default: typeof ExcelJS };
  const wb = new Excel.Workbook();
  wb.creator = "Hộp thư dân";
  wb.created = new Date();
  const ws = wb.addWorksheet(sheetName.slice(0, 31), {
    views: [{ state: "frozen", ySplit: 2 }],
    pageSetup: { orientation: "landscape", paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = columns.map((c) => ({ width: c.width }));
  const titleRow = ws.addRow([title]);
  titleRow.font = { name: "Times New Roman", size: 14, bold: true };
  ws.mergeCells(1, 1, 1, Math.max(1, columns.length));
  const head = ws.addRow(columns.map((c) => c.header));
  head.font = { name: "Times New Roman", size: 12, bold: true };
  head.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
  head.eachCell((cell) => {
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF5" } };
    cell.border = {
      top: { style: "thin" },
      bottom: { style: "thin" },
      left: { style: "thin" },
      right: { style: "thin" },
    };
  });
  for (const r of rows) {
    // Strings are written as text cells, never as formulas: no escaping needed here.
    const row = ws.addRow(r);
    row.font = { name: "Times New Roman", size: 12 };
    row.alignment = { wrapText: true, vertical: "top" };
    row.eachCell((cell) => {
      cell.border = {
        top: { style: "thin" },
        bottom: { style: "thin" },
        left: { style: "thin" },
        right: { style: "thin" },
      };
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
