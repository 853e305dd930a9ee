/**
 * The digest's charts, rendered on the server by Vega-Lite (compiled to Vega, rendered headless to
 * SVG — no canvas needed) and rasterised to PNG by resvg for the messengers. Text is set in
 * Be Vietnam Pro (a TTF with every Vietnamese glyph, shipped in an npm package), so diacritics
 * render the same in the page, the PDF and the image.
 */
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { digestStrings as S } from "../i18n/digest.ts";
import type { Digest } from "./figures.ts";
import { FONT_FAMILY, FONT_FILES } from "./fonts.ts";

export { FONT_FAMILY, FONT_FILES };

const PALETTE = ["#1f5fa8", "#e07b39", "#3a9d5d", "#c8463d", "#8a63b8", "#6b7c8f", "#d4a72c"];

const config = {
  font: FONT_FAMILY,
  background: "white",
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    labelColor: "#333",
    titleColor: "#333",
    gridColor: "#e6e6e6",
  },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: "bottom", columns: 3, labelLimit: 220 },
  title: { fontSize: 14, anchor: "start", color: "#1b2a3a", fontWeight: 600 },
  range: { category: PALETTE },
} as const;

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Weekly volume by topic: stacked bars, the five largest topics and "Khác". */
export function weeklyVolumeSpec(d: Digest): TopLevelSpec {
  const totals = new Map<string, number>();
  for (const r of d.weekly) totals.set(r.topic, (totals.get(r.topic) ?? 0) + r.count);
  const top = new Set(
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([t]) => t),
  );
  const rows = new Map<string, { week: string; topic: string; count: number }>();
  const weeks = [...new Set(d.weekly.map((r) => r.from))].sort();
  for (const r of d.weekly) {
    const topic = top.has(r.topic) ? r.topic : "Khác";
    const label = `${r.from.slice(8, 10)}/${r.from.slice(5, 7)}`;
    const k = `${label}|${topic}`;
    const row = rows.get(k) ?? { week: label, topic, count: 0 };
    row.count += r.count;
    rows.set(k, row);
  }
  const order = [...top, "Khác"];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: S.weeklyChart,
    width: 560,
    height: 220,
    config,
    data: { values: [...rows.values()].map((r) => ({ ...r, o: order.indexOf(r.topic) })) },
    mark: { type: "bar" },
    encoding: {
      x: {
        field: "week",
        type: "ordinal",
        title: "Tuần bắt đầu",
        sort: weeks.map((w) => `${w.slice(8, 10)}/${w.slice(5, 7)}`),
        axis: { labelAngle: 0 },
      },
      y: { field: "count", type: "quantitative", title: "Số vụ việc", aggregate: "sum" },
      color: { field: "topic", type: "nominal", title: null, sort: order },
      order: { field: "o" },
    },
  } as TopLevelSpec;
}

/** On-time rate by agency, ranked, coloured by band (≥ 90 %, 70–90 %, < 70 %). */
export function onTimeSpec(d: Digest, limit = 12): TopLevelSpec {
  const rows = d.onTime
    .filter((a) => a.rate !== null)
    .slice(0, limit)
    .map((a) => ({
      agency: a.name.replace(/ thành phố Đà Nẵng$/, ""),
      rate: a.rate,
      band: a.rate! >= 90 ? "≥ 90%" : a.rate! >= 70 ? "70–90%" : "< 70%",
      label: `${a.rate!.toLocaleString("vi-VN")}% (${a.onTime}/${a.handled})`,
    }));
  const bar = { type: "bar" as const };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: S.onTimeChart,
    width: 480,
    height: { step: 20 },
    config,
    data: { values: rows },
    encoding: {
      y: { field: "agency", type: "nominal", title: null, sort: null, axis: { labelLimit: 260 } },
      x: { field: "rate", type: "quantitative", title: null, scale: { domain: [0, 100] } },
    },
    layer: [
      {
        mark: bar,
        encoding: {
          color: {
            field: "band",
            type: "nominal",
            title: null,
            scale: { domain: ["≥ 90%", "70–90%", "< 70%"], range: ["#3a9d5d", "#d4a72c", "#c8463d"] },
          },
        },
      },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 10 }, encoding: { text: { field: "label" } } },
    ],
  } as TopLevelSpec;
}

/** Hot spots by place: cases in hot spots per place, split by topic. */
export function hotSpotSpec(d: Digest): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: S.hotSpotChart,
    width: 360,
    height: { step: 22 },
    config,
    data: {
      values: d.hotSpots.slice(0, 20).map((h) => ({ place: h.place, topic: h.topic, count: h.count })),
    },
    mark: { type: "bar" },
    encoding: {
      y: { field: "place", type: "nominal", title: null, sort: "-x", axis: { labelLimit: 200 } },
      x: {
        field: "count",
        type: "quantitative",
        title: "Số vụ việc",
        aggregate: "sum",
        axis: { tickMinStep: 1 },
      },
      color: { field: "topic", type: "nominal", title: null },
    },
  } as TopLevelSpec;
}

export interface DigestCharts {
  weekly: string;
  onTime: string | null;
  hotSpots: string | null;
}

export async function renderCharts(d: Digest): Promise<DigestCharts> {
  const [weekly, onTime, hotSpots] = await Promise.all([
    toSvg(weeklyVolumeSpec(d)),
    d.onTime.some((a) => a.rate !== null) ? toSvg(onTimeSpec(d)) : Promise.resolve(null),
    d.hotSpots.length ? toSvg(hotSpotSpec(d)) : Promise.resolve(null),
  ]);
  return { weekly, onTime, hotSpots };
}

/** An SVG as a PNG (for the messengers), at `scale` × its size, text in Be Vietnam Pro. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontFiles: Object.values(FONT_FILES),
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}
