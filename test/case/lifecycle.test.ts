import { describe, expect, it } from "vitest";
import {
  allowedTransitions,
  CASE_STATUSES,
  canTransition,
  IllegalTransitionError,
  isOpen,
  transition,
} from "../../src/case/lifecycle.ts";

describe("case lifecycle", () => {
  it("follows the working path received → routed → in progress → answered → closed", () => {
    const path = ["received", "routed", "in_progress", "answered", "closed"] as const;
    for (let i = 0; i + 1 < path.length; i++) {
      expect(transition(path[i]!, path[i + 1]!)).toEqual({
        type: "status_changed",
        data: { from: path[i], to: path[i + 1] },
      });
    }
  });

  it("lets an official ask the citizen for more and resume", () => {
    expect(canTransition("in_progress", "waiting_citizen")).toBe(true);
    expect(canTransition("waiting_citizen", "in_progress")).toBe(true);
  });

  it("allows transfer and refusal, and takes a transferred case back to routed", () => {
    expect(canTransition("routed", "transferred")).toBe(true);
    expect(canTransition("transferred", "routed")).toBe(true);
    expect(canTransition("received", "rejected")).toBe(true);
  });

  it("refuses illegal moves with a clear error", () => {
    expect(() => transition("received", "closed")).toThrow(IllegalTransitionError);
    expect(() => transition("closed", "in_progress")).toThrow("closed → in_progress");
    expect(canTransition("rejected", "routed")).toBe(false);
    expect(canTransition("answered", "routed")).toBe(false);
  });

  it("has no way out of closed and rejected, and every other state can move", () => {
    for (const s of CASE_STATUSES) {
      expect(allowedTransitions(s).length === 0).toBe(!isOpen(s));
    }
  });

  it("records the reason when given", () => {
    expect(transition("routed", "rejected", "Không thuộc thẩm quyền").data.reason).toBe(
      "Không thuộc thẩm quyền",
    );
  });
});
