import { UsageError } from "../../core/errors.js";

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
  let cur: any = obj;
  for (const step of path.steps) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[step];
  }
  return cur;
}

/** Natural order for strings (digit runs compare by value), as kubectl's sorter does. */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const da = isDigit(a[i]!);
    const db = isDigit(b[j]!);
    if (da && db) {
      let ei = i;
      while (ei < a.length && isDigit(a[ei]!)) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b[ej]!)) ej++;
      const na = a.slice(i, ei).replace(/^0+/, "");
      const nb = b.slice(j, ej).replace(/^0+/, "");
      if (na.length !== nb.length) return na.length < nb.length;
      if (na !== nb) return na < nb;
      if (ei - i !== ej - j) return ei - i < ej - j;
      i = ei;
      j = ej;
    } else {
      if (a[i] !== b[j]) return a[i]! < b[j]!;
      i++;
      j++;
    }
  }
  return a.length - i < b.length - j;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Compares two field values: missing first, numbers numerically, booleans false<true, strings naturally. */
export function compareValues(a: unknown, b: unknown): number {
  const ma = a === undefined || a === null;
  const mb = b === undefined || b === null;
  if (ma || mb) return ma && mb ? 0 : ma ? -1 : 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  const sa = typeof a === "string" ? a : JSON.stringify(a);
  const sb = typeof b === "string" ? b : JSON.stringify(b);
  if (sa === sb) return 0;
  return naturalLess(sa, sb) ? -1 : 1;
}
