/** The legal regime of a case. */
export const CASE_KINDS = ["pakn", "khieu_nai", "to_cao"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export function isCaseKind(value: unknown): value is CaseKind {
  return typeof value === "string" && (CASE_KINDS as readonly string[]).includes(value);
}

/** The sender's identity must be kept secret by law (Luật Tố cáo 2018) for a denunciation. */
export function identityProtectedByLaw(kind: CaseKind): boolean {
  return kind === "to_cao";
}

/** A denunciation cannot be anonymous (Luật Tố cáo 2018): the identity is protected instead. */
export function anonymityAllowed(kind: CaseKind): boolean {
  return kind !== "to_cao";
}
