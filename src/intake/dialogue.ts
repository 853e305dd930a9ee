/**
 * The intake dialogue, channel-agnostic: one turn takes the stored state and a message and
 * returns the new state and the replies. Everything that touches storage or models goes through
 * `DialoguePorts`, so the dialogue reads as plain code (the spirit of grammY's conversations).
 */
import { looksLikeCode, parseCode } from "../case/code.ts";
import { type CaseKind, isCaseKind } from "../case/kind.ts";
import type { CaseStatus } from "../case/lifecycle.ts";
import { stripDiacritics } from "../classify/normalize.ts";
import type { ReferenceData } from "../data/index.ts";
import { formatDate, kindLabel, vi } from "../i18n/vi.ts";
import { placeName } from "../routing/router.ts";
import type { PlaceIndex } from "./places.ts";
import type { Choice, IncomingMessage, IncomingPhoto, Reply } from "./types.ts";

export const LIMITS = {
  /** One message. */
  messageChars: 5000,
  /** The whole description of a case. */
  descriptionChars: 20_000,
  minDescriptionChars: 15,
  photos: 10,
} as const;

export type Step =
  | "idle"
  | "describe"
  | "place"
  | "place_confirm"
  | "place_pick"
  | "kind"
  | "subject"
  | "topic"
  | "photo"
  | "anonymity"
  | "identity"
  | "confirm"
  | "lookup"
  | "rate"
  | "rate_comment"
  | "supplement";

/**
 * Steps whose answer is the sender's own identity or contact: the inbound message is stored marked
 * (Message.identity) so officials without the right to see the sender's identity never read it.
 */
export function isIdentityStep(step: string): boolean {
  return step === "identity";
}

export interface Draft {
  description: string[];
  photos: IncomingPhoto[];
  /** A commune id, null for "unknown / city-wide", undefined while not asked yet. */
  placeId?: string | null;
  kind?: CaseKind;
  kindSuggested?: CaseKind;
  subject?: string;
  topicId?: string;
  topicSource?: "citizen" | "classifier";
  topicConfidence?: number;
  /** What the classifier proposed when the citizen chose (abstention or correction): a training signal. */
  topicSuggested?: string;
  photoAsked?: boolean;
  anonymous?: boolean;
  senderName?: string;
  senderContact?: string;
}

export interface DialogueState {
  step: Step;
  draft?: Draft;
  /** The choices offered by the last reply, so "2" or the label's words pick one. */
  offered?: Choice[];
  rating?: { caseId: string; code: string; score?: number };
  /** An official asked for more information on this case: the next message goes to it. */
  supplement?: { caseId: string; code: string };
}

export const initialState: DialogueState = { step: "idle" };

export interface Classification {
  topicId: string;
  confidence: number;
  abstained: boolean;
  /** Best topics first, for the citizen to choose from when the classifier abstains. */
  ranked: string[];
  kind?: CaseKind;
}

export interface FiledCase {
  code: string;
  kind: CaseKind;
  agencyName: string;
  acceptanceDueAt: Date;
  dueAt: Date;
}

export interface CaseView {
  code: string;
  kind: CaseKind;
  status: CaseStatus;
  topicName: string;
  agencyName: string | null;
  placeName: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  publicAnswer: string | null;
  /** True when the case was filed by this citizen: private details may be shown. */
  own: boolean;
  description: string;
}

export interface DialoguePorts {
  data: ReferenceData;
  places: PlaceIndex;
  now(): Date;
  fileCase(draft: Required<Pick<Draft, "kind" | "topicId">> & Draft): Promise<FiledCase>;
  lookup(code: string): Promise<CaseView | null>;
  listOpenCases(): Promise<{ code: string; kind: CaseKind; status: CaseStatus }[]>;
  rate(caseId: string, score: number, comment?: string): Promise<void>;
  /** Adds what the citizen sent to a case waiting for them. */
  supplement(caseId: string, text: string, photo?: IncomingPhoto): Promise<void>;
  /** Present once the classifier is wired; without it the citizen picks the topic. */
  classify?(text: string): Promise<Classification>;
}

export interface TurnResult {
  state: DialogueState;
  replies: Reply[];
  /** The case this inbound message belongs to, when the turn attached it to one. */
  caseId?: string;
}

// ---------------------------------------------------------------------------------------------
// Reading what the citizen typed

function fold(text: string): string {
  return stripDiacritics(text.normalize("NFC").toLowerCase()).replace(/\s+/g, " ").trim();
}

const COMMANDS: Record<string, string[]> = {
  start: ["/start", "/menu", "menu", "bat dau", "xin chao", "chao", "alo", "hello", "hi"],
  file: ["/gui", "gui phan anh", "gui don", "phan anh"],
  lookup: ["/tracuu", "tra cuu", "tracuu", "tra ma", "xem ho so"],
  cancel: ["/huy", "huy", "huy bo", "thoat", "cancel", "/cancel", "dung lai"],
  help: ["/trogiup", "/help", "tro giup", "huong dan", "help", "giup"],
};

function command(text: string): keyof typeof COMMANDS | undefined {
  const t = fold(text).replace(/@\w+$/, "");
  for (const [name, words] of Object.entries(COMMANDS))
    if (words.includes(t)) return name as keyof typeof COMMANDS;
  return undefined;
}

/** Which offered choice the text picks: its id, its number, or its label's words. */
export function pickChoice(text: string, offered: readonly Choice[] | undefined): Choice | undefined {
  if (!offered?.length) return undefined;
  const t = text.trim();
  const byId = offered.find((c) => c.id === t);
  if (byId) return byId;
  const n = /^(\d{1,2})[.)]?$/.exec(t);
  if (n) return offered[Number(n[1]) - 1];
  const f = fold(t);
  if (!f) return undefined;
  return (
    offered.find((c) => fold(c.label) === f) ??
    offered.find((c) => f.length >= 4 && fold(c.label).startsWith(f))
  );
}

const YES = ["co", "dung", "u", "uh", "ok", "oke", "vang", "da", "yes", "dong y", "chinh xac", "phai"];
const NO = ["khong", "ko", "k", "no", "sai", "khong phai", "hong"];

function meaningful(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

function spamLike(text: string): boolean {
  const urls = text.match(/https?:\/\/|www\./gi)?.length ?? 0;
  if (urls >= 3) return true;
  if (/(.)\1{29,}/u.test(text)) return true;
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length >= 30 && new Set(words).size / words.length < 0.1) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Replies

const C = {
  file: (resume: boolean): Choice => ({ id: "file", label: resume ? vi.choice.resume : vi.choice.file }),
  lookup: { id: "lookup", label: vi.choice.lookup },
  help: { id: "help", label: vi.choice.help },
  next: { id: "next", label: vi.choice.next },
  cancel: { id: "cancel", label: vi.choice.cancel },
  skip: { id: "skip", label: vi.choice.skip },
  send: { id: "send", label: vi.choice.send },
  yes: { id: "yes", label: vi.choice.yes },
  otherPlace: { id: "other_place", label: vi.choice.otherPlace },
  cityWide: { id: "city_wide", label: vi.choice.cityWide },
  noPhoto: { id: "no_photo", label: vi.choice.noPhoto },
  notAnonymous: { id: "not_anonymous", label: vi.choice.notAnonymous },
  anonymous: { id: "anonymous", label: vi.choice.anonymous },
  changeTopic: { id: "change_topic", label: vi.choice.changeTopic },
} satisfies Record<string, Choice | ((...a: never[]) => Choice)>;

const KIND_CHOICES: Choice[] = [
  { id: "pakn", label: kindLabel("pakn") },
  { id: "khieu_nai", label: kindLabel("khieu_nai") },
  { id: "to_cao", label: kindLabel("to_cao") },
];

function menuChoices(state: DialogueState): Choice[] {
  return [C.file(Boolean(state.draft)), C.lookup, C.help];
}

/** Builds the result: the last reply carries the choices, which the state remembers. */
function say(state: DialogueState, texts: string[], choices?: Choice[]): TurnResult {
  const replies: Reply[] = texts.map((text) => ({ text }));
  const next: DialogueState = { ...state };
  if (choices?.length) {
    replies[replies.length - 1] = { text: texts[texts.length - 1]!, choices };
    next.offered = choices;
  } else delete next.offered;
  return { state: next, replies };
}

function descriptionText(draft: Draft): string {
  return draft.description.join("\n");
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------
// The turn

export async function handleTurn(
  state: DialogueState,
  msg: IncomingMessage,
  ports: DialoguePorts,
): Promise<TurnResult> {
  if (msg.isGroup) return say(state, [vi.groupChat]);
  const text = (msg.text ?? "").normalize("NFC").trim();
  if (text.length > LIMITS.messageChars) {
    return say(state, [vi.tooLong(text.length, LIMITS.messageChars)], state.offered);
  }
  if (state.step === "supplement" && state.supplement && (msg.photo || (text && !command(text)))) {
    return onSupplement(state, text, msg.photo, ports);
  }
  if (msg.photo) return onPhoto(state, msg.photo, text, ports);
  if (!text) return say(state, [vi.empty], state.offered ?? menuChoices(state));

  // Commands work at any step.
  const picked = pickChoice(text, state.offered);
  const cmd =
    command(text) ??
    (picked && ["file", "lookup", "help", "cancel"].includes(picked.id) ? picked.id : undefined);
  if (cmd === "cancel") {
    const had = Boolean(state.draft) || state.step !== "idle";
    return say(
      { step: "idle" },
      [had ? vi.cancelled : vi.nothingToCancel, vi.menu],
      menuChoices({ step: "idle" }),
    );
  }
  if (cmd === "help")
    return say(state, [vi.help], state.step === "idle" ? menuChoices(state) : state.offered);
  if (cmd === "start")
    return say({ ...state, step: "idle" }, [vi.greeting(msg.displayName)], menuChoices(state));
  if (cmd === "lookup") return askLookup({ ...state, step: "lookup" }, ports);
  if (cmd === "file") return resumeOrStart(state, ports);

  if (!meaningful(text)) return say(state, [vi.notUnderstood], state.offered ?? menuChoices(state));
  if (spamLike(text)) return say(state, [vi.spam], state.offered);

  switch (state.step) {
    case "idle":
      return onIdle(state, text, msg, ports);
    case "describe":
      return onDescribe(state, text, picked, ports);
    case "place":
      return onPlace(state, text, picked, ports);
    case "place_confirm":
      return onPlaceConfirm(state, text, picked, ports);
    case "place_pick":
      return onPlacePick(state, text, picked, ports);
    case "kind":
      return onKind(state, text, picked, ports);
    case "subject":
      return onSubject(state, text, ports);
    case "topic":
      return onTopic(state, text, picked, ports);
    case "photo":
      return onPhotoStep(state, text, picked, ports);
    case "anonymity":
      return onAnonymity(state, text, picked, ports);
    case "identity":
      return onIdentity(state, text, ports);
    case "confirm":
      return onConfirm(state, picked, ports);
    case "lookup":
      return onLookup(state, text, picked, ports);
    case "rate":
      return onRate(state, text, picked);
    case "rate_comment":
      return onRateComment(state, text, picked, ports);
    case "supplement":
      return onSupplement(state, text, undefined, ports);
  }
}

async function onIdle(
  state: DialogueState,
  text: string,
  msg: IncomingMessage,
  ports: DialoguePorts,
): Promise<TurnResult> {
  if (looksLikeCode(text)) return onLookup({ ...state, step: "lookup" }, text, undefined, ports);
  const words = text.split(/\s+/).filter((w) => meaningful(w)).length;
  if (text.length >= 25 && words >= 5) {
    // A citizen who starts by describing the problem: take it as the description.
    const draft: Draft = state.draft ?? { description: [], photos: [] };
    draft.description = [...draft.description, text];
    return say({ ...state, step: "describe", draft }, [vi.startedFromText], [C.next, C.cancel]);
  }
  return say(state, [vi.greeting(msg.displayName)], menuChoices(state));
}

function resumeOrStart(state: DialogueState, ports: DialoguePorts): Promise<TurnResult> | TurnResult {
  if (!state.draft) {
    return say(
      { ...state, step: "describe", draft: { description: [], photos: [] } },
      [vi.askDescription],
      [C.cancel],
    );
  }
  return nextQuestion({ ...state }, ports);
}

/** Asks the next missing piece of the draft, in order. */
async function nextQuestion(
  state: DialogueState,
  ports: DialoguePorts,
  prefix: string[] = [],
): Promise<TurnResult> {
  const d = state.draft!;
  if (descriptionText(d).length < LIMITS.minDescriptionChars) {
    return say({ ...state, step: "describe" }, [...prefix, vi.askDescription], [C.cancel]);
  }
  if (d.placeId === undefined) {
    const found = ports.places.findIn(descriptionText(d));
    if (found.kind === "unique") {
      return say(
        { ...state, step: "place_confirm", draft: { ...d } },
        [...prefix, vi.confirmPlace(placeName(found.commune))],
        [{ id: `place:${found.commune.id}`, label: vi.choice.yes }, C.otherPlace, C.cityWide],
      );
    }
    return say(
      { ...state, step: "place" },
      [...prefix, vi.askPlace(ports.data.province.name)],
      [C.cityWide, C.cancel],
    );
  }
  if (!d.kind) {
    let note: string[] = [];
    if (ports.classify && !d.kindSuggested && !d.topicId) await classifyDraft(d, ports);
    if (d.kindSuggested) note = [vi.kindSuggested(kindLabel(d.kindSuggested))];
    const choices = d.kindSuggested
      ? [
          KIND_CHOICES.find((c) => c.id === d.kindSuggested)!,
          ...KIND_CHOICES.filter((c) => c.id !== d.kindSuggested),
        ]
      : KIND_CHOICES;
    return say({ ...state, step: "kind" }, [...prefix, vi.askKind, ...note], choices);
  }
  if ((d.kind === "khieu_nai" || d.kind === "to_cao") && !d.subject) {
    return say(
      { ...state, step: "subject" },
      [...prefix, d.kind === "khieu_nai" ? vi.askComplaintSubject : vi.askDenunciationSubject],
      [C.cancel],
    );
  }
  if (!d.topicId) {
    const c = ports.classify ? await classifyDraft(d, ports) : undefined;
    if (c && !c.abstained) {
      d.topicId = c.topicId;
      d.topicSource = "classifier";
      d.topicConfidence = c.confidence;
    } else {
      if (c) d.topicSuggested = c.topicId;
      const order = c
        ? [...c.ranked, ...ports.data.topics.map((t) => t.id)]
        : ports.data.topics.map((t) => t.id);
      const ids = [...new Set(order)];
      const choices = ids.map((id) => ({
        id: `topic:${id}`,
        label: ports.data.topicById.get(id)?.name ?? id,
      }));
      return say({ ...state, step: "topic" }, [...prefix, c ? vi.askTopicSuggested : vi.askTopic], choices);
    }
  }
  if (!d.photos.length && !d.photoAsked) {
    return say({ ...state, step: "photo" }, [...prefix, vi.askPhoto], [C.noPhoto, C.cancel]);
  }
  if (d.kind === "pakn" && d.anonymous === undefined) {
    return say(
      { ...state, step: "anonymity" },
      [...prefix, vi.askAnonymity],
      [C.notAnonymous, C.anonymous, C.cancel],
    );
  }
  if (d.kind !== "pakn" && !d.senderName) {
    return say(
      { ...state, step: "identity" },
      [...prefix, d.kind === "khieu_nai" ? vi.askIdentityComplaint : vi.askIdentityDenunciation],
      [C.cancel],
    );
  }
  const confirmChoices =
    d.topicSource === "classifier" ? [C.send, C.changeTopic, C.cancel] : [C.send, C.cancel];
  return say({ ...state, step: "confirm" }, [...prefix, summary(d, ports)], confirmChoices);
}

async function classifyDraft(d: Draft, ports: DialoguePorts): Promise<Classification | undefined> {
  if (!ports.classify) return undefined;
  const c = await ports.classify(descriptionText(d));
  if (c.kind && !d.kindSuggested) d.kindSuggested = c.kind;
  return c;
}

function summary(d: Draft, ports: DialoguePorts): string {
  const place = d.placeId ? ports.data.communeById.get(d.placeId) : undefined;
  const lines = [
    vi.summaryLine.kind(kindLabel(d.kind!)),
    vi.summaryLine.topic(ports.data.topicById.get(d.topicId!)?.name ?? d.topicId!),
    vi.summaryLine.place(place ? placeName(place) : vi.choice.cityWide),
    d.subject ? vi.summaryLine.subject(shorten(d.subject, 300)) : null,
    vi.summaryLine.description(shorten(descriptionText(d), 600)),
    d.photos.length ? vi.summaryLine.photos(d.photos.length) : null,
    d.kind === "pakn" ? vi.summaryLine.anonymous(Boolean(d.anonymous)) : null,
    d.senderName ? vi.summaryLine.sender(shorten(d.senderName, 200)) : null,
  ].filter((l): l is string => Boolean(l));
  return vi.summary(lines);
}

function onPhoto(
  state: DialogueState,
  photo: IncomingPhoto,
  caption: string,
  _ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft;
  if (
    !d ||
    !["describe", "photo", "place", "kind", "subject", "topic", "anonymity", "identity", "confirm"].includes(
      state.step,
    )
  ) {
    return say(state, [vi.photoOutsideDraft], menuChoices(state));
  }
  if (d.photos.length >= LIMITS.photos) return say(state, [vi.tooManyPhotos(LIMITS.photos)], state.offered);
  const draft: Draft = { ...d, photos: [...d.photos, photo] };
  if (caption && descriptionText(draft).length + caption.length <= LIMITS.descriptionChars) {
    draft.description = [...draft.description, caption];
  }
  if (state.step === "describe" || state.step === "photo") {
    return say({ ...state, draft }, [vi.photoNoted(draft.photos.length)], [C.next, C.cancel]);
  }
  return say({ ...state, draft }, [vi.photoNoted(draft.photos.length)], state.offered);
}

function onDescribe(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft ?? { description: [], photos: [] };
  if (picked?.id === "next" || ["tiep tuc", "tiep", "xong", "het", "vay thoi"].includes(fold(text))) {
    if (descriptionText(d).length < LIMITS.minDescriptionChars) {
      return say({ ...state, draft: d }, [vi.descriptionTooShort], [C.cancel]);
    }
    return nextQuestion({ ...state, draft: d }, ports);
  }
  const length = descriptionText(d).length;
  if (length + text.length > LIMITS.descriptionChars) {
    return say({ ...state, draft: d }, [vi.descriptionFull(LIMITS.descriptionChars)], [C.next, C.cancel]);
  }
  const draft = { ...d, description: [...d.description, text] };
  return say({ ...state, draft }, [vi.descriptionNoted(descriptionText(draft).length)], [C.next, C.cancel]);
}

function placeChosen(
  state: DialogueState,
  placeId: string | null,
  ports: DialoguePorts,
  via?: string,
): Promise<TurnResult> {
  const draft = { ...state.draft!, placeId };
  const commune = placeId ? ports.data.communeById.get(placeId) : undefined;
  const note = commune ? vi.placeNoted(placeName(commune), via) : vi.placeCityWide;
  return nextQuestion({ ...state, draft }, ports, [note]);
}

function onPlace(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (
    picked?.id === "city_wide" ||
    ["khong ro", "khong biet", "toan thanh pho", "chung"].includes(fold(text))
  ) {
    return placeChosen(state, null, ports);
  }
  const m = ports.places.match(text);
  if (m.kind === "unique") return placeChosen(state, m.commune.id, ports, m.via);
  if (m.kind === "ambiguous") {
    const choices = m.candidates.slice(0, 9).map((c) => ({ id: `place:${c.id}`, label: placeName(c) }));
    return say({ ...state, step: "place_pick" }, [vi.placeAmbiguous], [...choices, C.otherPlace]);
  }
  return say(state, [vi.placeNotFound(shorten(text, 60))], [C.cityWide, C.cancel]);
}

function onPlaceConfirm(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const proposed = state.offered?.find((c) => c.id.startsWith("place:"));
  if (picked?.id.startsWith("place:") || (!picked && YES.includes(fold(text)) && proposed)) {
    return placeChosen(state, (picked ?? proposed)!.id.slice("place:".length), ports);
  }
  if (picked?.id === "city_wide") return placeChosen(state, null, ports);
  if (picked?.id === "other_place" || NO.includes(fold(text))) {
    return say({ ...state, step: "place" }, [vi.askPlace(ports.data.province.name)], [C.cityWide, C.cancel]);
  }
  // They typed a place name instead of answering yes/no.
  return onPlace({ ...state, step: "place" }, text, undefined, ports);
}

function onPlacePick(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (picked?.id.startsWith("place:")) return placeChosen(state, picked.id.slice("place:".length), ports);
  if (picked?.id === "other_place") {
    return say({ ...state, step: "place" }, [vi.askPlace(ports.data.province.name)], [C.cityWide, C.cancel]);
  }
  return onPlace({ ...state, step: "place" }, text, undefined, ports);
}

function onKind(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  let kind: CaseKind | undefined;
  if (picked && isCaseKind(picked.id)) kind = picked.id;
  else {
    const f = fold(text);
    if (/khieu nai/.test(f)) kind = "khieu_nai";
    else if (/to cao/.test(f)) kind = "to_cao";
    else if (/phan anh|kien nghi|gop y|de xuat/.test(f)) kind = "pakn";
  }
  if (!kind) return say(state, [vi.askKind], state.offered);
  const draft: Draft = { ...state.draft!, kind };
  if (kind === "to_cao") delete draft.anonymous;
  return nextQuestion({ ...state, draft }, ports);
}

function onSubject(
  state: DialogueState,
  text: string,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (text.length < 5) return say(state, [vi.subjectTooShort], [C.cancel]);
  return nextQuestion({ ...state, draft: { ...state.draft!, subject: text } }, ports);
}

function onTopic(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  let id = picked?.id.startsWith("topic:") ? picked.id.slice("topic:".length) : undefined;
  if (!id) {
    const f = fold(text);
    id = ports.data.topics.find((t) => fold(t.name) === f)?.id;
  }
  if (!id || !ports.data.topicById.has(id)) return say(state, [vi.askTopic], state.offered);
  const draft: Draft = { ...state.draft!, topicId: id, topicSource: "citizen" };
  delete draft.topicConfidence;
  return nextQuestion({ ...state, draft }, ports);
}

function onPhotoStep(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  const draft: Draft = { ...state.draft!, photoAsked: true };
  if (
    picked?.id === "no_photo" ||
    picked?.id === "next" ||
    picked?.id === "skip" ||
    NO.includes(fold(text))
  ) {
    return nextQuestion({ ...state, draft }, ports);
  }
  // Anything else typed here is more description.
  if (descriptionText(draft).length + text.length <= LIMITS.descriptionChars)
    draft.description = [...draft.description, text];
  return nextQuestion({ ...state, draft }, ports, [vi.descriptionNoted(descriptionText(draft).length)]);
}

function onAnonymity(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const f = fold(text);
  let anonymous: boolean | undefined;
  if (picked?.id === "anonymous" || f === "an danh" || YES.includes(f)) anonymous = true;
  else if (picked?.id === "not_anonymous" || f === "khong an danh" || NO.includes(f)) anonymous = false;
  if (anonymous === undefined) return say(state, [vi.askAnonymity], state.offered);
  return nextQuestion({ ...state, draft: { ...state.draft!, anonymous } }, ports);
}

function onIdentity(
  state: DialogueState,
  text: string,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const letters = text
    .replace(/[^\p{L}\s]/gu, "")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (letters.length < 2) return say(state, [vi.identityTooShort], [C.cancel]);
  const phone = /(?:\+?84|0)(?:[\s.-]?\d){9,10}/.exec(text)?.[0]?.replace(/[\s.-]/g, "");
  const draft: Draft = { ...state.draft!, senderName: text, anonymous: false };
  if (phone) draft.senderContact = phone;
  return nextQuestion({ ...state, draft }, ports);
}

async function onConfirm(
  state: DialogueState,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  if (picked?.id === "change_topic" && state.draft) {
    // The citizen corrects the classifier: remember what it proposed.
    const draft: Draft = { ...state.draft, topicSuggested: state.draft.topicId! };
    delete draft.topicId;
    delete draft.topicConfidence;
    const choices = ports.data.topics.map((t) => ({ id: `topic:${t.id}`, label: t.name }));
    return say({ ...state, step: "topic", draft }, [vi.askTopic], choices);
  }
  if (picked?.id !== "send") return say(state, [vi.confirmHint], state.offered ?? [C.send, C.cancel]);
  const d = state.draft!;
  // A failure here aborts the whole turn (its transaction): the citizen's state is unchanged, the
  // web chat answers 503 politely and a messenger update is processed again.
  const filed = await ports.fileCase(d as Required<Pick<Draft, "kind" | "topicId">> & Draft);
  const text = vi.filed({
    code: filed.code,
    agency: filed.agencyName,
    kind: filed.kind,
    acceptanceDue: formatDate(filed.acceptanceDueAt),
    due: formatDate(filed.dueAt),
  });
  return say({ step: "idle" }, [text], menuChoices({ step: "idle" }));
}

async function askLookup(state: DialogueState, ports: DialoguePorts): Promise<TurnResult> {
  const open = await ports.listOpenCases();
  if (!open.length) return say(state, [vi.askCode], [C.cancel]);
  const list = open.slice(0, 10).map((c) => ({ id: c.code, label: `${c.code} — ${kindLabel(c.kind)}` }));
  return say(state, [vi.yourOpenCases, vi.askCode], [...list, C.cancel]);
}

async function onLookup(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  const parsed = parseCode(picked?.id ?? text);
  const back = state.draft ? { ...state, step: "idle" as const } : { step: "idle" as const };
  if (!parsed.ok) return say(state, [vi.codeInvalid[parsed.reason]], [C.cancel]);
  const view = await ports.lookup(parsed.code);
  if (!view) return say(state, [vi.codeNotFound(parsed.code)], [C.cancel]);
  const now = ports.now();
  const open = view.status !== "closed" && view.status !== "rejected" && view.status !== "answered";
  return say(
    back,
    [
      vi.caseView({
        code: view.code,
        kind: view.kind,
        status: view.status,
        topic: view.topicName,
        agency: view.agencyName,
        place: view.placeName,
        receivedAt: view.receivedAt,
        dueAt: view.dueAt,
        answer: view.publicAnswer,
        own: view.own,
        description: shorten(view.description, 500),
        overdue: Boolean(open && view.dueAt && view.dueAt < now),
      }),
    ],
    menuChoices(back),
  );
}

/** The state that asks a citizen to rate a closed case (entered when the closing notice is sent). */
export function ratingState(state: DialogueState, caseId: string, code: string): TurnResult {
  const choices = vi.ratingLabels.map((label, i) => ({ id: `rate:${i + 1}`, label: `${i + 1} — ${label}` }));
  return say({ ...state, step: "rate", rating: { caseId, code } }, [vi.askRating(code)], choices);
}

function onRate(state: DialogueState, text: string, picked: Choice | undefined): TurnResult {
  const n = picked?.id.startsWith("rate:")
    ? Number(picked.id.slice(5))
    : Number(/^\s*([1-5])\b/.exec(text)?.[1]);
  if (!state.rating || !(n >= 1 && n <= 5)) return say(state, [vi.ratingInvalid], state.offered);
  return say(
    { ...state, step: "rate_comment", rating: { ...state.rating, score: n } },
    [vi.askRatingComment],
    [C.skip],
  );
}

async function onRateComment(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  const r = state.rating;
  const back: DialogueState = state.draft ? { step: "idle", draft: state.draft } : { step: "idle" };
  if (!r?.score) return say(back, [vi.menu], menuChoices(back));
  await ports.rate(r.caseId, r.score, picked?.id === "skip" ? undefined : shorten(text, 2000));
  return say(back, [vi.ratingThanks], menuChoices(back));
}

/** The state that waits for the citizen's answer to an official's request for information. */
export function supplementState(
  state: DialogueState,
  caseId: string,
  code: string,
  question: string,
  agency: string,
): TurnResult {
  return say({ ...state, step: "supplement", supplement: { caseId, code } }, [
    vi.infoRequested(code, agency, question),
  ]);
}

async function onSupplement(
  state: DialogueState,
  text: string,
  photo: IncomingPhoto | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  const s = state.supplement!;
  await ports.supplement(s.caseId, text, photo);
  const back: DialogueState = state.draft ? { step: "idle", draft: state.draft } : { step: "idle" };
  return { ...say(back, [vi.supplemented(s.code)], menuChoices(back)), caseId: s.caseId };
}
