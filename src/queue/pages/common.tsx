/** Helpers shared by the documents, walk-in, registers and administration pages. */
import type { Context } from "hono";
import { storedIdentityReader, type Viewer } from "../../registers/query.ts";
import { audit } from "../audit.ts";
import type { QueueEnv, QueueServices, SessionOfficial } from "../context.ts";
import { DOCS_CSS, DOCS_JS } from "../docs-static.ts";

export function viewerOf(o: SessionOfficial): Viewer & { displayName: string } {
  return {
    id: o.id,
    agencyId: o.agencyId,
    role: o.role,
    canSeeIdentity: o.canSeeIdentity,
    displayName: o.displayName,
  };
}

/** The page's own stylesheet and script (a link and a deferred script are allowed in the body). */
export function DocsAssets() {
  return (
    <>
      <link rel="stylesheet" href="/queue/static/docs.css" />
      <script src="/queue/static/docs.js" defer></script>
    </>
  );
}

export function docsAssetRoutes(app: import("../context.ts").QueueApp) {
  const asset = (body: string, type: string) => () =>
    new Response(body, { headers: { "content-type": type, "cache-control": "public, max-age=300" } });
  app.get("/queue/static/docs.css", asset(DOCS_CSS, "text/css; charset=utf-8"));
  app.get("/queue/static/docs.js", asset(DOCS_JS, "text/javascript; charset=utf-8"));
}

/** The identity gate of the registers and documents: rules applied, views of protected identities audited. */
export function identitiesFor(s: QueueServices) {
  return storedIdentityReader(s.db, (db, e) => audit(db, e));
}

/** A form's fields as strings (repeated fields joined by "\n" — callers split them). */
export async function formOf(c: Context<QueueEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string").join("\n");
    else if (typeof v === "string") out[k] = v;
  }
  return out;
}

export function FieldError(props: { errors: Record<string, string>; name: string }) {
  const e = props.errors[props.name];
  return e ? <span class="field-error">{e}</span> : null;
}
