/**
 * The case lifecycle: states and the only transitions the law and the workflow allow.
 * Pure: callers persist the resulting event.
 */
export const CASE_STATUSES = [
  "received",
  "routed",
  "in_progress",
  "waiting_citizen",
  "answered",
  "closed",
  "rejected",
  "transferred",
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  received: ["routed", "rejected", "transferred", "in_progress"],
  routed: ["in_progress", "rejected", "transferred", "waiting_citizen", "answered"],
  in_progress: ["waiting_citizen", "answered", "transferred", "rejected"],
  waiting_citizen: ["in_progress", "answered", "closed", "rejected"],
  // A citizen unhappy with the answer may reopen it (next step of the complaint), or it closes.
  answered: ["closed", "in_progress"],
  // Transferred to another agency: the receiving agency takes it from routed.
  transferred: ["routed", "rejected"],
  closed: [],
  rejected: [],
};

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: CaseStatus): readonly CaseStatus[] {
  return TRANSITIONS[from];
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: CaseStatus,
    readonly to: CaseStatus,
  ) {
    super(`Illegal case transition ${from} → ${to}`);
    this.name = "IllegalTransitionError";
  }
}

export interface StatusChange {
  type: "status_changed";
  data: { from: CaseStatus; to: CaseStatus; reason?: string };
}

/** Checks a transition and returns the event that records it; throws IllegalTransitionError otherwise. */
export function transition(from: CaseStatus, to: CaseStatus, reason?: string): StatusChange {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return { type: "status_changed", data: reason ? { from, to, reason } : { from, to } };
}

/** Open cases still need work from someone. */
export function isOpen(status: CaseStatus): boolean {
  return status !== "closed" && status !== "rejected";
}
