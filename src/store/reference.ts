/** Copies the reference data (topics, places, agencies) from data/ into the database at start. */
import type { ReferenceData } from "../data/index.ts";
import type { Db } from "./db.ts";

export async function syncReferenceData(db: Db, data: ReferenceData): Promise<void> {
  await db.$transaction(
    async (tx) => {
      for (const t of data.topics) {
        await tx.topic.upsert({
          where: { id: t.id },
          create: { id: t.id, name: t.name, description: t.description },
          update: { name: t.name, description: t.description, active: true },
        });
      }
      const p = data.province;
      await tx.place.upsert({
        where: { id: p.id },
        create: { id: p.id, name: p.name, type: p.type, aliases: [] },
        update: { name: p.name, type: p.type },
      });
      for (const c of data.communes) {
        const fields = {
          name: c.name,
          type: c.type,
          parentId: p.id,
          aliases: [...c.aliases, ...c.formerUnits],
        };
        await tx.place.upsert({ where: { id: c.id }, create: { id: c.id, ...fields }, update: fields });
      }
      // Agencies edited in the web app keep their edits; data/ seeds the others.
      const edited = new Set(
        (await tx.agency.findMany({ where: { editedAt: { not: null } }, select: { id: true } })).map(
          (a) => a.id,
        ),
      );
      for (const a of data.agencies) {
        if (edited.has(a.id)) continue;
        const fields = {
          name: a.name,
          shortName: a.shortName,
          level: a.level,
          kind: a.kind,
          placeId: a.communeId ?? null,
          active: true,
        };
        await tx.agency.upsert({ where: { id: a.id }, create: { id: a.id, ...fields }, update: fields });
      }
    },
    { timeout: 60_000 },
  );
}
