/**
 * Legal document templates (data/document-templates.json) and PAKN canned replies
 * (data/canned-replies.json): their shapes, validated at load with zod.
 */
import { z } from "zod";
import cannedJson from "../../data/canned-replies.json" with { type: "json" };
import templatesJson from "../../data/document-templates.json" with { type: "json" };
import { CASE_KINDS } from "../case/kind.ts";
import { DataError } from "../data/index.ts";

const nfc = z.string().refine((s) => s === s.normalize("NFC"), "text must be NFC-normalised");

/** How the document reaches the citizen: which CaseActions method sends it. */
export const SEND_ACTIONS = ["reply", "answer", "reject", "transfer"] as const;
export type SendAction = (typeof SEND_ACTIONS)[number];

export const documentTemplateSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  kinds: z.array(z.enum(CASE_KINDS)).min(1),
  send: z.enum(SEND_ACTIONS),
  docType: nfc.min(1),
  subject: nfc,
  numberCode: nfc.min(1),
  form: nfc.min(1),
  recipient: nfc,
  body: z.array(nfc.min(1)).min(1),
  recipients: z.array(nfc),
});
export type DocumentTemplate = z.infer<typeof documentTemplateSchema>;

export const documentTemplatesSchema = z.object({
  blanks: z.record(z.string().regex(/^[a-z_]+$/), nfc),
  templates: z.array(documentTemplateSchema).min(1),
});
export type DocumentTemplates = z.infer<typeof documentTemplatesSchema>;

/** One canned reply for phản ánh, kiến nghị (the same shape in data/ and in the admin form). */
export const cannedReplySchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, "mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang"),
  title: nfc.pipe(z.string().trim().min(1).max(200)),
  topics: z.array(z.string()).default([]),
  body: nfc.pipe(z.string().trim().min(1).max(5000)),
});
export type CannedReply = z.infer<typeof cannedReplySchema>;
export const cannedRepliesSchema = z.object({ replies: z.array(cannedReplySchema) });

function parse<T>(file: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new DataError(
      `data/${file} is invalid: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return r.data;
}

/** Validates the templates: unique ids, and every {{field}} is one the renderer knows or a named blank. */
export function buildTemplates(raw: unknown, knownFields: readonly string[]): DocumentTemplates {
  const t = parse("document-templates.json", documentTemplatesSchema, raw);
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const tpl of t.templates) {
    if (ids.has(tpl.id)) problems.push(`duplicate template id ${tpl.id}`);
    ids.add(tpl.id);
    const texts = [tpl.subject, tpl.recipient, ...tpl.body, ...tpl.recipients];
    for (const text of texts)
      for (const m of text.matchAll(/\{\{([a-z_]+)\}\}/g))
        if (!knownFields.includes(m[1]!) && !(m[1]! in t.blanks))
          problems.push(`template ${tpl.id}: unknown field {{${m[1]}}}`);
  }
  if (problems.length) throw new DataError(`data/document-templates.json: ${problems.join("; ")}`);
  return t;
}

export function loadCannedSeed(): CannedReply[] {
  return parse("canned-replies.json", cannedRepliesSchema, cannedJson).replies;
}

export const rawTemplates: unknown = templatesJson;
