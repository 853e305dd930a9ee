/**
 * One digest report in the format asked for (the page, the PDF download and the CLI share this).
 * The chart and PDF renderers (Vega, resvg, pdfkit: tens of MB resident) load on the first report
 * drawn, not with the server.
 */
import type { ReferenceData } from "../data/index.ts";
import { type PageLinks, renderDigestPage } from "./html.ts";
import { halfOf, type Period, previousPeriod, weekOf, yearOf } from "./period.ts";
import type { DigestReport } from "./service.ts";

export type DigestFormat = "html" | "pdf" | "json";

function nextPeriod(p: Period, now: Date): Period | null {
  const after = p.end;
  if (after.getTime() > now.getTime()) return null;
  if (p.kind === "week") return weekOf(after);
  if (p.kind === "half") return halfOf(after);
  if (p.kind === "year") return yearOf(after);
  return null;
}

export async function renderDigest(
  report: DigestReport,
  format: DigestFormat,
  ctx: { data: ReferenceData; links: PageLinks; now: Date; nonce?: string | undefined },
): Promise<{ body: Uint8Array; contentType: string }> {
  if (format === "json")
    return {
      body: new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`),
      contentType: "application/json; charset=utf-8",
    };
  const { renderCharts } = await import("./charts.ts");
  const charts = await renderCharts(report.digest);
  if (format === "pdf") {
    const { renderDigestPdf } = await import("./pdf.ts");
    return { body: await renderDigestPdf(report, charts), contentType: "application/pdf" };
  }
  const html = renderDigestPage(report, charts, {
    data: ctx.data,
    links: ctx.links,
    previous: previousPeriod(report.digest.period),
    next: nextPeriod(report.digest.period, ctx.now),
    nonce: ctx.nonce,
  });
  return { body: new TextEncoder().encode(html), contentType: "text/html; charset=utf-8" };
}
