/**
 * The digest's narrative: a few sentences written by a language model through LangChain from the
 * figures only (figuresForModel: counts, rates, names of topics, agencies and places — never a
 * citizen's text, name, contact or a tracking code), within a time limit; a template summary
 * when no model is configured, or when the call fails, times out or answers nothing usable.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
// LangChain (~40 MB resident) loads only when a language model is configured and first called.
import type { ChatPromptTemplate } from "@langchain/core/prompts";
import type { DigestConfig } from "./config.ts";
import type { Digest, Trend } from "./figures.ts";
import { periodLabel } from "./period.ts";

export interface Narrative {
  text: string;
  /** "model" when a language model wrote it, "template" otherwise. */
  source: "model" | "template";
  /** Why the template was used (no model, timeout, error). */
  fallbackReason?: string;
}

export const PROMPT_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../prompts/digest-summary.md",
);

/** The system and user messages of prompts/digest-summary.md, checked. */
export function readSummaryPrompt(file = PROMPT_FILE): { system: string; human: string } {
  const raw = readFileSync(file, "utf8").replace(/<!--[\s\S]*?-->\s*/g, "");
  const [system, human] = raw.split(/^---$/m).map((s) => s.trim());
  if (!system || !human?.includes("{figures}"))
    throw new Error(`${file}: needs a system part, ---, and {figures}`);
  return { system, human };
}

/** The prompt: system and user messages from prompts/digest-summary.md. */
export async function loadSummaryPrompt(
  file: string | { system: string; human: string } = PROMPT_FILE,
): Promise<ChatPromptTemplate> {
  const { system, human } = typeof file === "string" ? readSummaryPrompt(file) : file;
  const { ChatPromptTemplate } = await import("@langchain/core/prompts");
  return ChatPromptTemplate.fromMessages([
    ["system", system],
    ["human", human],
  ]);
}

const t = (x: Trend) => ({ ky_nay: x.current, ky_truoc: x.previous, tb_4_ky_truoc: x.average4 });

/** What the model may see: figures and names of topics, agencies and places. Nothing else. */
export function figuresForModel(d: Digest) {
  return {
    pham_vi: d.scope.name,
    ky_bao_cao: periodLabel(d.period),
    tiep_nhan: t(d.totals.received),
    da_tra_loi: t(d.totals.answered),
    da_ket_thuc: t(d.totals.closed),
    dang_mo_cuoi_ky: d.totals.openAtEnd,
    qua_han_cuoi_ky: d.totals.overdueAtEnd,
    ty_le_dung_han_phan_tram: d.totals.onTimeRate,
    theo_linh_vuc: d.byTopic.slice(0, 6).map((r) => ({ linh_vuc: r.name, ...t(r) })),
    theo_loai: d.byKind.map((r) => ({ loai: r.name, ...t(r) })),
    dung_han_theo_co_quan: d.onTime.slice(0, 10).map((a) => ({
      co_quan: a.name,
      da_giai_quyet: a.handled,
      dung_han: a.onTime,
      ty_le_phan_tram: a.rate,
      qua_han_dang_mo: a.overdueAtEnd,
    })),
    diem_nong: d.hotSpots
      .slice(0, 5)
      .map((h) => ({ linh_vuc: h.topic, dia_ban: h.place, so_vu_viec: h.count })),
    hai_long: {
      so_danh_gia: d.satisfaction.rated,
      diem_trung_binh_tren_5: d.satisfaction.average,
      ky_truoc: d.satisfaction.previousAverage,
    },
  };
}

const fmtPct = (x: number | null) => (x === null ? "—" : `${x.toLocaleString("vi-VN")}%`);
const change = (x: Trend) =>
  x.changePct === null
    ? ""
    : x.changePct === 0
      ? " (không đổi so với kỳ trước)"
      : ` (${x.changePct > 0 ? "tăng" : "giảm"} ${Math.abs(x.changePct).toLocaleString("vi-VN")}% so với kỳ trước)`;

/** The summary without a model: the same points, from fixed sentences. */
export function templateSummary(d: Digest): string {
  const s: string[] = [];
  const top = d.byTopic[0];
  s.push(
    `${periodLabel(d.period)}, ${d.scope.name} tiếp nhận ${d.totals.received.current} vụ việc${change(d.totals.received)}` +
      (top ? `, nhiều nhất về ${top.name.toLowerCase()} (${top.current}).` : "."),
  );
  const worst = [...d.onTime]
    .filter((a) => a.rate !== null && a.handled >= 3)
    .sort((a, b) => a.rate! - b.rate!)[0];
  s.push(
    `Đã giải quyết ${d.totals.handled} vụ việc, đúng hạn ${fmtPct(d.totals.onTimeRate)}` +
      (worst && worst.rate! < 90 ? `; thấp nhất là ${worst.name} (${fmtPct(worst.rate)}).` : "."),
  );
  s.push(
    d.totals.overdueAtEnd
      ? `Còn ${d.totals.overdueAtEnd} vụ việc quá hạn trong ${d.totals.openAtEnd} vụ việc đang giải quyết.`
      : `Không có vụ việc quá hạn; ${d.totals.openAtEnd} vụ việc đang giải quyết.`,
  );
  if (d.hotSpots.length) {
    const h = d.hotSpots[0]!;
    s.push(
      `Phát hiện ${d.hotSpots.length} điểm nóng, lớn nhất: ${h.topic.toLowerCase()} tại ${h.place} (${h.count} vụ việc tương tự).`,
    );
  }
  if (d.satisfaction.average !== null)
    s.push(
      `Mức hài lòng trung bình ${d.satisfaction.average.toLocaleString("vi-VN")}/5 trên ${d.satisfaction.rated} đánh giá.`,
    );
  return s.join(" ");
}

/** A chat model for the configured provider, or undefined when none is configured. */
export async function chatModelFromConfig(config: DigestConfig): Promise<BaseChatModel | undefined> {
  if (!config.DIGEST_LLM_PROVIDER || !config.DIGEST_LLM_MODEL) return undefined;
  if (config.DIGEST_LLM_PROVIDER === "openai") {
    const { ChatOpenAI } = await import("@langchain/openai");
    return new ChatOpenAI({
      model: config.DIGEST_LLM_MODEL,
      apiKey: config.DIGEST_LLM_API_KEY ?? "not-needed",
      temperature: 0.2,
      maxRetries: 0,
      timeout: config.DIGEST_LLM_TIMEOUT_MS,
      ...(config.DIGEST_LLM_BASE_URL ? { configuration: { baseURL: config.DIGEST_LLM_BASE_URL } } : {}),
    });
  }
  const { ChatOllama } = await import("@langchain/ollama");
  return new ChatOllama({
    model: config.DIGEST_LLM_MODEL,
    temperature: 0.2,
    ...(config.DIGEST_LLM_BASE_URL ? { baseUrl: config.DIGEST_LLM_BASE_URL } : {}),
  });
}

export interface Summarizer {
  summarize(d: Digest): Promise<Narrative>;
}

export function createSummarizer(options: {
  model?: BaseChatModel | undefined;
  timeoutMs: number;
  prompt?: ChatPromptTemplate;
  onError?: (err: unknown) => void;
}): Summarizer {
  // The prompt file is checked now (a broken one stops the start); LangChain's template is built
  // on the first call to a model.
  const messages = options.prompt ? undefined : readSummaryPrompt();
  let prompt: Promise<ChatPromptTemplate> | undefined = options.prompt
    ? Promise.resolve(options.prompt)
    : undefined;
  return {
    async summarize(d) {
      const template = (fallbackReason: string): Narrative => ({
        text: templateSummary(d),
        source: "template",
        fallbackReason,
      });
      if (!options.model) return template("no model configured");
      const signal = AbortSignal.timeout(options.timeoutMs);
      try {
        prompt ??= loadSummaryPrompt(messages);
        const formatted = await (await prompt).formatMessages({
          figures: JSON.stringify(figuresForModel(d), null, 1),
        });
        const answer = await Promise.race([
          options.model.invoke(formatted, { signal }),
          new Promise<never>((_, reject) =>
            signal.addEventListener("abort", () => reject(new Error("timed out")), { once: true }),
          ),
        ]);
        const text = (typeof answer.content === "string" ? answer.content : answer.text).trim();
        if (text.length < 20) return template("the model answered nothing usable");
        return { text: text.slice(0, 2000), source: "model" };
      } catch (err) {
        options.onError?.(err);
        return template(signal.aborted ? "timed out" : "the model call failed");
      }
    },
  };
}
