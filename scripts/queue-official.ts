/**
 * Officials' accounts from the console (the web administration is the everyday way):
 *   npm run queue:official -- --reset <username>          new one-time password (forgotten password)
 *   npm run queue:official -- --create <username> --agency <agency-id> [--role officer|supervisor|leader|admin]
 *                               [--name "Họ tên"] [--can-see-identity]
 * Prints the one-time password once; it must be changed at the first sign-in.
 * Uses DATABASE_URL or DATA_DIR like the product.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { loadReferenceData } from "../src/data/index.ts";
import { audit } from "../src/queue/audit.ts";
import { resetPassword } from "../src/queue/bootstrap.ts";
import { hashPassword, oneTimePassword } from "../src/queue/password.ts";
import { openDb } from "../src/store/db.ts";
import { syncReferenceData } from "../src/store/reference.ts";

const { values } = parseArgs({
  options: {
    reset: { type: "string" },
    create: { type: "string" },
    agency: { type: "string" },
    role: { type: "string", default: "officer" },
    name: { type: "string" },
    "can-see-identity": { type: "boolean", default: false },
  },
});
const roles = ["officer", "supervisor", "leader", "admin"] as const;
const usage = () => {
  console.error(
    'Usage: npm run queue:official -- --reset <username>\n       npm run queue:official -- --create <username> --agency <agency-id> [--role officer|supervisor|leader|admin] [--name "Họ tên"] [--can-see-identity]',
  );
  process.exit(2);
};
if (!values.reset && !values.create) usage();

const config = loadConfig();
const data = loadReferenceData();
const opened = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  if (values.reset) {
    const r = await resetPassword(opened.db, values.reset.trim().toLowerCase());
    console.log(
      `Mật khẩu dùng một lần mới của ${r.username}: ${r.password}\n(phải đổi ở lần đăng nhập đầu tiên)`,
    );
  } else {
    const username = values.create!.trim().toLowerCase();
    const role = values.role as (typeof roles)[number];
    if (!/^[a-z0-9._-]{3,50}$/.test(username)) throw new Error("username: 3–50 of a–z 0–9 . _ -");
    if (!roles.includes(role)) usage();
    if (!values.agency || !data.agencyById.has(values.agency))
      throw new Error(`unknown agency: ${values.agency ?? "(none)"}`);
    await syncReferenceData(opened.db, data);
    const password = oneTimePassword();
    const created = await opened.db.official.create({
      data: {
        username,
        displayName: values.name?.trim() || username,
        agencyId: values.agency,
        role,
        canSeeIdentity: values["can-see-identity"],
        passwordHash: await hashPassword(password),
        mustChangePassword: true,
      },
    });
    await audit(opened.db, {
      actorId: null,
      action: "official_created",
      targetType: "official",
      targetId: created.id,
      data: { username, role, agencyId: values.agency, by: "console" },
    });
    console.log(
      `Đã tạo tài khoản ${username} (${role}, ${values.agency}).\nMật khẩu dùng một lần: ${password}\n(phải đổi ở lần đăng nhập đầu tiên)`,
    );
  }
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  await opened.close();
}
