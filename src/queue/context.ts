/** What every signed-in request of the officials' queue carries (Hono's env for the queue routes). */
import type { Hono } from "hono";
import type { ReferenceData } from "../data/index.ts";
import type { Db } from "../store/db.ts";
import type { CaseActions } from "./actions.ts";

export type OfficialRole = "officer" | "supervisor" | "leader" | "admin";

export interface SessionOfficial {
  id: string;
  username: string;
  displayName: string;
  agencyId: string;
  role: OfficialRole;
  canSeeIdentity: boolean;
}

export interface QueueEnv {
  Variables: {
    official: SessionOfficial;
    /** The session's synchronizer token: every form carries it as `_csrf` (or the X-CSRF-Token header). */
    csrfToken: string;
    /** Hash of the session cookie's token (the OfficialSession id). */
    sessionId: string;
  };
}

export type QueueApp = Hono<QueueEnv>;

/** What route modules of the queue get besides the app. */
export interface QueueServices {
  db: Db;
  data: ReferenceData;
  actions: CaseActions;
  now: () => Date;
  logger: {
    info(obj: unknown, msg?: string): void;
    warn(obj: unknown, msg?: string): void;
    error(obj: unknown, msg?: string): void;
  };
}

/** A module's routes, registered on the queue app after the session middleware. */
export type QueueRoutes = (app: QueueApp, services: QueueServices) => void;

/** Reads every agency's cases (leader, administrator) rather than only the official's own agency's. */
export function readsAllAgencies(o: Pick<SessionOfficial, "role">): boolean {
  return o.role === "leader" || o.role === "admin";
}

/** May act on cases (reply, transfer, close, …). A leader reads everything and writes nothing. */
export function canWriteCases(o: Pick<SessionOfficial, "role">): boolean {
  return o.role === "officer" || o.role === "supervisor" || o.role === "admin";
}

/** May manage the agency's work (assign to others, edit canned replies). */
export function isSupervisor(o: Pick<SessionOfficial, "role">): boolean {
  return o.role === "supervisor" || o.role === "admin";
}

/** The agencies whose cases the official sees: undefined = all. */
export function agencyScope(o: SessionOfficial): string | undefined {
  return readsAllAgencies(o) ? undefined : o.agencyId;
}
