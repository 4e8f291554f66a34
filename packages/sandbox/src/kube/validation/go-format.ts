// Values in field errors printed the way apimachinery's field.Error prints them: strings quoted, numbers and
// booleans bare, and structs with Go's %#v syntax.
import { isPlainObject } from "../util.js";

function goMap(m: Record<string, unknown>): string {
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`).join(", ")}}`;
}

function labelSelector(sel: any): string {
  const ml = isPlainObject(sel?.matchLabels) ? goMap(sel.matchLabels) : "map[string]string(nil)";
  const exprs = Array.isArray(sel?.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e: any) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(e?.key ?? ""))}, Operator:${JSON.stringify(String(e?.operator ?? ""))}, Values:${Array.isArray(e?.values) ? `[]string{${e.values.map((v: unknown) => JSON.stringify(String(v))).join(", ")}}` : "[]string(nil)"}}`)
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${exprs}}`;
}

export function goValue(v: unknown, goType?: string): string {
  if (v === null || v === undefined) return "null";
  if (goType === "v1.LabelSelector") return labelSelector(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return `[]string{${v.map((x) => JSON.stringify(x)).join(", ")}}`;
  if (isPlainObject(v) && Object.values(v).every((x) => typeof x === "string")) return goMap(v);
  return JSON.stringify(v);
}
