import { UsageError } from "../../core/errors.js";
import { isQuantity, parseQuantity } from "./quantity.js";

// The JSONPath subset --sort-by accepts: `.metadata.name`, `{.metadata.creationTimestamp}`,
// `.spec.containers[0].image`, `.metadata.labels['app']`/`.metadata.labels.app`.

export type PathStep = string | number;

export interface FieldPath {
  /** As the user wrote it, normalised to `{.a.b}`. */
  text: string;
  steps: PathStep[];
}

export function parseFieldPath(raw: string, usage?: string): FieldPath {
  let s = raw.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  if (!s.startsWith(".")) s = "." + s;
  const steps: PathStep[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new UsageError(`--sort-by needs a field path such as .metadata.name or {.metadata.creationTimestamp}, not "${raw}"`, usage);
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3]!);
    pos = re.lastIndex;
  }
  if (steps.length === 0) throw new UsageError(`--sort-by needs a field path such as .metadata.name, not "${raw}"`, usage);
  return { text: `{${s}}`, steps };
}

export function evaluatePath(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const step of path.steps) {
    if (cur === null || cur === undefined) return undefined;
    // Object() boxes a string, so an index step reads its character as kubectl's jsonpath does.
    cur = (Object(cur) as Record<string | number, unknown>)[step];
  }
  return cur;
}

/**
 * Compares two field values as kubectl's --sort-by does (checked against kubectl 1.32 on seeded names): missing
 * first, numbers numerically, booleans false<true, two strings that read as quantities ("9", "10", "512Mi") by
 * amount, other strings byte by byte ("web-10" before "web-9").
 */
export function compareValues(a: unknown, b: unknown): number {
  const ma = a === undefined || a === null;
  const mb = b === undefined || b === null;
  if (ma || mb) return ma && mb ? 0 : ma ? -1 : 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  const sa = typeof a === "string" ? a : JSON.stringify(a);
  const sb = typeof b === "string" ? b : JSON.stringify(b);
  if (sa === sb) return 0;
  if (isQuantity(sa) && isQuantity(sb)) {
    const byAmount = parseQuantity(sa).milli - parseQuantity(sb).milli;
    if (byAmount !== 0) return byAmount;
  }
  return sa < sb ? -1 : 1;
}
