/**
 * The digest as a web page: what a leader reads in two minutes at the top (key figures, summary,
 * cases for attention), the charts and tables under it; a printable A4 layout (@media print).
 */
import type { ReferenceData } from "../data/index.ts";
import { digestStrings as S } from "../i18n/digest.ts";
import type { DigestCharts } from "./charts.ts";
import type { BreakdownRow, CaseRef, Digest, Trend } from "./figures.ts";
import { type Period, periodLabel } from "./period.ts";
import type { Narrative } from "./summary.ts";

export const esc = (s: unknown): string =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

const num = (n: number) => n.toLocaleString("vi-VN");
const pct = (x: number | null) => (x === null ? "—" : `${x.toLocaleString("vi-VN")}%`);
const date = (iso: string | null) => {
  if (!iso) return "—";
  const d = new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString();
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
};

function delta(t: Trend, kind: string, goodWhenUp = true): string {
  const avg = `${S.average4(kind)}: ${num(t.average4)}`;
  if (t.changePct === null) return `<span class="muted">${S.previous}: ${num(t.previous)} · ${avg}</span>`;
  const up = t.changePct > 0;
  const cls = t.changePct === 0 ? "flat" : up === goodWhenUp ? "good" : "bad";
  const arrow = t.changePct === 0 ? "→" : up ? "▲" : "▼";
  return `<span class="${cls}">${arrow} ${num(Math.abs(t.changePct))}%</span> <span class="muted">so với kỳ trước (${num(t.previous)}) · ${avg}</span>`;
}

function card(label: string, value: string, sub: string, tone = ""): string {
  return `<div class="card ${tone}"><div class="label">${esc(label)}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

function breakdown(title: string, rows: BreakdownRow[], kind: string, limit = 10): string {
  if (!rows.length) return "";
  const body = rows
    .slice(0, limit)
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}</td><td class="n">${num(r.current)}</td><td class="n">${num(r.previous)}</td><td class="n">${num(r.average4)}</td><td class="n ${r.changePct === null ? "" : r.changePct > 0 ? "up" : r.changePct < 0 ? "down" : ""}">${r.changePct === null ? "—" : `${r.changePct > 0 ? "+" : ""}${num(r.changePct)}%`}</td></tr>`,
    )
    .join("");
  const more = rows.length > limit ? `<p class="muted small">… và ${rows.length - limit} mục khác.</p>` : "";
  return `<section class="table"><h3>${esc(title)}</h3><table><thead><tr><th></th><th class="n">Kỳ này</th><th class="n">Kỳ trước</th><th class="n">${esc(S.average4(kind))}</th><th class="n">Thay đổi</th></tr></thead><tbody>${body}</tbody></table>${more}</section>`;
}

function caseTable(rows: CaseRef[], overdue: boolean): string {
  if (!rows.length) return `<p class="muted">${S.none}</p>`;
  return `<table><thead><tr><th>Mã hồ sơ</th><th>Loại · lĩnh vực</th><th>Cơ quan</th><th>Địa bàn</th><th>Ngày nhận</th><th class="n">${overdue ? "Quá hạn" : "Tồn"}</th></tr></thead><tbody>${rows
    .map(
      (c) =>
        `<tr><td class="code">${esc(c.code)}</td><td>${esc(c.kind)} · ${esc(c.topic)}</td><td>${esc(c.agency)}</td><td>${esc(c.place)}</td><td>${date(c.receivedAt)}</td><td class="n">${overdue ? `${c.overdueDays} ngày` : `${c.ageDays} ngày`}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

export interface PageLinks {
  /** URL of this digest with other parameters (navigation, PDF). */
  self: (params: Record<string, string>) => string;
  scopeParam: string;
}

function nav(d: Digest, data: ReferenceData, links: PageLinks, prev: Period, next: Period | null): string {
  const scopes = [
    `<option value="city"${links.scopeParam === "city" ? " selected" : ""}>${esc(data.province.name)}</option>`,
    `<optgroup label="Cơ quan">${data.agencies
      .map(
        (a) =>
          `<option value="agency:${esc(a.id)}"${links.scopeParam === `agency:${a.id}` ? " selected" : ""}>${esc(a.shortName)}</option>`,
      )
      .join("")}</optgroup>`,
    `<optgroup label="Xã, phường">${data.communes
      .map(
        (c) =>
          `<option value="commune:${esc(c.id)}"${links.scopeParam === `commune:${c.id}` ? " selected" : ""}>${esc(c.name)}</option>`,
      )
      .join("")}</optgroup>`,
  ].join("");
  const kinds: Array<[string, string]> = [
    ["week", "Tuần"],
    ["half", "6 tháng"],
    ["year", "Năm"],
  ];
  return `<nav class="noprint">
  <a class="btn" href="${esc(links.self({ period: prev.key }))}">← ${esc(periodLabel(prev))}</a>
  ${next ? `<a class="btn" href="${esc(links.self({ period: next.key }))}">${esc(periodLabel(next))} →</a>` : ""}
  <form method="get" action="">
    <select name="kind" aria-label="Loại kỳ">${kinds.map(([k, l]) => `<option value="${k}"${d.period.kind === k ? " selected" : ""}>${l}</option>`).join("")}</select>
    <label>Từ <input type="date" name="from" value="${esc(d.period.from)}"></label>
    <label>đến <input type="date" name="to" value="${esc(d.period.to)}"></label>
    <select name="scope" aria-label="Phạm vi">${scopes}</select>
    <button type="submit">Xem</button>
  </form>
  <a class="btn primary" href="${esc(links.self({ format: "pdf" }))}">Tải PDF</a>
  <button class="btn" type="button" id="print-digest">In</button>
</nav>`;
}

const CSS = `
@font-face{font-family:"Be Vietnam Pro";font-weight:400;src:url(/digest/assets/regular.ttf) format("truetype")}
@font-face{font-family:"Be Vietnam Pro";font-weight:600;src:url(/digest/assets/semibold.ttf) format("truetype")}
@font-face{font-family:"Be Vietnam Pro";font-weight:700;src:url(/digest/assets/bold.ttf) format("truetype")}
:root{--ink:#1b2a3a;--muted:#6b7785;--line:#dfe3e8;--good:#2f8a4f;--bad:#c8463d;--warn:#b7861b;--accent:#1f5fa8}
*{box-sizing:border-box}
body{font-family:"Be Vietnam Pro",system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);margin:0;background:#f4f6f8;font-size:14px;line-height:1.45}
main{max-width:1080px;margin:0 auto;padding:20px 24px 40px;background:#fff}
header h1{font-size:22px;margin:0 0 2px}
header .meta{color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:12px 0 16px;padding:10px;background:#f0f3f7;border-radius:8px}
nav form{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}
nav select,nav input,nav button,.btn{font:inherit;font-size:13px;padding:5px 9px;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--ink);text-decoration:none;cursor:pointer}
.btn.primary{background:var(--accent);color:#fff;border-color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;margin:8px 0 16px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.02em}
.card .value{font-size:26px;font-weight:700;margin:2px 0}
.card .sub{font-size:12px}
.card.alert{border-color:#f0c2bd;background:#fdf3f2}
.good{color:var(--good);font-weight:600}.bad{color:var(--bad);font-weight:600}.flat{color:var(--muted)}
.muted{color:var(--muted)}.small{font-size:12px}
.summary{font-size:15px;background:#f7f9fc;border-left:4px solid var(--accent);padding:10px 14px;margin:0 0 16px}
.summary .src{display:block;color:var(--muted);font-size:11px;margin-top:4px}
h2{font-size:17px;margin:22px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
h3{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px}
td.n,th.n{text-align:right;white-space:nowrap}
td.up{color:var(--bad)}td.down{color:var(--good)}
td.code{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.chart svg{max-width:100%;height:auto}
ol.attention{margin:0;padding-left:20px}
ol.attention li{margin:3px 0}
.reason{font-weight:600}
.hot{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:6px 0}
.hot .codes{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:var(--muted)}
.rate-bad{color:var(--bad);font-weight:600}.rate-warn{color:var(--warn);font-weight:600}.rate-good{color:var(--good);font-weight:600}
footer{margin-top:24px;color:var(--muted);font-size:12px}
@media (max-width:800px){.cards{grid-template-columns:repeat(2,1fr)}.grid2{grid-template-columns:1fr}}
@media print{
  @page{size:A4;margin:12mm}
  body{background:#fff;font-size:11.5px}
  main{max-width:none;padding:0}
  .noprint{display:none!important}
  .cards{grid-template-columns:repeat(6,1fr)}
  .card .value{font-size:20px}
  section,.hot,tr,.chart{break-inside:avoid}
  h2{break-after:avoid}
}`;

export function renderDigestPage(
  report: { digest: Digest; narrative: Narrative },
  charts: DigestCharts,
  ctx: {
    data: ReferenceData;
    links: PageLinks;
    previous: Period;
    next: Period | null;
    /** The response's CSP nonce (the page's only style and script carry it). */
    nonce?: string | undefined;
  },
): string {
  const nonce = ctx.nonce ? ` nonce="${esc(ctx.nonce)}"` : "";
  const d = report.digest;
  const t = d.totals;
  const s = d.satisfaction;
  const kind = d.period.kind;
  const rateClass = (r: number | null) =>
    r === null ? "" : r >= 90 ? "rate-good" : r >= 70 ? "rate-warn" : "rate-bad";
  const cards = [
    card(S.received, num(t.received.current), delta(t.received, kind)),
    card(S.answered, num(t.answered.current), delta(t.answered, kind)),
    card(S.closed, num(t.closed.current), delta(t.closed, kind)),
    card(
      S.onTime,
      pct(t.onTimeRate),
      `${num(t.handled)} vụ việc đã giải quyết trong kỳ`,
      t.onTimeRate !== null && t.onTimeRate < 80 ? "alert" : "",
    ),
    card(
      S.overdue,
      num(t.overdueAtEnd),
      `trong ${num(t.openAtEnd)} vụ việc đang giải quyết`,
      t.overdueAtEnd ? "alert" : "",
    ),
    card(
      S.satisfaction,
      s.average === null ? "—" : `${s.average.toLocaleString("vi-VN")}<small>/5</small>`,
      `${num(s.rated)} đánh giá${s.shareRated === null ? "" : ` · ${pct(s.shareRated)} hồ sơ kết thúc được chấm`}`,
    ),
  ].join("");
  const attention = d.attention.length
    ? `<ol class="attention">${d.attention
        .map(
          (a) =>
            `<li><span class="reason">${esc(a.reason)}</span> — <span class="code">${esc(a.code)}</span> · ${esc(a.kind)} · ${esc(a.topic)} · ${esc(a.agency)} · ${esc(a.place)}</li>`,
        )
        .join("")}</ol>`
    : `<p class="muted">${S.none}</p>`;
  const onTimeRows = d.onTime
    .map(
      (a, i) =>
        `<tr><td class="n">${a.rate === null ? "" : i + 1}</td><td>${esc(a.name)}</td><td class="n ${rateClass(a.rate)}">${pct(a.rate)}</td><td class="n">${num(a.onTime)}/${num(a.handled)}</td><td class="n">${num(a.openAtEnd)}</td><td class="n ${a.overdueAtEnd ? "rate-bad" : ""}">${num(a.overdueAtEnd)}</td><td class="n">${num(a.transferredOut)}</td></tr>`,
    )
    .join("");
  const hot = d.hotSpots.length
    ? d.hotSpots
        .slice(0, 10)
        .map(
          (h) =>
            `<div class="hot"><b>${esc(h.label)}</b> — ${num(h.count)} vụ việc tương tự, ${date(h.firstAt)}–${date(h.lastAt)} <span class="muted small">(độ tương đồng ${h.cohesion.toLocaleString("vi-VN")})</span><div class="codes">${h.cases
              .map((c) => esc(c.code))
              .join(" · ")}</div></div>`,
        )
        .join("") +
      (d.hotSpots.length > 10
        ? `<p class="muted small">… và ${d.hotSpots.length - 10} điểm nóng nhỏ hơn.</p>`
        : "")
    : `<p class="muted">${S.noHotSpots}</p>`;
  const lowest = s.lowest.length
    ? `<table><thead><tr><th>Mã hồ sơ</th><th class="n">Điểm</th><th>Cơ quan</th><th>Lĩnh vực</th><th>Góp ý của người dân</th></tr></thead><tbody>${s.lowest
        .map(
          (l) =>
            `<tr><td class="code">${esc(l.code)}</td><td class="n rate-bad">${l.rating}/5</td><td>${esc(l.agency)}</td><td>${esc(l.topic)}</td><td>${esc(l.comment ?? "")}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : `<p class="muted">Không có trả lời bị chấm 1–2 điểm.</p>`;
  const dist = `Phân bố: ${s.distribution.map((n, i) => `${num(n)} phiếu ${i + 1} điểm`).join(", ")}`;
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(S.title)} — ${esc(periodLabel(d.period))}</title><style${nonce}>${CSS}</style></head>
<body><main>
<header><h1>${esc(S.title)}</h1>
<div class="meta"><b>${esc(d.scope.name)}</b> · ${esc(periodLabel(d.period))} · số liệu đến ${date(d.asOf)}</div></header>
${nav(d, ctx.data, ctx.links, ctx.previous, ctx.next)}
<div class="cards">${cards}</div>
<p class="summary">${esc(report.narrative.text)}<span class="src">${report.narrative.source === "model" ? "Tóm tắt do mô hình ngôn ngữ viết từ số liệu trên; cần đối chiếu trước khi trích dẫn." : "Tóm tắt tự động từ số liệu."}</span></p>
<h2>${esc(S.attention)}</h2>${attention}
<h2>Xu hướng tiếp nhận</h2>
<div class="chart">${charts.weekly}</div>
<div class="grid2">${breakdown(S.byTopic, d.byTopic, kind)}${breakdown(S.byKind, d.byKind, kind)}</div>
<h2>${esc(S.onTimeByAgency)}</h2>
<div class="chart">${charts.onTime ?? `<p class="muted">Chưa có vụ việc được giải quyết trong kỳ.</p>`}</div>
<section class="table"><table><thead><tr><th class="n">#</th><th>Cơ quan</th><th class="n">Đúng hạn</th><th class="n">Đúng hạn/đã giải quyết</th><th class="n">Đang mở</th><th class="n">Quá hạn</th><th class="n">Chuyển đi</th></tr></thead><tbody>${onTimeRows}</tbody></table></section>
<div class="grid2"><section><h3>${esc(S.overdueList)}</h3>${caseTable(d.overdue, true)}</section><section><h3>${esc(S.oldestOpen)}</h3>${caseTable(d.oldestOpen, false)}</section></div>
<h2>${esc(S.hotSpots)}</h2>
<div class="grid2"><div>${hot}</div><div class="chart">${charts.hotSpots ?? ""}</div></div>
<h2>${esc(S.satisfaction)}</h2>
<p>${s.average === null ? "Chưa có đánh giá trong kỳ." : `Điểm trung bình <b>${s.average.toLocaleString("vi-VN")}/5</b> trên ${num(s.rated)} đánh giá (kỳ trước: ${s.previousAverage === null ? "—" : `${s.previousAverage.toLocaleString("vi-VN")}/5`}). ${dist}.`}</p>
${lowest}
<div class="grid2">${breakdown(S.byAgency, d.byAgency, kind)}${breakdown(S.byPlace, d.byPlace, kind)}</div>
<footer>Hộp thư dân · lập lúc ${date(d.generatedAt)} · tuần tính từ thứ Hai đến Chủ nhật theo giờ Việt Nam · vụ việc chuyển cơ quan được tính cho cơ quan đang giữ hồ sơ tại thời điểm của số liệu (trả lời: cơ quan đã trả lời).</footer>
</main><script${nonce}>document.getElementById("print-digest")?.addEventListener("click", () => window.print());</script></body></html>`;
}
