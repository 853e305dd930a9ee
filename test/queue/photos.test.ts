/**
 * Citizens' Telegram photos on the officials' case page: a case filed with photos through the
 * Telegram stand-in (production grammY client, getFile and the file download on the stand-in's
 * apiRoot); the case page shows thumbnails from the queue's own photo route, which streams the
 * image to an officer of the case's agency only, never shows the bot token, and refuses what is
 * not a JPEG, PNG or WebP image.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qCase } from "../../src/i18n/queue.ts";
import { dbKinds } from "../support/db.ts";
import { type Bots, codeIn, startBots, TELEGRAM_TOKEN, telegramCitizen } from "../support/messengers.ts";
import { fetcherFor, loginAs } from "../support/queue.ts";

const kinds = await dbKinds();

/** A small JPEG-looking file (SOI marker, JFIF header, filler, EOI). */
function jpeg(size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  for (let i = 11; i < size - 2; i++) b[i] = (i * 31) % 251;
  b.set([0xff, 0xd9], size - 2);
  return b;
}

describe.each(kinds)("citizens' Telegram photos on the case page, on %s", (kind) => {
  let bots: Bots;
  let caseId = "";
  let agencyId = "";
  const photo = jpeg(70_000);
  const ids = { good: "AgACAgUAA-photo-ok", html: "AgACAgUAA-photo-html", gone: "AgACAgUAA-photo-gone" };

  beforeAll(async () => {
    bots = await startBots(kind);
    bots.telegram.putFile(ids.good, photo);
    // Bytes that are not an image, served as image/jpeg: must never reach a browser as one.
    bots.telegram.putFile(ids.html, new TextEncoder().encode("<html><script>alert(1)</script></html>"));
    const c = telegramCitizen(bots);
    await c.say("/gui");
    await c.photo(ids.good, "Rác đổ trộm ở bãi đất trống kiệt 12 Nguyễn Tri Phương");
    await c.photo(ids.html);
    await c.photo(ids.gone);
    await c.tap("next");
    await c.say("Thanh Khê");
    await c.tap("pakn");
    await c.tap("topic:environment");
    await c.say("Nguyễn Văn An, 0905 111 222");
    const code = codeIn((await c.tap("send")).text);
    const row = await bots.rt.db.case.findUniqueOrThrow({ where: { code } });
    caseId = row.id;
    agencyId = row.agencyId!;
    expect(agencyId).toBeTruthy();
  });
  afterAll(async () => {
    await bots?.close();
  });

  it("shows thumbnails from the queue's own route and streams the image to an officer of the agency", async () => {
    const { client } = await loginAs(bots.rt.app, bots.rt.db, { role: "officer", agencyId });
    const page = await client.get(`/queue/cases/${caseId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<img src="/queue/cases/${caseId}/photos/1"`);
    expect(html).toContain(`href="/queue/cases/${caseId}/photos/1"`);
    expect(html).not.toContain(TELEGRAM_TOKEN);
    expect(html).not.toContain(bots.telegram.url);

    const res = await client.get(`/queue/cases/${caseId}/photos/1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("cache-control")).toBe("private, max-age=300");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(photo);
    // Fetched server-side through the production client, with the bot's token.
    expect(bots.telegram.of("getFile").some((x) => x.body.file_id === ids.good)).toBe(true);
    expect(bots.telegram.of("download").at(-1)?.token).toBe(TELEGRAM_TOKEN);

    // The photo in the conversation is served as well.
    const inThread = new RegExp(`src="(/queue/cases/${caseId}/messages/[0-9a-f-]{36}/photos/1)"`).exec(html);
    expect(inThread).not.toBeNull();
    const again = await client.get(inThread![1]!);
    expect(again.status).toBe(200);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(photo);
  });

  it("refuses a file that is not an image (415) and answers a polite 404 for a file Telegram no longer has", async () => {
    const { client } = await loginAs(bots.rt.app, bots.rt.db, { role: "officer", agencyId });
    const html = await client.get(`/queue/cases/${caseId}/photos/2`);
    expect(html.status).toBe(415);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await html.text()).toContain(qCase.photoUnsupported);

    const gone = await client.get(`/queue/cases/${caseId}/photos/3`);
    expect(gone.status).toBe(404);
    const body = await gone.text();
    expect(body).toContain(qCase.photoUnavailable);
    expect(body).not.toContain(TELEGRAM_TOKEN);

    expect((await client.get(`/queue/cases/${caseId}/photos/4`)).status).toBe(404);
    expect((await client.get(`/queue/cases/${caseId}/photos/0`)).status).toBe(404);
  });

  it("answers 404 to an officer of another agency and sends a visitor without a session to sign in", async () => {
    const other = [...bots.rt.data.agencyById.keys()].find((a) => a !== agencyId)!;
    const { client } = await loginAs(bots.rt.app, bots.rt.db, { role: "officer", agencyId: other });
    const downloads = bots.telegram.of("download").length;
    const res = await client.get(`/queue/cases/${caseId}/photos/1`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).not.toMatch(/^image\//);

    const anonymous = await fetcherFor(bots.rt.app)(`/queue/cases/${caseId}/photos/1`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toMatch(/^\/queue\/login/);
    expect(bots.telegram.of("download").length).toBe(downloads);
  });
});
