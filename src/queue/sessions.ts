/**
 * Sessions of signed-in officials: a random 32-byte token in an HttpOnly, SameSite=Lax cookie
 * (Secure and "__Host-" prefixed over https); the database keeps only its SHA-256, the synchronizer
 * CSRF token, and the idle and absolute expiry.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../store/db.ts";
import type { OfficialRole, SessionOfficial } from "./context.ts";

/** Signed out after this long without a request. */
export const IDLE_MS = 2 * 3600_000;
/** Signed out after this long in any case (one working day). */
export const ABSOLUTE_MS = 12 * 3600_000;

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface OpenSession {
  sessionId: string;
  csrfToken: string;
  official: SessionOfficial;
  mustChangePassword: boolean;
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Opens a session; returns the cookie token (shown once, never stored). */
  async create(officialId: string, userAgent?: string): Promise<{ token: string; csrfToken: string }> {
    const token = randomToken();
    const csrfToken = randomToken();
    const now = this.now();
    await this.db.officialSession.create({
      data: {
        id: tokenHash(token),
        officialId,
        csrfToken,
        userAgent: userAgent?.slice(0, 300) ?? null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + ABSOLUTE_MS),
      },
    });
    return { token, csrfToken };
  }

  /** The session of a cookie token, if valid (active official, not expired, not idle too long). */
  async get(token: string | undefined): Promise<OpenSession | null> {
    if (!token || token.length > 100) return null;
    const id = tokenHash(token);
    const s = await this.db.officialSession.findUnique({ where: { id }, include: { official: true } });
    if (!s) return null;
    const now = this.now();
    if (
      s.expiresAt <= now ||
      now.getTime() - s.lastSeenAt.getTime() > IDLE_MS ||
      !s.official.active ||
      (s.official.passwordChangedAt && s.official.passwordChangedAt > s.createdAt)
    ) {
      await this.db.officialSession.deleteMany({ where: { id } });
      return null;
    }
    // Keep the idle clock without writing on every request.
    if (now.getTime() - s.lastSeenAt.getTime() > 60_000)
      await this.db.officialSession.updateMany({ where: { id }, data: { lastSeenAt: now } });
    const o = s.official;
    return {
      sessionId: id,
      csrfToken: s.csrfToken,
      mustChangePassword: o.mustChangePassword,
      official: {
        id: o.id,
        username: o.username,
        displayName: o.displayName,
        agencyId: o.agencyId,
        role: o.role as OfficialRole,
        canSeeIdentity: o.canSeeIdentity,
      },
    };
  }

  async destroy(sessionId: string): Promise<void> {
    await this.db.officialSession.deleteMany({ where: { id: sessionId } });
  }

  /** Ends every other session of the official (after a password change). */
  async destroyOthers(officialId: string, keepSessionId?: string): Promise<void> {
    await this.db.officialSession.deleteMany({
      where: { officialId, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
    });
  }

  async purgeExpired(): Promise<number> {
    const r = await this.db.officialSession.deleteMany({ where: { expiresAt: { lte: this.now() } } });
    return r.count;
  }
}
