/**
 * A rendered legal document as a Word file (docx), in the layout of an administrative document
 * (Nghị định 30/2020/NĐ-CP): issuing body and national title side by side, number and date,
 * document type and subject, body, recipients and signature; Times New Roman 13–14 pt.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import { docs } from "../i18n/queue-docs.ts";
import type { RenderedDocument } from "./render.ts";

const FONT = "Times New Roman";
const NONE = { style: BorderStyle.NONE, size: 0, color: "FFFFFF" } as const;
const NO_BORDERS = {
  top: NONE,
  bottom: NONE,
  left: NONE,
  right: NONE,
  insideHorizontal: NONE,
  insideVertical: NONE,
};

function p(
  text: string,
  o: {
    bold?: boolean;
    italics?: boolean;
    size?: number;
    align?: "center" | "left" | "both";
    indent?: boolean;
  } = {},
): Paragraph {
  return new Paragraph({
    alignment:
      o.align === "center"
        ? AlignmentType.CENTER
        : o.align === "both"
          ? AlignmentType.JUSTIFIED
          : AlignmentType.LEFT,
    spacing: { after: 80, line: 300 },
    ...(o.indent ? { indent: { firstLine: 567 } } : {}),
    children: [
      new TextRun({
        text,
        font: FONT,
        size: (o.size ?? 14) * 2,
        ...(o.bold ? { bold: true } : {}),
        ...(o.italics ? { italics: true } : {}),
      }),
    ],
  });
}

function cell(children: Paragraph[], widthPct: number): TableCell {
  return new TableCell({
    children,
    width: { size: widthPct, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
  });
}

export async function documentToDocx(d: RenderedDocument): Promise<Buffer> {
  const header = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          cell(
            [
              ...(d.parentBody ? [p(d.parentBody, { size: 13, align: "center" })] : []),
              p(d.issuingBody, { size: 13, bold: true, align: "center" }),
              p(d.numberLine, { size: 13, align: "center" }),
            ],
            42,
          ),
          cell(
            [
              p(docs.nationalTitle, { size: 13, bold: true, align: "center" }),
              p(docs.motto, { size: 14, bold: true, align: "center" }),
              p(d.dateLine, { size: 14, italics: true, align: "center" }),
            ],
            58,
          ),
        ],
      }),
    ],
  });
  const body = d.body
    .split(/\n\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => p(s, { align: "both", indent: true }));
  const recipients = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          cell(
            [
              p(docs.recipientsTitle, { size: 12, bold: true, italics: true }),
              ...d.recipients.map((r) => p(`- ${r}`, { size: 11 })),
            ],
            50,
          ),
          cell(
            [
              p(d.signerTitle.toUpperCase(), { bold: true, align: "center" }),
              p("", {}),
              p("", {}),
              p("", {}),
              p(d.signerName, { bold: true, align: "center" }),
            ],
            50,
          ),
        ],
      }),
    ],
  });
  const doc = new Document({
    creator: d.issuingBody,
    title: [d.docType, d.subject].filter(Boolean).join(" "),
    styles: { default: { document: { run: { font: FONT, size: 28 } } } },
    sections: [
      {
        properties: {
          page: { margin: { top: 1134, bottom: 1134, left: 1701, right: 1134 } },
        },
        children: [
          header,
          p("", {}),
          p(d.docType, { bold: true, align: "center" }),
          ...(d.subject ? [p(d.subject, { bold: true, align: "center" })] : []),
          ...(d.recipient ? [p(`${docs.respectfully} ${d.recipient}`, { align: "center" })] : []),
          p("", {}),
          ...body,
          p("", {}),
          recipients,
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
