/**
 * A small typed client of the Zalo Bot API, in the spirit of grammY's `Api` class: one method per
 * API call, typed answers, failures as a typed `ZaloApiError` that says whether a retry may help.
 *
 * - Every call is `POST ${baseUrl}/bot${token}/${method}` with a JSON body.
 * - Every call has a timeout (AbortController); getUpdates adds its long-polling time to it.
 * - No retries here: the outbox retries; the client only classifies (`retryable`, `retryAfterSeconds`).
 * - The token is never exposed: it is kept in a private field, and every error message, `toString()`,
 *   description and cause shows the URL as `…/bot<redacted>/method`.
 * - Web-standard only (fetch, AbortController, TextEncoder): runs on Node 20 and Cloudflare Workers.
 */
import type { z } from "zod";
import {
  type GetUpdatesParams,
  type ParsedZaloUpdate,
  type SendChatActionParams,
  type SendMessageParams,
  type SendPhotoParams,
  type SendStickerParams,
  type SetWebhookParams,
  type ZaloBotInfo,
  ZaloBotInfoSchema,
  ZaloEnvelopeSchema,
  type ZaloSentMessage,
  ZaloSentMessageSchema,
  type ZaloWebhookInfo,
  ZaloWebhookInfoSchema,
} from "./types.ts";
import { parseUpdates } from "./update.ts";

export const ZALO_DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com";
export const ZALO_DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TEXT = 2000;
const REDACTED = "<redacted>";

/** The `fetch` the client needs (a subset of the global one, so test doubles are easy). */
export type ZaloFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface ZaloBotClientOptions {
  /** `<bot_id>:<secret>` from Zalo Bot Manager. Never logged. */
  token: string;
  /** Default `https://bot-api.zaloplatforms.com` (older docs: `https://bot-api.zapps.me`). */
  baseUrl?: string;
  /** Default `globalThis.fetch`. */
  fetch?: ZaloFetch;
  /** Per-call timeout in ms, default 10 000. getUpdates waits `timeout` seconds more. */
  timeoutMs?: number;
}

/** Options every method accepts as its last argument. */
export interface ZaloCallOptions {
  /** Cancels the call (the error is then `kind: "aborted"`). */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

/**
 * What failed:
 * - `api`: the server answered `ok: false` (HTTP 2xx);
 * - `http`: the server answered a non-2xx status;
 * - `timeout`: no complete answer within the timeout;
 * - `network`: the request did not get an answer (DNS, refused, reset…);
 * - `aborted`: the caller's signal cancelled the call;
 * - `invalid_response`: a 2xx answer that is not the documented JSON;
 * - `invalid_request`: the client refused to send parameters the API would reject.
 */
export type ZaloErrorKind =
  | "api"
  | "http"
  | "timeout"
  | "network"
  | "aborted"
  | "invalid_response"
  | "invalid_request";

export interface ZaloApiErrorInit {
  method: string;
  kind: ZaloErrorKind;
  description: string;
  retryable: boolean;
  errorCode?: number | undefined;
  httpStatus?: number | undefined;
  retryAfterSeconds?: number | undefined;
  /** The redacted URL. */
  url?: string | undefined;
  cause?: unknown;
}

/** A failed Zalo Bot API call. Its message, description and cause never contain the token. */
export class ZaloApiError extends Error {
  override readonly name = "ZaloApiError";
  /** API method, e.g. "sendMessage". */
  readonly method: string;
  readonly kind: ZaloErrorKind;
  /** `error_code` from the answer, else the HTTP status; undefined when there was no answer. */
  readonly errorCode: number | undefined;
  /** `description` from the answer, or what went wrong (redacted). */
  readonly description: string;
  /** HTTP status of the answer; undefined when there was no answer. */
  readonly httpStatus: number | undefined;
  /** True for 408, 429, 5xx, network errors, timeouts and cancellations; false otherwise. */
  readonly retryable: boolean;
  /** From the `Retry-After` header (seconds or HTTP date) or `parameters.retry_after`. */
  readonly retryAfterSeconds: number | undefined;
  /** The URL called, with the token replaced by `<redacted>`. */
  readonly url: string | undefined;

  constructor(init: ZaloApiErrorInit) {
    const status = init.httpStatus !== undefined ? ` (HTTP ${init.httpStatus})` : "";
    const code =
      init.errorCode !== undefined && init.errorCode !== init.httpStatus
        ? ` [error_code ${init.errorCode}]`
        : "";
    const retry = init.retryAfterSeconds !== undefined ? `; retry after ${init.retryAfterSeconds}s` : "";
    super(`Zalo ${init.method} failed: ${init.kind}${status}${code}: ${init.description}${retry}`, {
      cause: init.cause,
    });
    this.method = init.method;
    this.kind = init.kind;
    this.errorCode = init.errorCode;
    this.description = init.description;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.url = init.url;
  }

  /** A plain, log-friendly object (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      method: this.method,
      kind: this.kind,
      errorCode: this.errorCode,
      description: this.description,
      httpStatus: this.httpStatus,
      retryable: this.retryable,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

/** 408 (request timeout), 429 (too many requests) and 5xx may succeed later. */
export function isRetryableStatus(code: number | undefined): boolean {
  return code !== undefined && (code === 408 || code === 429 || (code >= 500 && code <= 599));
}

export class ZaloBotClient {
  readonly #token: string;
  readonly #fetch: ZaloFetch;
  readonly baseUrl: string;
  readonly timeoutMs: number;

  constructor(options: ZaloBotClientOptions) {
    const { token, baseUrl = ZALO_DEFAULT_BASE_URL, timeoutMs = ZALO_DEFAULT_TIMEOUT_MS } = options;
    if (typeof token !== "string" || token.length === 0 || /[\s/?#]/.test(token)) {
      // The token itself is not quoted.
      throw new TypeError("ZaloBotClient: token must be a non-empty string without spaces, '/', '?' or '#'");
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`ZaloBotClient: timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("ZaloBotClient: no fetch implementation");
    this.#token = token;
    // Bind the global fetch: some runtimes (Workers) reject an unbound call.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
  }

  /** Checks the token; answers the bot's `{ id, account_name, account_type, can_join_groups }`. */
  async getMe(options?: ZaloCallOptions): Promise<ZaloBotInfo> {
    return this.#call("getMe", {}, ZaloBotInfoSchema, options);
  }

  /**
   * Long polling. `timeout` (seconds) is sent as a string; the HTTP timeout of this call is the
   * client's timeout plus `timeout`. Returns `[]` when the poll ended without updates (an empty
   * result, or `error_code` 408). Malformed updates come back as `{ kind: "invalid" }`.
   */
  async getUpdates(params: GetUpdatesParams = {}, options?: ZaloCallOptions): Promise<ParsedZaloUpdate[]> {
    const body: Record<string, string> = {};
    let pollMs = 0;
    if (params.timeout !== undefined) {
      if (!Number.isInteger(params.timeout) || params.timeout < 0) {
        throw this.#invalidRequest("getUpdates", `timeout must be a non-negative integer (seconds)`);
      }
      body.timeout = String(params.timeout);
      pollMs = params.timeout * 1000;
    }
    const timeoutMs = (options?.timeoutMs ?? this.timeoutMs) + pollMs;
    try {
      const result = await this.#call("getUpdates", body, undefined, { ...options, timeoutMs });
      return parseUpdates({ ok: true, result });
    } catch (error) {
      // A long poll that ended without updates may be answered with error_code 408.
      const pollExpired = error instanceof ZaloApiError && (error.kind === "api" || error.kind === "http");
      if (pollExpired && error.errorCode === 408) return [];
      throw error;
    }
  }

  /** Sets the webhook; `secret_token` must be 8–256 characters and `url` an https URL. */
  async setWebhook(params: SetWebhookParams, options?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    const { url, secret_token } = params;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol !== "https:") throw this.#invalidRequest("setWebhook", "url must be an https URL");
    if (typeof secret_token !== "string" || secret_token.length < 8 || secret_token.length > 256) {
      throw this.#invalidRequest("setWebhook", "secret_token must be 8 to 256 characters long");
    }
    return this.#call("setWebhook", { url, secret_token }, ZaloWebhookInfoSchema, options);
  }

  /** Removes the webhook (needed before getUpdates works). */
  async deleteWebhook(options?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    return this.#call("deleteWebhook", {}, ZaloWebhookInfoSchema, options);
  }

  /** The current webhook: `{ url, updated_at }`, `url` is "" when none is set. */
  async getWebhookInfo(options?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    return this.#call("getWebhookInfo", {}, ZaloWebhookInfoSchema, options);
  }

  /** Sends a text of 1–2000 characters (UTF-16 code units; see `splitText`). */
  async sendMessage(params: SendMessageParams, options?: ZaloCallOptions): Promise<ZaloSentMessage> {
    const method = "sendMessage";
    this.#checkChatId(method, params.chat_id);
    this.#checkText(method, "text", params.text);
    return this.#call(method, { chat_id: params.chat_id, text: params.text }, ZaloSentMessageSchema, options);
  }

  /** Sends an image by URL, with an optional caption of 1–2000 characters. */
  async sendPhoto(params: SendPhotoParams, options?: ZaloCallOptions): Promise<ZaloSentMessage> {
    const method = "sendPhoto";
    this.#checkChatId(method, params.chat_id);
    if (typeof params.photo !== "string" || params.photo.trim() === "") {
      throw this.#invalidRequest(method, "photo must be a non-empty URL");
    }
    const body: Record<string, string> = { chat_id: params.chat_id, photo: params.photo };
    if (params.caption !== undefined) {
      this.#checkText(method, "caption", params.caption);
      body.caption = params.caption;
    }
    return this.#call(method, body, ZaloSentMessageSchema, options);
  }

  /** Sends a sticker by id. */
  async sendSticker(params: SendStickerParams, options?: ZaloCallOptions): Promise<ZaloSentMessage> {
    const method = "sendSticker";
    this.#checkChatId(method, params.chat_id);
    if (typeof params.sticker !== "string" || params.sticker.trim() === "") {
      throw this.#invalidRequest(method, "sticker must be a non-empty id");
    }
    return this.#call(
      method,
      { chat_id: params.chat_id, sticker: params.sticker },
      ZaloSentMessageSchema,
      options,
    );
  }

  /** Shows "typing…" in the chat. Zalo answers `{ ok: true }` without a result. */
  async sendChatAction(params: SendChatActionParams, options?: ZaloCallOptions): Promise<true> {
    const method = "sendChatAction";
    this.#checkChatId(method, params.chat_id);
    if (typeof params.action !== "string" || params.action.length === 0) {
      throw this.#invalidRequest(method, "action must be a non-empty string");
    }
    await this.#call(method, { chat_id: params.chat_id, action: params.action }, undefined, options);
    return true;
  }

  /**
   * Calls any method (e.g. one this client does not wrap yet) and returns its raw `result`.
   * Same transport, timeout and error classification as the typed methods.
   */
  async raw(method: string, body: Record<string, unknown> = {}, options?: ZaloCallOptions): Promise<unknown> {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(method)) {
      throw new TypeError(`ZaloBotClient.raw: invalid method name ${JSON.stringify(method)}`);
    }
    return this.#call(method, body, undefined, options);
  }

  /** Only the base URL: the token never appears in logs. */
  toString(): string {
    return `ZaloBotClient(${this.baseUrl})`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs };
  }

  /** For `console.log` / `util.inspect` under Node. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // -------------------------------------------------------------------------------------------

  async #call<S extends z.ZodType | undefined>(
    method: string,
    body: Record<string, unknown>,
    schema: S,
    options: ZaloCallOptions | undefined,
  ): Promise<S extends z.ZodType ? z.output<S> : unknown> {
    type Out = S extends z.ZodType ? z.output<S> : unknown;
    const url = `${this.baseUrl}/bot${this.#token}/${method}`;
    const shownUrl = `${this.baseUrl}/bot${REDACTED}/${method}`;
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const fail = (init: Omit<ZaloApiErrorInit, "method" | "url">) =>
      new ZaloApiError({
        ...init,
        method,
        url: shownUrl,
        description: this.#redact(init.description).slice(0, 500),
        cause: this.#redactCause(init.cause),
      });

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const callerSignal = options?.signal;
    const onCallerAbort = () => controller.abort();
    if (callerSignal?.aborted) controller.abort();
    else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      // Reading the body is covered by the same timeout.
      text = await response.text();
    } catch (error) {
      if (timedOut) {
        throw fail({ kind: "timeout", description: `no answer within ${timeoutMs} ms`, retryable: true });
      }
      if (controller.signal.aborted) {
        throw fail({
          kind: "aborted",
          description: "cancelled by the caller",
          retryable: true,
          cause: error,
        });
      }
      throw fail({ kind: "network", description: describeError(error), retryable: true, cause: error });
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    }

    const httpStatus = response.status;
    let json: unknown;
    let isJson = true;
    try {
      json = JSON.parse(text);
    } catch {
      isJson = false;
    }
    const envelope = isJson ? ZaloEnvelopeSchema.safeParse(json) : undefined;
    const answer = envelope?.success ? envelope.data : undefined;
    const retryAfterSeconds =
      parseRetryAfter(response.headers.get("retry-after")) ?? nonNegative(answer?.parameters?.retry_after);

    if (!response.ok) {
      const errorCode = answer?.error_code ?? httpStatus;
      throw fail({
        kind: "http",
        httpStatus,
        errorCode,
        description: answer?.description ?? (response.statusText || `HTTP ${httpStatus}`),
        retryable: isRetryableStatus(httpStatus),
        retryAfterSeconds,
      });
    }
    if (answer === undefined) {
      throw fail({
        kind: "invalid_response",
        httpStatus,
        description: isJson ? "answer is not a {ok, result} object" : "answer is not JSON",
        retryable: false,
      });
    }
    if (!answer.ok) {
      throw fail({
        kind: "api",
        httpStatus,
        errorCode: answer.error_code,
        description: answer.description ?? "ok: false",
        retryable: isRetryableStatus(answer.error_code),
        retryAfterSeconds,
      });
    }
    if (schema === undefined) return answer.result as Out;
    const result = schema.safeParse(answer.result);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue ? `${issue.path.map(String).join(".") || "result"}: ${issue.message}` : "result";
      throw fail({
        kind: "invalid_response",
        httpStatus,
        description: `unexpected result shape (${where})`,
        retryable: false,
      });
    }
    return result.data as Out;
  }

  #checkChatId(method: string, chatId: unknown): void {
    if (typeof chatId !== "string" || chatId.trim() === "") {
      throw this.#invalidRequest(method, "chat_id must be a non-empty string");
    }
  }

  #checkText(method: string, field: string, text: unknown): void {
    if (typeof text !== "string" || text.trim().length === 0) {
      throw this.#invalidRequest(method, `${field} must contain at least one non-space character`);
    }
    if (text.length > MAX_TEXT) {
      throw this.#invalidRequest(
        method,
        `${field} is ${text.length} characters long; the limit is ${MAX_TEXT}`,
      );
    }
  }

  #invalidRequest(method: string, description: string): ZaloApiError {
    return new ZaloApiError({
      method,
      kind: "invalid_request",
      description: this.#redact(description),
      retryable: false,
      url: `${this.baseUrl}/bot${REDACTED}/${method}`,
    });
  }

  /** Replaces the token (raw, URL-encoded, and its secret half) by `<redacted>`. */
  #redact(text: string): string {
    const token = this.#token;
    const needles = new Set([token, encodeURIComponent(token)]);
    const secret = token.slice(token.indexOf(":") + 1);
    if (secret.length >= 8) needles.add(secret);
    let out = text;
    for (const needle of [...needles].sort((a, b) => b.length - a.length))
      out = out.split(needle).join(REDACTED);
    return out;
  }

  /** The underlying error, rebuilt with redacted text (it may hold the URL, hence the token). */
  #redactCause(cause: unknown): unknown {
    if (cause === undefined) return undefined;
    const error = new Error(this.#redact(describeError(cause)));
    error.name = cause instanceof Error ? cause.name : "Error";
    if (error.stack) error.stack = this.#redact(error.stack);
    return error;
  }
}

/** "TypeError: fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)". Not yet redacted. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message || error.name;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    text += ` (${typeof code === "string" ? `${code}: ` : ""}${cause.message})`;
  }
  return text;
}

/** Retry-After is delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function nonNegative(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}
