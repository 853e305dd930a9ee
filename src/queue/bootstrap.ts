/**
 * The first administrator: on a database without one, an account "admin" is created with a
 * one-time password that must be changed at first sign-in. The password is returned for the
 * console, never stored in clear and never logged.
 */
import type { Db } from "../store/db.ts";
import { audit } from "./audit.ts";
import { hashPassword, oneTimePassword } from "./password.ts";

export interface CreatedAccount {
  username: string;
  password: string;
}

/** The agency an administrator belongs to by default: the province's office (Văn phòng UBND). */
export async function defaultAdminAgency(db: Db): Promise<string> {
  const office =
    (await db.agency.findFirst({ where: { level: "province", kind: "office" }, orderBy: { id: "asc" } })) ??
    (await db.agency.findFirst({ orderBy: { id: "asc" } }));
  if (!office) throw new Error("no agency in the database: load the reference data first");
  return office.id;
}

/** Creates the first administrator when there is none; returns its one-time credentials, or null. */
export async function ensureAdministrator(db: Db): Promise<CreatedAccount | null> {
  if (await db.official.findFirst({ where: { role: "admin", active: true }, select: { id: true } }))
    return null;
  const password = oneTimePassword();
  const agencyId = await defaultAdminAgency(db);
  let username = "admin";
  for (let i = 2; await db.official.findUnique({ where: { username } }); i++) username = `admin${i}`;
  const created = await db.official.create({
    data: {
      username,
      displayName: "Quản trị hệ thống",
      agencyId,
      role: "admin",
      canSeeIdentity: false,
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
    },
  });
  await audit(db, {
    actorId: null,
    action: "official_created",
    targetType: "official",
    targetId: created.id,
    data: { username, role: "admin", bootstrap: true },
  });
  return { username, password };
}

/** Sets a new one-time password on an account (forgotten password); its sessions end. */
export async function resetPassword(db: Db, username: string): Promise<CreatedAccount> {
  const official = await db.official.findUnique({ where: { username } });
  if (!official) throw new Error(`no official named ${username}`);
  const password = oneTimePassword();
  await db.official.update({
    where: { id: official.id },
    data: {
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      failedLogins: 0,
      lockedUntil: null,
      passwordChangedAt: new Date(),
    },
  });
  await db.officialSession.deleteMany({ where: { officialId: official.id } });
  await audit(db, {
    actorId: null,
    action: "password_reset",
    targetType: "official",
    targetId: official.id,
    data: { by: "console" },
  });
  return { username, password };
}
