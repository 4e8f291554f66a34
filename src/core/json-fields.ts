// Reading JSON nobody vouches for (rendered templates from PRs, fields the port leaves unknown) without `any`:
// a value that is not what the reader expects reads as empty, and every leaf stays `unknown` until checked.

export type JsonFields = Record<string, unknown>;

/** The fields of a JSON object; `{}` for anything else (null, arrays, scalars). */
export function fields(v: unknown): JsonFields {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonFields) : {};
}

/** The elements of a JSON array; `[]` for anything else. */
export function elements(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
