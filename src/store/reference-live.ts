/**
 * The database as the live source of the reference data officials edit in the web app —
 * agencies, routing rules, the holiday calendar, canned replies — with data/ as the seed.
 * Seeding fills and refreshes rows nobody edited (editedAt null); a row edited in the app keeps
 * its edit across restarts. Every edit is validated with the same zod schemas and cross-checks as
 * the data files (buildReferenceData) inside its transaction, then applied to the live
 * ReferenceData object that the router, the case store and the deadlines already hold, so it
 * takes effect at once, without a restart. Other processes on the same database (several app
 * instances on one PostgreSQL) see each edit through a version counter that every edit increments
 * and each process checks every few seconds (watchReference).
 */
import { z } from "zod";
import { buildReferenceData, DataError, type ReferenceData } from "../data/index.ts";
import { agenciesSchema, holidaysSchema, routingRulesSchema } from "../data/schemas.ts";
import { type CannedReply, cannedReplySchema, loadCannedSeed } from "../documents/templates.ts";
import { type Logger, silentLogger, Wakeup } from "../outbox/support.ts";
import type { Client, Tx } from "./cases.ts";
import { withTx } from "./cases.ts";
import type { Db } from "./db.ts";

/** A private copy of reference data (the file data is cached per process; live edits must not touch it). */
export function liveCopy(files: ReferenceData): ReferenceData {
  return buildReferenceData({
    topics: { topics: files.topics },
    places: { source: "", province: files.province, communes: files.communes },
    agencies: { source: "", agencies: files.agencies },
    routing: { rules: files.rules },
    holidays: files.holidaysSeed,
    deadlines: files.deadlines,
  });
}

/** Fills the editable tables from data/ (rows edited in the app are left as they are). */
export async function seedEditableReference(
  db: Db,
  data: ReferenceData,
  canned = loadCannedSeed(),
): Promise<void> {
  await db.$transaction(
    async (tx) => {
      // Rows nobody edited may change with data/: running processes reload them too.
      await bumpReferenceVersion(tx);
      const editedRules = new Set(
        (await tx.routingRule.findMany({ where: { editedAt: { not: null } }, select: { id: true } })).map(
          (r) => r.id,
        ),
      );
      for (const [position, r] of data.rules.entries()) {
        if (editedRules.has(r.id)) continue;
        const fields = {
          position: position + 1,
          name: r.name,
          kinds: r.kinds ?? [],
          topics: r.topics ?? [],
          keywords: r.keywords ?? [],
          places: r.places ?? [],
          scope: r.scope,
          agency: r.agency,
          active: true,
        };
        await tx.routingRule.upsert({ where: { id: r.id }, create: { id: r.id, ...fields }, update: fields });
      }
      const editedDays = new Set(
        (await tx.calendarDay.findMany({ where: { editedAt: { not: null } }, select: { date: true } })).map(
          (d) => d.date,
        ),
      );
      const seedDays = [
        ...data.holidaysSeed.holidays.map((h) => ({ ...h, workingDay: false })),
        ...data.holidaysSeed.workingWeekends.map((h) => ({ ...h, workingDay: true })),
      ];
      for (const d of seedDays) {
        if (editedDays.has(d.date)) continue;
        const fields = {
          name: d.name,
          workingDay: d.workingDay,
          provisional: d.provisional ?? false,
          active: true,
        };
        await tx.calendarDay.upsert({
          where: { date: d.date },
          create: { date: d.date, ...fields },
          update: fields,
        });
      }
      const editedCanned = new Set(
        (await tx.cannedReply.findMany({ where: { editedAt: { not: null } }, select: { id: true } })).map(
          (c) => c.id,
        ),
      );
      for (const c of canned) {
        if (editedCanned.has(c.id)) continue;
        const fields = { title: c.title, body: c.body, topics: c.topics, active: true };
        await tx.cannedReply.upsert({ where: { id: c.id }, create: { id: c.id, ...fields }, update: fields });
      }
    },
    { timeout: 60_000 },
  );
}

/** Builds the reference data from the database rows (topics, places, deadlines from `base`), validated. */
export async function loadLiveReference(db: Client, base: ReferenceData): Promise<ReferenceData> {
  const [agencies, rules, days] = await Promise.all([
    db.agency.findMany({ where: { active: true }, orderBy: { id: "asc" } }),
    db.routingRule.findMany({ where: { active: true }, orderBy: [{ position: "asc" }, { id: "asc" }] }),
    db.calendarDay.findMany({ where: { active: true }, orderBy: { date: "asc" } }),
  ]);
  const lastYear = days.at(-1)?.date.slice(0, 4);
  const coversThrough =
    lastYear && `${lastYear}-12-31` > base.holidaysSeed.coversThrough
      ? `${lastYear}-12-31`
      : base.holidaysSeed.coversThrough;
  const day = (d: (typeof days)[number]) => ({
    date: d.date,
    name: d.name,
    ...(d.provisional ? { provisional: true } : {}),
  });
  return buildReferenceData({
    topics: { topics: base.topics },
    places: { source: "", province: base.province, communes: base.communes },
    agencies: {
      source: "",
      agencies: agencies.map((a) => ({
        id: a.id,
        name: a.name,
        shortName: a.shortName,
        level: a.level,
        kind: a.kind,
        ...(a.placeId ? { communeId: a.placeId } : {}),
      })),
    },
    routing: {
      rules: rules.map((r) => ({
        id: r.id,
        name: r.name,
        ...(r.kinds.length ? { kinds: r.kinds } : {}),
        ...(r.topics.length ? { topics: r.topics } : {}),
        ...(r.keywords.length ? { keywords: r.keywords } : {}),
        ...(r.places.length ? { places: r.places } : {}),
        scope: r.scope,
        agency: r.agency,
      })),
    },
    holidays: {
      timeZone: "Asia/Ho_Chi_Minh",
      coversThrough,
      holidays: days.filter((d) => !d.workingDay).map(day),
      workingWeekends: days.filter((d) => d.workingDay).map(day),
    },
    deadlines: base.deadlines,
  });
}

/** Replaces the live data's contents in place: everyone holding the object sees the change. */
export function applyReference(live: ReferenceData, next: ReferenceData): void {
  Object.assign(live, next);
}

// ——— Other processes' edits: the version counter ———

/** The ReferenceVersion number each live object was last built from (the object stays the same). */
const loadedVersions = new WeakMap<ReferenceData, number>();

/** The ReferenceVersion the live data was built from (-1: never loaded from the database). */
export function loadedReferenceVersion(live: ReferenceData): number {
  return loadedVersions.get(live) ?? -1;
}

/**
 * Applies data built at `version`, unless the live object already holds a later one (a reload
 * that started before an edit of this process must not undo it). Returns whether it applied.
 */
function applyVersioned(live: ReferenceData, next: ReferenceData, version: number): boolean {
  if (version < loadedReferenceVersion(live)) return false;
  applyReference(live, next);
  loadedVersions.set(live, version);
  return true;
}

export async function readReferenceVersion(db: Client): Promise<number> {
  return (await db.referenceVersion.findUnique({ where: { id: 1 } }))?.version ?? 0;
}

/**
 * Counts an edit, first thing in its transaction: the row lock queues concurrent edits (of any
 * process), so the data an edit reads after it includes every edit with a lower number.
 */
async function bumpReferenceVersion(tx: Tx): Promise<number> {
  const row = await tx.referenceVersion.upsert({
    where: { id: 1 },
    create: { id: 1, version: 1 },
    update: { version: { increment: 1 } },
  });
  return row.version;
}

/** Loads the reference data from the database into the live object (at start, and when it changed). */
export async function reloadReference(db: Client, live: ReferenceData): Promise<boolean> {
  // The number first: an edit committed while loading makes the next check load again.
  const version = await readReferenceVersion(db);
  return applyVersioned(live, await loadLiveReference(db, live), version);
}

export interface ReferenceWatcher {
  /** Reloads now if another process changed the data since it was loaded; returns whether it did. */
  check(): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Keeps a process's live reference data in step with edits made by other processes on the same
 * database: every `intervalMs` one read of the version row, and a reload when it moved. Edits of
 * this process apply at once (ReferenceAdmin); others within one interval.
 */
export function watchReference(
  db: Client,
  live: ReferenceData,
  options: { intervalMs?: number; logger?: Logger } = {},
): ReferenceWatcher {
  const intervalMs = options.intervalMs ?? 3_000;
  const logger = options.logger ?? silentLogger;
  const wakeup = new Wakeup();
  let stopping = false;
  let loop: Promise<void> | undefined;
  const check = async () => {
    const version = await readReferenceVersion(db);
    if (version === loadedReferenceVersion(live)) return false;
    const applied = await reloadReference(db, live);
    if (applied) logger.info({ version }, "reference data reloaded: changed by another process");
    return applied;
  };
  return {
    check,
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          await wakeup.wait(intervalMs);
          if (stopping) break;
          try {
            await check();
          } catch (err) {
            // An edit that does not validate here, or the database away: keep the data held, retry.
            logger.error({ err }, "reference data: could not check or reload; kept the current data");
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      wakeup.notify();
      await loop;
      loop = undefined;
    },
  };
}

// ——— Administration: validated edits, each audited, effective at once ———

export class AdminError extends Error {
  override name = "AdminError";
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export type AuditFn = (
  tx: Tx,
  entry: {
    actorId: string;
    action: string;
    targetType: string;
    targetId: string;
    data: Record<string, unknown>;
  },
) => Promise<void>;

function required(what: string, max: number) {
  return z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, `${what} không được để trống`).max(max));
}
const agencyShape = agenciesSchema.shape.agencies.element;
export const agencyFormSchema = agencyShape
  .omit({ handles: true })
  .extend({ active: z.boolean().default(true) });
export const ruleFormSchema = routingRulesSchema.shape.rules.element.extend({
  name: required("Tên quy tắc", 300),
  position: z.number().int().min(1).max(100_000),
  active: z.boolean().default(true),
});
const dayShape = holidaysSchema.shape.holidays.element;
export const calendarDayFormSchema = dayShape.extend({
  name: required("Tên ngày nghỉ", 200),
  workingDay: z.boolean().default(false),
  active: z.boolean().default(true),
});
export const cannedFormSchema = cannedReplySchema.extend({ active: z.boolean().default(true) });

function parseForm<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new AdminError(`Trường “${i.path.join(".")}” không hợp lệ: ${i.message}`, i.path.join("."));
  }
  return r.data;
}

/** Vietnamese reasons for the cross-checks an edit most often breaks; anything else falls back to the check's own words. */
function explain(e: unknown): never {
  if (!(e instanceof DataError)) throw e;
  const m = e.message;
  const rules: [RegExp, (r: RegExpExecArray) => string][] = [
    [
      /routing rule #(\d+): unknown agency (\S+)/,
      (r) => `Quy tắc #${r[1]} chuyển đến cơ quan “${r[2]}” không có hoặc đã ngừng hoạt động.`,
    ],
    [
      /commune (\S+) has no People's Committee/,
      (r) => `Xã/phường “${r[1]}” phải có Ủy ban nhân dân đang hoạt động.`,
    ],
    [
      /needs a final catch-all rule/,
      () => "Phải còn một quy tắc cuối cùng áp dụng cho mọi lĩnh vực, mọi loại, mọi địa bàn.",
    ],
    [/routing rule #(\d+): unknown topic (\S+)/, (r) => `Quy tắc #${r[1]}: không có lĩnh vực “${r[2]}”.`],
    [/agency (\S+): unknown commune (\S+)/, (r) => `Cơ quan ${r[1]}: không có xã/phường “${r[2]}”.`],
    [/\$commune needs scope/, () => "Quy tắc chuyển về UBND xã/phường chỉ áp dụng khi đã biết xã/phường."],
  ];
  for (const [re, say] of rules) {
    const r = re.exec(m);
    if (r) throw new AdminError(say(r));
  }
  throw new AdminError(m);
}

export class ReferenceAdmin {
  constructor(private readonly deps: { db: Db; live: ReferenceData; audit: AuditFn; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Runs a write, re-validates the whole reference data in the same transaction, audits, then applies it. */
  private async edit(
    actorId: string,
    action: string,
    targetType: string,
    targetId: string,
    write: (tx: Tx) => Promise<Record<string, unknown>>,
  ): Promise<void> {
    const { candidate, version } = await withTx(this.deps.db, async (tx) => {
      const version = await bumpReferenceVersion(tx);
      const data = await write(tx);
      const candidate = await loadLiveReference(tx, this.deps.live).catch(explain);
      await this.deps.audit(tx, { actorId, action, targetType, targetId, data });
      return { candidate, version };
    });
    applyVersioned(this.deps.live, candidate, version);
  }

  async saveAgency(actorId: string, input: unknown): Promise<void> {
    const a = parseForm(agencyFormSchema, input);
    const fields = {
      name: a.name,
      shortName: a.shortName,
      level: a.level,
      kind: a.kind,
      placeId: a.communeId ?? null,
      active: a.active,
      editedAt: this.now(),
    };
    await this.edit(actorId, "agency_saved", "agency", a.id, async (tx) => {
      const before = await tx.agency.findUnique({ where: { id: a.id } });
      await tx.agency.upsert({ where: { id: a.id }, create: { id: a.id, ...fields }, update: fields });
      return {
        before: before && { name: before.name, active: before.active },
        after: { name: a.name, active: a.active },
      };
    });
  }

  async saveRule(actorId: string, input: unknown): Promise<void> {
    const r = parseForm(ruleFormSchema, input);
    const fields = {
      position: r.position,
      name: r.name,
      kinds: r.kinds ?? [],
      topics: r.topics ?? [],
      keywords: r.keywords ?? [],
      places: r.places ?? [],
      scope: r.scope,
      agency: r.agency,
      active: r.active,
      editedAt: this.now(),
    };
    await this.edit(actorId, "routing_rule_saved", "routing_rule", String(r.id), async (tx) => {
      const before = await tx.routingRule.findUnique({ where: { id: r.id } });
      await tx.routingRule.upsert({ where: { id: r.id }, create: { id: r.id, ...fields }, update: fields });
      const { editedAt: _e, ...after } = fields;
      return { before: before && { name: before.name, agency: before.agency, active: before.active }, after };
    });
  }

  async saveCalendarDay(actorId: string, input: unknown): Promise<void> {
    const d = parseForm(calendarDayFormSchema, input);
    const fields = {
      name: d.name,
      workingDay: d.workingDay,
      provisional: d.provisional ?? false,
      active: d.active,
      editedAt: this.now(),
    };
    await this.edit(actorId, "calendar_day_saved", "calendar_day", d.date, async (tx) => {
      const before = await tx.calendarDay.findUnique({ where: { date: d.date } });
      await tx.calendarDay.upsert({
        where: { date: d.date },
        create: { date: d.date, ...fields },
        update: fields,
      });
      const { editedAt: _e, ...after } = fields;
      return {
        before: before && { name: before.name, workingDay: before.workingDay, active: before.active },
        after,
      };
    });
  }

  async saveCanned(actorId: string, input: unknown): Promise<void> {
    const c = parseForm(cannedFormSchema, input);
    for (const t of c.topics)
      if (!this.deps.live.topicById.has(t)) throw new AdminError(`Không có lĩnh vực “${t}”.`, "topics");
    const fields = { title: c.title, body: c.body, topics: c.topics, active: c.active, editedAt: this.now() };
    await this.edit(actorId, "canned_reply_saved", "canned_reply", c.id, async (tx) => {
      const before = await tx.cannedReply.findUnique({ where: { id: c.id } });
      await tx.cannedReply.upsert({ where: { id: c.id }, create: { id: c.id, ...fields }, update: fields });
      return {
        before: before && { title: before.title, active: before.active },
        after: { title: c.title, active: c.active },
      };
    });
  }
}

export async function listCanned(db: Client, topicId?: string): Promise<CannedReply[]> {
  const rows = await db.cannedReply.findMany({ where: { active: true }, orderBy: { id: "asc" } });
  return rows
    .filter((r) => !topicId || !r.topics.length || r.topics.includes(topicId))
    .map((r) => ({ id: r.id, title: r.title, body: r.body, topics: r.topics }));
}
