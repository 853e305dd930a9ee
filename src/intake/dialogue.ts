/**
 * The intake dialogue, channel-agnostic: one turn takes the stored state and a message and
 * returns the new state and the replies. Everything that touches storage or models goes through
 * `DialoguePorts`, so the dialogue reads as plain code (the spirit of grammY's conversations).
 */
import { localDate } from "../case/calendar.ts";
import { looksLikeCode, parseCode } from "../case/code.ts";
import { type CaseKind, isCaseKind } from "../case/kind.ts";
import type { CaseStatus } from "../case/lifecycle.ts";
import type { Commune, ReferenceData } from "../data/index.ts";
import { vd } from "../i18n/dialogue.ts";
import { formatDate, kindLabel, vi } from "../i18n/vi.ts";
import { placeName } from "../routing/router.ts";
import { issuerAgency, managingBody, officialLevel } from "./competence.ts";
import type { PlaceIndex } from "./places.ts";
import type { Choice, IncomingMessage, IncomingPhoto, Reply } from "./types.ts";
import {
  fold,
  isCancel,
  isInformationQuestion,
  isLookupIntent,
  isNo,
  isNonAnswer,
  isQuestion,
  isSend,
  isYes,
  kindCorrection,
  kindsNamed,
  looksLikeIdentity,
  parseDate,
  parseIdentity,
  splitMatters,
  statedIntent,
  wantsAnonymity,
} from "./understand.ts";

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
  | "issuer"
  | "round"
  | "court"
  | "known_date"
  | "late"
  | "request"
  | "level"
  | "topic"
  | "split"
  | "photo"
  | "anonymity"
  | "identity"
  | "identity_name"
  | "identity_address"
  | "identity_contact"
  | "unnamed"
  | "confirm"
  | "edit"
  | "edit_description"
  | "question"
  | "lookup"
  | "rate"
  | "rate_comment"
  | "supplement";

/**
 * Steps whose answer is the sender's own identity or contact: the inbound message is stored marked
 * (Message.identity) so officials without the right to see the sender's identity never read it.
 */
const IDENTITY_STEPS: ReadonlySet<string> = new Set([
  "identity",
  "identity_name",
  "identity_address",
  "identity_contact",
  "anonymity",
]);

export function isIdentityStep(step: string): boolean {
  return IDENTITY_STEPS.has(step);
}

/** Structured details of a khiếu nại or tố cáo (no identity here), stored with the case. */
export interface CaseDetails {
  decision?: string;
  issuer?: string;
  knownDate?: string;
  daysSinceKnown?: number;
  late?: boolean;
  lateReason?: string;
  request?: string;
  second?: boolean;
  inCourt?: boolean;
  accused?: string;
  accusedLevel?: "commune" | "city" | "police" | "unknown";
  competentAgencyId?: string;
  competentReason?: string;
  /** A question handed to an agency rather than a PAKN. */
  question?: boolean;
  /** A tố cáo sent without a name: received as information (Luật Tố cáo 2018, Điều 25). */
  unnamedReport?: boolean;
  faqId?: string;
}

export interface Draft {
  description: string[];
  photos: IncomingPhoto[];
  /** A commune id, null for "unknown / city-wide", undefined while not asked yet. */
  placeId?: string | null;
  kind?: CaseKind;
  kindSuggested?: CaseKind;
  /** The kind was taken from the classifier without asking (PAKN without complaint words). */
  kindInferred?: boolean;
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
  senderAddress?: string;
  details?: CaseDetails;
  /** Separate matters of one letter, each filed as its own case when the citizen agrees. */
  parts?: { text: string; topicId: string }[];
  splitAsked?: boolean;
  /** Asked once: the identity question was answered with something that is not a name. */
  identityAsked?: boolean;
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

const COMMANDS: Record<string, string[]> = {
  start: [
    "/start",
    "/menu",
    "menu",
    "bat dau",
    "xin chao",
    "chao",
    "alo",
    "hello",
    "hi",
    "chao ban",
    "chao anh",
    "chao em",
  ],
  file: ["/gui", "gui phan anh", "gui don", "nop don"],
  lookup: ["/tracuu", "tra cuu", "tracuu", "tra ma", "xem ho so"],
  cancel: ["/huy", "/cancel"],
  help: ["/trogiup", "/help", "tro giup", "huong dan", "help", "giup"],
};

function command(text: string): keyof typeof COMMANDS | undefined {
  const t = fold(text).replace(/@\w+$/, "");
  const raw = text.trim().toLowerCase().replace(/@\w+$/, "");
  for (const [name, words] of Object.entries(COMMANDS))
    if (words.includes(t) || words.includes(raw)) return name as keyof typeof COMMANDS;
  if (isCancel(text)) return "cancel";
  if (isLookupIntent(text) && fold(text).split(" ").length <= 8) return "lookup";
  return undefined;
}

/** Which offered choice the text picks: its id, its number, or its label's words. */
export function pickChoice(text: string, offered: readonly Choice[] | undefined): Choice | undefined {
  if (!offered?.length) return undefined;
  const t = text.trim();
  const byId = offered.find((c) => c.id === t);
  if (byId) return byId;
  const n = /^(?:số |so |chọn |chon )?(\d{1,2})[.)]?$/i.exec(t);
  if (n) return offered[Number(n[1]) - 1];
  const f = fold(t);
  if (!f) return undefined;
  return (
    offered.find((c) => fold(c.label) === f) ??
    offered.find((c) => f.length >= 4 && fold(c.label).startsWith(f))
  );
}

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

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => meaningful(w)).length;
}

/** Enough to go on: a sentence that says what happened. */
function substantial(text: string): boolean {
  return text.length >= LIMITS.minDescriptionChars && wordCount(text) >= 4;
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
  anonymous: { id: "anonymous", label: vi.choice.anonymous },
  changeTopic: { id: "change_topic", label: vi.choice.changeTopic },
  edit: { id: "edit", label: vd.choice.edit },
  back: { id: "back", label: vd.choice.back },
  first: { id: "round:1", label: vd.choice.firstComplaint },
  second: { id: "round:2", label: vd.choice.secondComplaint },
  court: { id: "court", label: vd.choice.inCourt },
  sendAnyway: { id: "send_anyway", label: vd.choice.sendAnyway },
  unnamed: { id: "unnamed", label: vd.choice.unnamedReport },
  giveName: { id: "give_name", label: vd.choice.giveName },
  askAgency: { id: "ask_agency", label: vd.choice.askAgency },
  fileInstead: { id: "file_pakn", label: vd.choice.fileInstead },
  understood: { id: "understood", label: vd.choice.understood },
  keepTogether: { id: "keep_together", label: vd.choice.keepTogether },
  unknownDate: { id: "unknown_date", label: vd.choice.unknownDate },
  noIssuer: { id: "unknown", label: vd.choice.noIssuer },
} satisfies Record<string, Choice | ((...a: never[]) => Choice)>;

/** The kinds in the order the question prints them: typing "3" always means the third line. */
export const KIND_ORDER: readonly CaseKind[] = ["pakn", "khieu_nai", "to_cao"];
const KIND_CHOICES: Choice[] = KIND_ORDER.map((k) => ({ id: k, label: kindLabel(k) }));

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

function details(d: Draft): CaseDetails {
  return d.details ?? {};
}

function withDetails(d: Draft, patch: Partial<CaseDetails>): Draft {
  return { ...d, details: { ...details(d), ...patch } };
}

const DAY = 86_400_000;

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
  // A choice the text picks wins over a command with the same words ("Gửi hồ sơ" at the summary).
  const cmd = picked
    ? ["file", "lookup", "help", "cancel"].includes(picked.id)
      ? picked.id
      : undefined
    : state.step === "edit_description"
      ? undefined
      : command(text);
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

  // A correction of the kind, at any step of a draft: "ko phai khieu nai, toi chon so 3 la to cao".
  if (
    state.draft &&
    !picked &&
    !["idle", "lookup", "rate", "rate_comment", "edit_description"].includes(state.step)
  ) {
    const corrected = kindCorrection(text, KIND_ORDER);
    if (corrected) return changeKind(state, corrected, ports);
  }

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
    case "issuer":
      return onIssuer(state, text, picked, ports);
    case "round":
    case "court":
      return onRound(state, text, picked, ports);
    case "known_date":
      return onKnownDate(state, text, picked, ports);
    case "late":
      return onLate(state, text, picked, ports);
    case "request":
      return onRequest(state, text, ports);
    case "level":
      return onLevel(state, text, picked, ports);
    case "topic":
      return onTopic(state, text, picked, ports);
    case "split":
      return onSplit(state, text, picked, ports);
    case "photo": // not asked since round 2; kept for conversations saved in that step
      return onPhotoStep(state, text, picked, ports);
    case "anonymity":
    case "identity":
    case "identity_name":
    case "identity_address":
    case "identity_contact":
      return onIdentity(state, text, picked, ports);
    case "unnamed":
      return onUnnamed(state, text, picked, ports);
    case "confirm":
      return onConfirm(state, text, picked, ports);
    case "edit":
      return onEdit(state, text, picked, ports);
    case "edit_description":
      return onEditDescription(state, text, ports);
    case "question":
      return onQuestion(state, text, picked, ports);
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

function changeKind(state: DialogueState, kind: CaseKind, ports: DialoguePorts): Promise<TurnResult> {
  const d = state.draft!;
  const draft: Draft = { ...d, kind };
  delete draft.kindInferred;
  if (kind !== d.kind) {
    // What belonged to the former kind no longer applies; what the citizen wrote stays.
    delete draft.subject;
    delete draft.details;
    delete draft.parts;
    delete draft.splitAsked;
    if (kind === "to_cao") delete draft.anonymous;
    if (kind !== "pakn" && d.anonymous) {
      delete draft.anonymous;
    }
  }
  return nextQuestion({ ...state, draft }, ports, [vd.kindChanged(kindLabel(kind))]);
}

function startDraft(kind?: CaseKind): Draft {
  return { description: [], photos: [], ...(kind ? { kind } : {}) };
}

async function onIdle(
  state: DialogueState,
  text: string,
  msg: IncomingMessage,
  ports: DialoguePorts,
): Promise<TurnResult> {
  if (looksLikeCode(text)) return onLookup({ ...state, step: "lookup" }, text, undefined, ports);
  const intent = statedIntent(text);
  if (intent) {
    const draft = { ...(state.draft ?? startDraft()), kind: intent.kind };
    const rest = text.split(/\s+/).slice(-intent.rest.split(" ").filter(Boolean).length).join(" ");
    if (intent.rest && substantial(rest)) {
      draft.description = [...draft.description, text];
      return nextQuestion({ ...state, draft }, ports, [vd.noted]);
    }
    return say({ ...state, step: "describe", draft }, [vd.askDescriptionFor(intent.kind)], [C.cancel]);
  }
  if (isInformationQuestion(text) && !state.draft) return startQuestion(state, text, ports);
  const protest = kindCorrection(text, KIND_ORDER);
  if (protest) {
    const draft = { ...(state.draft ?? startDraft()), kind: protest };
    return say(
      { ...state, step: "describe", draft },
      [vd.kindChanged(kindLabel(protest)), vd.askDescriptionFor(protest)],
      [C.cancel],
    );
  }
  if (text.length >= 25 && wordCount(text) >= 5) {
    // A citizen who starts by describing the problem: take it as the description and go on.
    const draft: Draft = state.draft ?? startDraft();
    draft.description = [...draft.description, text];
    return nextQuestion({ ...state, draft }, ports, [vd.noted]);
  }
  return say(state, [vi.greeting(msg.displayName)], menuChoices(state));
}

function resumeOrStart(state: DialogueState, ports: DialoguePorts): Promise<TurnResult> | TurnResult {
  if (!state.draft) {
    return say({ ...state, step: "describe", draft: startDraft() }, [vd.askDescription], [C.cancel]);
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
  const det = details(d);
  if (descriptionText(d).length < LIMITS.minDescriptionChars) {
    return say(
      { ...state, step: "describe" },
      [...prefix, d.kind ? vd.askDescriptionFor(d.kind) : vd.askDescription],
      [C.cancel],
    );
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
    if (found.kind === "ambiguous" && found.candidates.length <= 9) return askAmbiguous(state, found, prefix);
    return say(
      { ...state, step: "place" },
      [
        ...prefix,
        det.question ? vd.questionPlace(ports.data.province.name) : vi.askPlace(ports.data.province.name),
      ],
      [C.cityWide, C.cancel],
    );
  }
  if (!d.kind) {
    if (ports.classify && !d.kindSuggested && !d.topicId) await classifyDraft(d, ports);
    const f = fold(descriptionText(d));
    const cue =
      kindsNamed(descriptionText(d)).some((k) => k !== "pakn") ||
      /\b(quyet dinh|thu hoi|xu phat|boi thuong|tham nhung|hoi lo|nhung nhieu|an tien|doi tien|nhan tien|lam ngo|an chan|bao ke|lam sai)\b/.test(
        f,
      );
    if (d.kindSuggested === "pakn" && !cue) {
      return nextQuestion({ ...state, draft: { ...d, kind: "pakn", kindInferred: true } }, ports, [
        ...prefix,
        vd.kindInferred,
      ]);
    }
    const note = d.kindSuggested ? [vd.kindSuggested(kindLabel(d.kindSuggested))] : [];
    return say({ ...state, step: "kind" }, [...prefix, ...note, vd.askKind], KIND_CHOICES);
  }
  if (d.kind === "khieu_nai" && !det.question) {
    if (!d.subject) return say({ ...state, step: "subject" }, [...prefix, vd.askDecision], [C.cancel]);
    if (!det.competentAgencyId && det.issuer === undefined) {
      const found = issuerAgency(`${d.subject}`, ports.data, ports.places, d.placeId);
      if (found) {
        return nextQuestion(
          {
            ...state,
            draft: withDetails(d, {
              issuer: ports.data.agencyById.get(found.agencyId)!.name,
              competentAgencyId: found.agencyId,
              competentReason: found.reason,
            }),
          },
          ports,
          prefix,
        );
      }
      return say({ ...state, step: "issuer" }, [...prefix, vd.askIssuer], [C.noIssuer, C.cancel]);
    }
    if (det.second === undefined)
      return say({ ...state, step: "round" }, [...prefix, vd.askRound], [C.first, C.second, C.court]);
    if (det.knownDate === undefined) {
      return say(
        { ...state, step: "known_date" },
        [...prefix, vd.askKnownDate(Boolean(det.second))],
        [C.unknownDate, C.cancel],
      );
    }
    if (!det.request) return say({ ...state, step: "request" }, [...prefix, vd.askRequest], [C.cancel]);
  }
  if (d.kind === "to_cao" && !det.unnamedReport) {
    if (!d.subject) return say({ ...state, step: "subject" }, [...prefix, vd.askAccused], [C.cancel]);
    if (!det.accusedLevel) {
      const level = officialLevel(d.subject) ?? officialLevel(descriptionText(d));
      if (level === "official") {
        return say(
          { ...state, step: "level" },
          [...prefix, vd.askLevel],
          [
            { id: "level:commune", label: vd.choice.levelCommune },
            { id: "level:city", label: vd.choice.levelCity },
            { id: "level:unknown", label: vd.choice.levelUnknown },
          ],
        );
      }
      return nextQuestion({ ...state, draft: settleLevel(d, level ?? "unknown", ports) }, ports, prefix);
    }
  }
  if (d.kind === "pakn" && !det.question && !d.splitAsked && ports.classify) {
    const offer = await splitOffer(d, ports);
    if (offer)
      return say(
        { ...state, step: "split", draft: { ...d, parts: offer.parts } },
        [...prefix, offer.text],
        offer.choices,
      );
  }
  if (!d.topicId) {
    const c = ports.classify ? await classifyDraft(d, ports) : undefined;
    const official = ["commune", "city", "police"].includes(det.accusedLevel ?? "");
    if (c && !c.abstained) {
      d.topicId = c.topicId;
      d.topicSource = "classifier";
      d.topicConfidence = c.confidence;
    } else if (c && det.question) {
      // A question: its lighter handling takes the model's best guess rather than asking.
      d.topicId = c.topicId;
      d.topicSource = "classifier";
      d.topicConfidence = c.confidence;
    } else if (c && d.kind === "to_cao" && official && c.ranked.includes("officials_conduct")) {
      // A tố cáo about an official, and the model hesitates between that and something else.
      d.topicId = "officials_conduct";
      d.topicSource = "classifier";
      d.topicConfidence = c.confidence;
    } else {
      if (c) d.topicSuggested = c.topicId;
      const faqTopic = det.faqId ? ports.data.faq.find((f) => f.id === det.faqId)?.topicId : undefined;
      if (det.question && faqTopic && faqTopic !== "other") {
        d.topicId = faqTopic;
        d.topicSource = "classifier";
      } else {
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
  }
  if (!det.question && !det.unnamedReport) {
    const ask = identityQuestion(d);
    if (ask) return say({ ...state, step: ask.step }, [...prefix, ask.text], ask.choices);
  }
  return say({ ...state, step: "confirm" }, [...prefix, summary(d, ports)], confirmChoices(d));
}

function confirmChoices(d: Draft): Choice[] {
  return d.topicSource === "classifier"
    ? [C.send, C.edit, C.changeTopic, C.cancel]
    : [C.send, C.edit, C.cancel];
}

function askAmbiguous(
  state: DialogueState,
  m: { candidates: Commune[]; district?: string },
  prefix: string[] = [],
): TurnResult {
  const choices = m.candidates.slice(0, 9).map((c) => ({ id: `place:${c.id}`, label: placeName(c) }));
  const text = m.district ? vd.placeDistrict(m.district, m.candidates.length) : vi.placeAmbiguous;
  return say({ ...state, step: "place_pick" }, [...prefix, text], [...choices, C.otherPlace, C.cityWide]);
}

/** What the identity question asks next, or nothing when the law has what it needs. */
function identityQuestion(d: Draft): { step: Step; text: string; choices: Choice[] } | undefined {
  if (d.kind === "pakn") {
    if (d.anonymous) return undefined;
    if (!d.senderName && !d.identityAsked)
      return { step: "identity", text: vd.askIdentityPakn, choices: [C.anonymous, C.cancel] };
    if (!d.senderName) return { step: "identity_name", text: vd.askName, choices: [C.anonymous, C.cancel] };
    if (!d.senderContact && !d.senderAddress)
      return { step: "identity_contact", text: vd.askContact, choices: [C.anonymous, C.cancel] };
    return undefined;
  }
  const ask = d.kind === "khieu_nai" ? vd.askIdentityComplaint : vd.askIdentityDenunciation;
  const extra = d.kind === "to_cao" ? [C.unnamed, C.cancel] : [C.cancel];
  if (!d.senderName && !d.identityAsked) return { step: "identity", text: ask, choices: extra };
  if (!d.senderName) return { step: "identity_name", text: vd.askName, choices: extra };
  if (!d.senderAddress) return { step: "identity_address", text: vd.askAddress, choices: extra };
  return undefined;
}

/** "Dạ thưa cán bộ, …", "Kính gửi UBND phường, …": the address of a letter is not its subject. */
function withoutSalutation(text: string): string {
  return text.replace(
    /^\s*(?:(?:dạ|da|vâng|vang)\s+)?(?:kính gửi|kinh gui|kính thưa|kinh thua|thưa|thua|gửi|gui)\s[^,.:\n]{0,60}[,.:\n]\s*/iu,
    "",
  );
}

async function classifyDraft(d: Draft, ports: DialoguePorts): Promise<Classification | undefined> {
  if (!ports.classify) return undefined;
  const c = await ports.classify(withoutSalutation([descriptionText(d), d.subject ?? ""].join("\n").trim()));
  if (c.kind && !d.kindSuggested) d.kindSuggested = c.kind;
  return c;
}

async function splitOffer(
  d: Draft,
  ports: DialoguePorts,
): Promise<{ parts: { text: string; topicId: string }[]; text: string; choices: Choice[] } | undefined> {
  const matters = splitMatters(descriptionText(d));
  if (matters.length < 2 || matters.length > 6) return undefined;
  const parts: { text: string; topicId: string }[] = [];
  for (const text of matters) {
    const c = await ports.classify!(text);
    parts.push({ text, topicId: c.topicId });
  }
  if (new Set(parts.map((p) => p.topicId)).size < 2) return undefined;
  const lines = parts.map((p, i) =>
    vd.splitLine(i + 1, ports.data.topicById.get(p.topicId)?.name ?? p.topicId, shorten(p.text, 120)),
  );
  return {
    parts,
    text: vd.splitOffer(parts.length, lines),
    choices: [{ id: "split", label: vd.choice.split(parts.length) }, C.keepTogether, C.cancel],
  };
}

function summary(d: Draft, ports: DialoguePorts): string {
  const place = d.placeId ? ports.data.communeById.get(d.placeId) : undefined;
  const det = details(d);
  const topic = (id: string) => ports.data.topicById.get(id)?.name ?? id;
  const senderLine = d.senderName
    ? d.kind === "to_cao"
      ? vd.summaryLine.senderSecret(shorten(d.senderName, 200))
      : vd.summaryLine.sender(shorten(d.senderName, 200))
    : null;
  const lines = [
    det.question ? vd.summaryLine.question : vi.summaryLine.kind(kindLabel(d.kind!)),
    det.unnamedReport ? vd.summaryLine.unnamed : null,
    vi.summaryLine.topic(topic(d.topicId!)),
    vi.summaryLine.place(place ? placeName(place) : vi.choice.cityWide),
    d.kind === "khieu_nai" && d.subject ? vd.summaryLine.decision(shorten(d.subject, 300)) : null,
    det.issuer ? vd.summaryLine.issuer(det.issuer) : null,
    d.kind === "khieu_nai" && det.second !== undefined ? vd.summaryLine.round(det.second) : null,
    det.knownDate ? vd.summaryLine.knownDate(formatDate(new Date(det.knownDate))) : null,
    det.lateReason ? vd.summaryLine.lateReason(shorten(det.lateReason, 200)) : null,
    det.request ? vd.summaryLine.request(shorten(det.request, 300)) : null,
    d.kind === "to_cao" && d.subject ? vd.summaryLine.accused(shorten(d.subject, 300)) : null,
    d.parts?.length
      ? [
          vd.summaryLine.parts(d.parts.length),
          ...d.parts.map((p, i) => vd.summaryLine.part(i + 1, topic(p.topicId), shorten(p.text, 160))),
        ].join("\n")
      : vi.summaryLine.description(shorten(descriptionText(d), 600)),
    d.photos.length ? vi.summaryLine.photos(d.photos.length) : null,
    d.kind === "pakn" && !det.question ? vi.summaryLine.anonymous(Boolean(d.anonymous)) : null,
    senderLine,
    d.senderAddress ? vd.summaryLine.address(shorten(d.senderAddress, 200)) : null,
    d.senderContact ? vd.summaryLine.contact(d.senderContact) : null,
    det.competentAgencyId
      ? vd.summaryLine.agency(ports.data.agencyById.get(det.competentAgencyId)?.name ?? det.competentAgencyId)
      : null,
  ].filter((l): l is string => Boolean(l));
  return vd.summary(lines);
}

function onPhoto(
  state: DialogueState,
  photo: IncomingPhoto,
  caption: string,
  _ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft;
  if (!d || ["idle", "lookup", "rate", "rate_comment", "supplement", "question"].includes(state.step)) {
    return say(state, [vi.photoOutsideDraft], menuChoices(state));
  }
  if (d.photos.length >= LIMITS.photos) return say(state, [vd.tooManyPhotos(LIMITS.photos)], state.offered);
  const draft: Draft = { ...d, photos: [...d.photos, photo] };
  if (caption && descriptionText(draft).length + caption.length <= LIMITS.descriptionChars) {
    draft.description = [...draft.description, caption];
  }
  if (state.step === "describe" || state.step === "photo") {
    return say({ ...state, draft }, [vi.photoNoted(draft.photos.length)], [C.next, C.cancel]);
  }
  return say({ ...state, draft }, [vd.photoNotedHere(draft.photos.length)], state.offered);
}

function onDescribe(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft ?? startDraft();
  if (
    picked?.id === "next" ||
    ["tiep tuc", "tiep", "xong", "het", "vay thoi", "het roi", "xong roi"].includes(fold(text))
  ) {
    if (descriptionText(d).length < LIMITS.minDescriptionChars) {
      return say({ ...state, draft: d }, [vd.descriptionMore], [C.cancel]);
    }
    return nextQuestion({ ...state, draft: d }, ports);
  }
  if (isNonAnswer(text)) return say({ ...state, draft: d }, [vd.notAnAnswer, vd.descriptionMore], [C.cancel]);
  if (!d.description.length && !d.kind) {
    const intent = statedIntent(text);
    if (intent && !intent.rest) {
      return say(
        { ...state, draft: { ...d, kind: intent.kind } },
        [vd.askDescriptionFor(intent.kind)],
        [C.cancel],
      );
    }
  }
  const length = descriptionText(d).length;
  if (length + text.length > LIMITS.descriptionChars) {
    return say({ ...state, draft: d }, [vi.descriptionFull(LIMITS.descriptionChars)], [C.next, C.cancel]);
  }
  const draft = { ...d, description: [...d.description, text] };
  if (!substantial(descriptionText(draft))) {
    return say({ ...state, draft }, [vd.descriptionMore], [C.cancel]);
  }
  return nextQuestion({ ...state, draft }, ports, [vd.noted]);
}

function placeChosen(
  state: DialogueState,
  placeId: string | null,
  ports: DialoguePorts,
  via?: string,
  prefix: string[] = [],
): Promise<TurnResult> {
  const draft = { ...state.draft!, placeId };
  const commune = placeId ? ports.data.communeById.get(placeId) : undefined;
  const note = commune ? vi.placeNoted(placeName(commune), via) : vi.placeCityWide;
  return nextQuestion({ ...state, draft }, ports, [...prefix, note]);
}

const CITY_WIDE = [
  "khong ro",
  "khong biet",
  "toan thanh pho",
  "chung",
  "ca thanh pho",
  "nhieu noi",
  "khong nho",
];

function onPlace(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (picked?.id === "city_wide" || CITY_WIDE.includes(fold(text))) {
    return placeChosen(state, null, ports);
  }
  const m = ports.places.match(text);
  const phone = /\d{8,}/.test(text.replace(/[\s.-]/g, ""));
  if (wordCount(text) <= 5 && !phone) {
    if (m.kind === "unique") return placeChosen(state, m.commune.id, ports, m.via);
    if (m.kind === "ambiguous") return askAmbiguous(state, m);
  }
  if (looksLikeIdentity(text)) {
    // Never keep the sender's name or phone in the description: ask the place again.
    return say(state, [vd.notAnAnswer, vi.askPlace(ports.data.province.name)], [C.cityWide, C.cancel]);
  }
  const long = wordCount(text) >= 7;
  // A longer message here is more of the story (perhaps naming the place): keep it as description.
  const draft = long ? { ...state.draft!, description: [...state.draft!.description, text] } : state.draft!;
  const prefix = long ? [vd.addedDetail] : [];
  if (m.kind === "unique") return placeChosen({ ...state, draft }, m.commune.id, ports, m.via, prefix);
  if (m.kind === "ambiguous") return askAmbiguous({ ...state, draft }, m, prefix);
  if (long) {
    return say(
      { ...state, draft },
      [vd.addedDetail, vi.askPlace(ports.data.province.name)],
      [C.cityWide, C.cancel],
    );
  }
  if (isQuestion(text))
    return say(state, [vd.notAnAnswer, vi.askPlace(ports.data.province.name)], [C.cityWide, C.cancel]);
  return say(state, [vi.placeNotFound(shorten(text, 60))], [C.cityWide, C.cancel]);
}

function onPlaceConfirm(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const proposed = state.offered?.find((c) => c.id.startsWith("place:"));
  if (picked?.id.startsWith("place:") || (!picked && isYes(text) && proposed)) {
    return placeChosen(state, (picked ?? proposed)!.id.slice("place:".length), ports);
  }
  if (picked?.id === "city_wide") return placeChosen(state, null, ports);
  if (picked?.id === "other_place" || isNo(text)) {
    return say({ ...state, step: "place" }, [vi.askPlace(ports.data.province.name)], [C.cityWide, C.cancel]);
  }
  // They typed a place name (or more of the story) instead of answering yes/no.
  return onPlace({ ...state, step: "place" }, text, undefined, ports);
}

function onPlacePick(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (picked?.id.startsWith("place:")) return placeChosen(state, picked.id.slice("place:".length), ports);
  if (picked?.id === "city_wide") return placeChosen(state, null, ports);
  if (picked?.id === "other_place") {
    return say({ ...state, step: "place" }, [vi.askPlace(ports.data.province.name)], [C.cityWide, C.cancel]);
  }
  // A former commune or another name: only among the offered places when it settles it.
  const m = ports.places.match(text);
  const offeredIds = new Set((state.offered ?? []).map((c) => c.id));
  if (m.kind === "ambiguous") {
    const within = m.candidates.filter((c) => offeredIds.has(`place:${c.id}`));
    if (within.length === 1) return placeChosen(state, within[0]!.id, ports);
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
    const named = kindsNamed(text);
    if (named.length === 1) kind = named[0];
    else kind = kindCorrection(text, KIND_ORDER);
  }
  if (!kind) {
    if (isQuestion(text))
      return say(state, [vi.help.split("\n").slice(4).join("\n"), vd.askKind], KIND_CHOICES);
    return say(state, [vd.askKind], KIND_CHOICES);
  }
  const draft: Draft = { ...state.draft!, kind };
  delete draft.kindInferred;
  if (kind === "to_cao") delete draft.anonymous;
  return nextQuestion({ ...state, draft }, ports);
}

function onSubject(
  state: DialogueState,
  text: string,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  const ask = d.kind === "to_cao" ? vd.askAccused : vd.askDecision;
  if (isQuestion(text) && !parseDate(text, ports.now())) {
    if (wantsAnonymity(text)) return say(state, [vd.anonymityAnswer(d.kind!), ask], [C.cancel]);
    return say(state, [vd.notAnAnswer, ask], [C.cancel]);
  }
  if (isNonAnswer(text)) {
    // No written decision: the act itself is complained of (hành vi hành chính).
    if (d.kind === "khieu_nai") {
      return nextQuestion(
        { ...state, draft: { ...d, subject: "Hành vi hành chính (không có quyết định bằng văn bản)" } },
        ports,
      );
    }
    return say(state, [vd.notAnAnswer, ask], [C.cancel]);
  }
  if (text.length < 5) return say(state, [vi.subjectTooShort], [C.cancel]);
  return nextQuestion({ ...state, draft: { ...d, subject: text } }, ports);
}

function onIssuer(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  if (picked?.id === "unknown" || isNonAnswer(text))
    return nextQuestion({ ...state, draft: withDetails(d, { issuer: "" }) }, ports);
  if (isQuestion(text)) return say(state, [vd.notAnAnswer, vd.askIssuer], state.offered);
  const found = issuerAgency(text, ports.data, ports.places, d.placeId);
  const patch: Partial<CaseDetails> = { issuer: text };
  if (found) Object.assign(patch, { competentAgencyId: found.agencyId, competentReason: found.reason });
  return nextQuestion({ ...state, draft: withDetails(d, patch) }, ports);
}

function onRound(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  const f = fold(text);
  if (state.step === "court") {
    if (picked?.id === "send_anyway" || isSend(text))
      return nextQuestion(
        {
          ...state,
          step: "round",
          draft: withDetails(d, { inCourt: true, second: details(d).second ?? false }),
        },
        ports,
      );
    return say(state, [vd.inCourt], [C.sendAnyway, C.cancel]);
  }
  if (picked?.id === "court" || /\b(toa|khoi kien|kien ra toa)\b/.test(f)) {
    return say(
      { ...state, step: "court", draft: withDetails(d, { second: false }) },
      [vd.inCourt],
      [C.sendAnyway, C.cancel],
    );
  }
  let second: boolean | undefined;
  if (picked?.id === "round:1" || /\b(lan dau|lan 1|lan mot|dau tien)\b/.test(f)) second = false;
  else if (picked?.id === "round:2" || /\b(lan hai|lan 2|lan thu hai|lan nua)\b/.test(f)) second = true;
  if (second === undefined) return say(state, [vd.askRound], [C.first, C.second, C.court]);
  return nextQuestion({ ...state, draft: withDetails(d, { second }) }, ports);
}

function onKnownDate(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  const det = details(d);
  if (picked?.id === "unknown_date" || isNonAnswer(text)) {
    return nextQuestion({ ...state, draft: withDetails(d, { knownDate: "" }) }, ports, [vd.unknownDateNote]);
  }
  const date = parseDate(text, ports.now());
  if (!date) return say(state, [vd.askKnownDate(Boolean(det.second))], [C.unknownDate, C.cancel]);
  // Whole days between the local dates (the day it was received does not count).
  const days = Math.max(
    0,
    Math.round((Date.parse(localDate(ports.now())) - Date.parse(localDate(date))) / DAY),
  );
  const remote = Boolean(d.placeId && ports.data.communeById.get(d.placeId)?.remote);
  const limit = det.second ? (remote ? 45 : 30) : 90;
  const draft = withDetails(d, { knownDate: date.toISOString(), daysSinceKnown: days });
  if (days > limit) {
    return say(
      { ...state, step: "late", draft },
      [vd.late(days, limit, Boolean(det.second))],
      [C.sendAnyway, C.cancel],
    );
  }
  return nextQuestion({ ...state, draft }, ports, [vd.withinTime(days, limit)]);
}

function onLate(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  if (picked?.id === "send_anyway" || isSend(text) || isNonAnswer(text)) {
    return nextQuestion({ ...state, draft: withDetails(d, { late: true }) }, ports);
  }
  if (isQuestion(text)) return say(state, [vd.notAnAnswer], state.offered);
  return nextQuestion({ ...state, draft: withDetails(d, { late: true, lateReason: text }) }, ports);
}

function onRequest(
  state: DialogueState,
  text: string,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  if (isQuestion(text) || isNonAnswer(text) || text.length < 4)
    return say(state, [vd.notAnAnswer, vd.askRequest], [C.cancel]);
  return nextQuestion({ ...state, draft: withDetails(d, { request: text }) }, ports);
}

function settleLevel(
  d: Draft,
  level: "commune" | "city" | "police" | "unknown",
  ports: DialoguePorts,
): Draft {
  if (level === "unknown") return withDetails(d, { accusedLevel: "unknown" });
  const found = managingBody(level, `${d.subject ?? ""}`, ports.data, ports.places, d.placeId);
  return withDetails(d, {
    accusedLevel: level,
    ...(found ? { competentAgencyId: found.agencyId, competentReason: found.reason } : {}),
  });
}

function onLevel(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const f = fold(text);
  let level: "commune" | "city" | "unknown" | undefined;
  if (picked?.id === "level:commune" || /\b(xa|phuong|thon)\b/.test(f)) level = "commune";
  else if (picked?.id === "level:city" || /\b(so|thanh pho)\b/.test(f)) level = "city";
  else if (picked?.id === "level:unknown" || isNonAnswer(text)) level = "unknown";
  if (!level) return say(state, [vd.askLevel], state.offered);
  return nextQuestion({ ...state, draft: settleLevel(state.draft!, level, ports) }, ports);
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

function onSplit(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  if (picked?.id === "split" || isYes(text) || /\btach\b/.test(fold(text))) {
    const draft: Draft = { ...d, splitAsked: true };
    // The first matter's topic stands for the whole (the summary lists each).
    if (!draft.topicId && d.parts?.length)
      Object.assign(draft, { topicId: d.parts[0]!.topicId, topicSource: "classifier" });
    return nextQuestion({ ...state, draft }, ports);
  }
  if (picked?.id === "keep_together" || isNo(text) || /\bchung\b/.test(fold(text))) {
    const draft = { ...d, splitAsked: true };
    delete draft.parts;
    return nextQuestion({ ...state, draft }, ports);
  }
  return say(state, [vd.notAnAnswer], state.offered);
}

function onPhotoStep(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  const draft: Draft = { ...state.draft!, photoAsked: true };
  if (picked?.id === "no_photo" || picked?.id === "next" || picked?.id === "skip" || isNonAnswer(text)) {
    return nextQuestion({ ...state, draft }, ports);
  }
  if (descriptionText(draft).length + text.length <= LIMITS.descriptionChars)
    draft.description = [...draft.description, text];
  return nextQuestion({ ...state, draft }, ports, [vd.addedDetail]);
}

function onIdentity(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d: Draft = { ...state.draft!, identityAsked: true };
  const kind = d.kind!;
  if (picked?.id === "anonymous" || (kind === "pakn" && wantsAnonymity(text) && !isQuestion(text))) {
    const draft: Draft = { ...d, anonymous: true };
    delete draft.senderName;
    delete draft.senderContact;
    delete draft.senderAddress;
    return nextQuestion({ ...state, draft }, ports);
  }
  if (picked?.id === "unnamed") return onUnnamed({ ...state, draft: d }, text, picked, ports);
  if (kind === "to_cao" && wantsAnonymity(text)) {
    // "e ko mun de ten dc ko a? gui an danh dc ko": answered plainly, never stored as a name.
    return say(
      { ...state, step: "unnamed", draft: d },
      [vd.anonymityAnswer("to_cao")],
      [C.unnamed, C.giveName, C.cancel],
    );
  }
  if (wantsAnonymity(text) || isQuestion(text)) {
    // "e ko mun de ten dc ko a? gui an danh dc ko": a question, answered, never stored as a name.
    const answer = wantsAnonymity(text) ? vd.anonymityAnswer(kind) : vd.notAnAnswer;
    const ask = identityQuestion(d);
    const choices = kind === "to_cao" ? [C.unnamed, C.giveName, C.cancel] : (ask?.choices ?? [C.cancel]);
    return say({ ...state, draft: d }, [answer, ask?.text ?? ""].filter(Boolean), choices);
  }
  if (isNonAnswer(text) && state.step === "identity_contact" && kind === "pakn") {
    return say({ ...state, draft: d }, [vd.askContact], [C.anonymous, C.cancel]);
  }
  const parts = parseIdentity(text);
  const draft: Draft = { ...d, anonymous: false };
  if (state.step === "identity_address" || state.step === "identity_contact") {
    // The answer to "where do you live / how to reach you" is never a name.
    if (!parts.phone && !parts.email && text.split(/\s+/).length >= 2 && !isNonAnswer(text))
      parts.address = text.trim();
    delete parts.name;
  }
  if (state.step === "identity_name" && !parts.name) {
    return say({ ...state, draft: d }, [vi.identityTooShort, vd.askName], state.offered);
  }
  if (parts.name) draft.senderName = parts.name;
  if (parts.address) draft.senderAddress = parts.address;
  const contact = parts.phone ?? parts.email;
  if (contact) draft.senderContact = contact;
  if (!parts.name && !parts.address && !contact) {
    return say({ ...state, draft: d }, [vi.identityTooShort], state.offered);
  }
  return nextQuestion({ ...state, draft }, ports);
}

function onUnnamed(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  if (picked?.id === "unnamed" || wantsAnonymity(text) || isYes(text)) {
    // Luật Tố cáo 2018, Điều 25: received as information; filed as an anonymous report.
    const draft: Draft = withDetails({ ...d, kind: "pakn", anonymous: true }, { unnamedReport: true });
    delete draft.senderName;
    delete draft.senderContact;
    delete draft.senderAddress;
    return nextQuestion({ ...state, draft }, ports, [vd.unnamedChosen]);
  }
  if (picked?.id === "give_name" || isNo(text)) {
    return say(
      { ...state, step: "identity", draft: { ...d, identityAsked: true } },
      [vd.askIdentityDenunciation],
      [C.unnamed, C.cancel],
    );
  }
  // They wrote their name after all.
  return onIdentity({ ...state, step: "identity" }, text, undefined, ports);
}

/** A correction typed at the summary: "sai rồi, loại phải là tố cáo", "địa bàn là Hòa Khánh". */
function freeCorrection(
  state: DialogueState,
  text: string,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult | undefined {
  const f = fold(text);
  const kinds = kindsNamed(text);
  if (kinds.length && /\b(sai|loai|doi|sua|phai la|chuyen)\b/.test(f)) {
    const k = kindCorrection(text, KIND_ORDER) ?? (kinds.length === 1 ? kinds[0] : undefined);
    if (k) return changeKind(state, k, ports);
  }
  if (
    /\b(dia ban|dia diem|noi xay ra|xa|phuong|o)\b/.test(f) &&
    /\b(sai|sua|doi|la|chu khong phai|nham)\b/.test(f)
  ) {
    const m = ports.places.findIn(text);
    if (m.kind === "unique") return placeChosen({ ...state }, m.commune.id, ports);
    if (m.kind === "ambiguous") return askAmbiguous(state, m);
    return editField(state, "place", ports);
  }
  if (/\b(linh vuc|chu de)\b/.test(f)) {
    const topic = ports.data.topics.find((t) => f.includes(fold(t.name)));
    if (topic)
      return nextQuestion(
        { ...state, draft: { ...state.draft!, topicId: topic.id, topicSource: "citizen" } },
        ports,
      );
    return editField(state, "topic", ports);
  }
  if (/\b(noi dung|mo ta|viet lai)\b/.test(f) && /\b(sai|sua|doi|viet lai|lai)\b/.test(f))
    return editField(state, "description", ports);
  if (/\b(ten|ho ten|nguoi gui|so dien thoai|dia chi)\b/.test(f) && /\b(sai|sua|doi|nham)\b/.test(f))
    return editField(state, "sender", ports);
  return undefined;
}

async function onConfirm(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> {
  const d = state.draft!;
  if (picked?.id === "change_topic") return editField(state, "topic", ports);
  if (
    picked?.id === "edit" ||
    (!picked && /^(sua|sua lai|chinh sua|sua thong tin|sai|sai roi|khong dung|chua dung)$/.test(fold(text)))
  ) {
    return say({ ...state, step: "edit" }, [vd.askEdit], editChoices(d));
  }
  if (!picked) {
    const corrected = freeCorrection(state, text, ports);
    if (corrected) return corrected;
  }
  if (picked?.id !== "send" && !(!picked && isSend(text))) {
    if (!picked && wordCount(text) >= 4 && !isQuestion(text)) {
      // More of the story after the summary: add it and show the summary again.
      const draft = { ...d, description: [...d.description, text] };
      return say({ ...state, draft }, [vd.addedDetail, summary(draft, ports)], confirmChoices(draft));
    }
    return say(state, [vd.confirmHint], confirmChoices(d));
  }
  return file(d, ports);
}

async function file(d: Draft, ports: DialoguePorts): Promise<TurnResult> {
  const det = details(d);
  const full = d as Required<Pick<Draft, "kind" | "topicId">> & Draft;
  // A failure here aborts the whole turn (its transaction): the citizen's state is unchanged, the
  // web chat answers 503 politely and a messenger update is processed again.
  if (d.parts?.length) {
    const texts: string[] = [vd.filedMany(d.parts.length)];
    for (const p of d.parts) {
      const part = { ...full, description: [p.text], topicId: p.topicId, topicSource: "classifier" as const };
      delete (part as Draft).parts;
      const filed = await ports.fileCase(part);
      texts.push(
        vd.filedPakn({
          code: filed.code,
          agency: filed.agencyName,
          firstDue: formatDate(filed.acceptanceDueAt),
          due: formatDate(filed.dueAt),
        }),
      );
    }
    return say({ step: "idle" }, texts, menuChoices({ step: "idle" }));
  }
  const filed = await ports.fileCase(full);
  const text = det.question
    ? vd.filedQuestion({ code: filed.code, agency: filed.agencyName, due: formatDate(filed.dueAt) })
    : filed.kind === "pakn"
      ? vd.filedPakn({
          code: filed.code,
          agency: filed.agencyName,
          firstDue: formatDate(filed.acceptanceDueAt),
          due: formatDate(filed.dueAt),
        })
      : vi.filed({
          code: filed.code,
          agency: filed.agencyName,
          kind: filed.kind,
          acceptanceDue: formatDate(filed.acceptanceDueAt),
          due: formatDate(filed.dueAt),
        });
  return say({ step: "idle" }, [text], menuChoices({ step: "idle" }));
}

function editChoices(d: Draft): Choice[] {
  return [
    { id: "edit:kind", label: vd.choice.editKind },
    { id: "edit:place", label: vd.choice.editPlace },
    { id: "edit:topic", label: vd.choice.editTopic },
    { id: "edit:description", label: vd.choice.editDescription },
    ...(d.kind !== "pakn" ? [{ id: "edit:subject", label: vd.choice.editSubject }] : []),
    ...(d.anonymous ? [] : [{ id: "edit:sender", label: vd.choice.editSender }]),
    C.back,
  ];
}

type Field = "kind" | "place" | "topic" | "description" | "subject" | "sender";

function editField(
  state: DialogueState,
  field: Field,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = { ...state.draft! };
  switch (field) {
    case "kind":
      return say({ ...state, step: "kind", draft: d }, [vd.askKind], KIND_CHOICES);
    case "place":
      delete d.placeId;
      return say(
        { ...state, step: "place", draft: d },
        [vi.askPlace(ports.data.province.name)],
        [C.cityWide, C.cancel],
      );
    case "topic": {
      if (d.topicSource === "classifier" && d.topicId) d.topicSuggested = d.topicId;
      delete d.topicId;
      delete d.topicConfidence;
      const choices = ports.data.topics.map((t) => ({ id: `topic:${t.id}`, label: t.name }));
      return say({ ...state, step: "topic", draft: d }, [vi.askTopic], choices);
    }
    case "description":
      return say(
        { ...state, step: "edit_description", draft: d },
        [vd.askNewDescription],
        [C.back, C.cancel],
      );
    case "subject": {
      delete d.subject;
      // The issuer and the competent body were read from the old answer: ask them again.
      const {
        issuer: _i,
        competentAgencyId: _a,
        competentReason: _r,
        accusedLevel: _l,
        ...rest
      } = details(d);
      d.details = rest;
      return nextQuestion({ ...state, draft: d }, ports);
    }
    case "sender":
      delete d.senderName;
      delete d.senderContact;
      delete d.senderAddress;
      delete d.identityAsked;
      delete d.anonymous;
      return nextQuestion({ ...state, draft: d }, ports);
  }
}

function onEdit(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (picked?.id === "back") return nextQuestion(state, ports);
  if (picked?.id.startsWith("edit:")) return editField(state, picked.id.slice(5) as Field, ports);
  const corrected = freeCorrection(state, text, ports);
  if (corrected) return corrected;
  const f = fold(text);
  const byWord: [RegExp, Field][] = [
    [/\bloai\b/, "kind"],
    [/\b(dia ban|dia diem|noi)\b/, "place"],
    [/\b(linh vuc|chu de)\b/, "topic"],
    [/\b(noi dung|mo ta)\b/, "description"],
    [/\b(doi tuong|quyet dinh|nguoi bi)\b/, "subject"],
    [/\b(ten|nguoi gui|dien thoai|dia chi)\b/, "sender"],
  ];
  const hit = byWord.find(([re]) => re.test(f));
  if (hit) return editField(state, hit[1], ports);
  return say(state, [vd.askEdit], state.offered);
}

function onEditDescription(
  state: DialogueState,
  text: string,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  if (text === "back" || fold(text) === "quay lai") return nextQuestion(state, ports);
  if (!substantial(text)) return say(state, [vd.descriptionMore], [C.back, C.cancel]);
  const draft: Draft = { ...state.draft!, description: [text] };
  delete draft.parts;
  delete draft.splitAsked;
  return nextQuestion({ ...state, draft }, ports, [vd.noted]);
}

// ---------------------------------------------------------------------------------------------
// Questions (not a case): answered from data/faq.json, or handed to the agency as a question

function faqMatch(text: string, ports: DialoguePorts) {
  const f = ` ${fold(text)} `;
  let best: { entry: (typeof ports.data.faq)[number]; score: number } | undefined;
  for (const entry of ports.data.faq) {
    let score = 0;
    for (const k of entry.keywords) {
      const kf = fold(k);
      if (f.includes(` ${kf} `)) score += kf.split(" ").length;
    }
    if (score > (best?.score ?? 0)) best = { entry, score };
  }
  return best && best.score >= 2 ? best.entry : undefined;
}

function startQuestion(state: DialogueState, text: string, ports: DialoguePorts): TurnResult {
  const entry = faqMatch(text, ports);
  const draft: Draft = withDetails(
    { description: [text], photos: [] },
    { question: true, ...(entry ? { faqId: entry.id } : {}) },
  );
  if (entry) {
    return say(
      { ...state, step: "question", draft },
      [vd.faqAnswer(entry.answer, entry.source), vd.faqMore],
      [C.understood, C.askAgency, C.fileInstead],
    );
  }
  const days = (ports.data.deadlines.question ?? ports.data.deadlines.pakn).settlement.n;
  return say(
    { ...state, step: "question", draft },
    [vd.questionNoAnswer(days)],
    [C.askAgency, C.fileInstead, C.cancel],
  );
}

function onQuestion(
  state: DialogueState,
  text: string,
  picked: Choice | undefined,
  ports: DialoguePorts,
): Promise<TurnResult> | TurnResult {
  const d = state.draft!;
  if (
    picked?.id === "understood" ||
    (!picked && /^(cam on|da ro|ro roi|ok cam on|thanks|cam on nhe)/.test(fold(text)))
  ) {
    return say({ step: "idle" }, [vd.understood], menuChoices({ step: "idle" }));
  }
  if (picked?.id === "ask_agency" || (!picked && isYes(text))) {
    return nextQuestion({ ...state, draft: { ...d, kind: "pakn" } }, ports);
  }
  if (picked?.id === "file_pakn") {
    // The question is not the report: ask for what happened.
    return say(
      { ...state, step: "describe", draft: startDraft("pakn") },
      [vd.askDescriptionFor("pakn")],
      [C.cancel],
    );
  }
  // Another question, or the problem itself.
  if (isInformationQuestion(text)) return startQuestion({ step: "idle" }, text, ports);
  return onIdle({ step: "idle" }, text, { channel: "web", chatId: "", userId: "", text }, ports);
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
