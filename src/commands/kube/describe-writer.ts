import type { KObject } from "../../gateways/types.js";
import { LAST_APPLIED } from "./redact-secret.js";
import { KUBECTL_DESCRIBE, tabwrite } from "./tabwriter.js";

// kubectl describe's PrefixWriter over its tabwriter (minwidth 0, padding 2), and the small printers its
// per-type describers share: multiline labels/annotations/taints/tolerations, RFC 1123 times, selectors.

export class DescribeWriter {
  private buf = "";
  private readonly blocks: string[] = [];

  /** Writes text at an indent level (two spaces per level), like PrefixWriter.Write. */
  write(level: number, text: string): void {
    this.buf += "  ".repeat(level) + text;
  }

  line(level: number, text: string): void {
    this.write(level, text + "\n");
  }

  /** Ends the current alignment block, as tabwriter.Flush does. */
  flush(): void {
    if (this.buf === "") return;
    const lines = this.buf.split("\n");
    const partial = lines.pop()!;
    let text = lines.length ? tabwrite(lines.map((l) => l.split("\t")), KUBECTL_DESCRIBE) + "\n" : "";
    text += partial;
    this.blocks.push(text);
    this.buf = "";
  }

  /** The whole text without its final newline. */
  text(): string {
    this.flush();
    return this.blocks.join("").replace(/\n$/, "");
  }
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** Go's time.RFC1123Z in UTC: `Thu, 19 Nov 2026 10:59:54 +0000`; a missing time is Go's zero time. */
export function rfc1123z(timestamp: string | undefined | null): string {
  const ms = timestamp ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(ms)) return "Mon, 01 Jan 0001 00:00:00 +0000";
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** printLabelsMultilineWithIndent. */
export function labelsMultiline(w: DescribeWriter, title: string, labels: Record<string, string> | undefined, initialIndent = ""): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return w.write(0, "<none>\n");
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    w.write(0, `${k}=${labels![k]}\n`);
  });
}

const MAX_ANNOTATION_LEN = 140;

/** printAnnotationsMultiline (last-applied-configuration skipped). */
export function annotationsMultiline(w: DescribeWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== LAST_APPLIED)
    .sort();
  if (keys.length === 0) return w.write(0, "<none>\n");
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, "\t");
    const value = annotations![k]!.replace(/\n$/, "");
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes("\n")) {
      w.write(0, `${k}:\n`);
      for (const s of value.split("\n")) w.write(0, `\t  ${s.length > MAX_ANNOTATION_LEN - 2 ? s.slice(0, MAX_ANNOTATION_LEN - 2) + "..." : s}\n`);
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** printTolerationsMultilineWithIndent. */
export function tolerationsMultiline(w: DescribeWriter, title: string, tolerations: Toleration[] | undefined, initialIndent = ""): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const list = [...(tolerations ?? [])].sort((a, b) => ((a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : 0));
  if (list.length === 0) return w.write(0, "<none>\n");
  list.forEach((t, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    let s = t.key ?? "";
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === "Exists" && !t.value) s += t.key || t.effect ? " op=Exists" : "op=Exists";
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

/** printTaintsMultilineWithIndent; Taint.ToString is `key=value:effect` (`key:effect` without a value). */
export function taintsMultiline(w: DescribeWriter, title: string, taints: Array<{ key: string; value?: string; effect: string }> | undefined): void {
  w.write(0, `${title}:\t`);
  const cmp = (t: { key: string; effect: string }) => `${t.effect},${t.key}`;
  const list = [...(taints ?? [])].sort((a, b) => (cmp(a) < cmp(b) ? -1 : cmp(a) > cmp(b) ? 1 : 0));
  if (list.length === 0) return w.write(0, "<none>\n");
  list.forEach((t, i) => {
    if (i !== 0) w.write(0, "\t");
    w.write(0, `${t.value ? `${t.key}=${t.value}` : t.key}:${t.effect}\n`);
  });
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** labels.Selector.String() of LabelSelectorAsSelector: requirements sorted by key, values sorted. */
export function selectorString(sel: LabelSelector | undefined | null): string {
  if (!sel) return "";
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort().join(",");
    if (e.operator === "In") reqs.push([e.key, `${e.key} in (${values})`]);
    else if (e.operator === "NotIn") reqs.push([e.key, `${e.key} notin (${values})`]);
    else if (e.operator === "Exists") reqs.push([e.key, e.key]);
    else if (e.operator === "DoesNotExist") reqs.push([e.key, `!${e.key}`]);
  }
  return reqs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r[0] < b.r[0] ? -1 : a.r[0] > b.r[0] ? 1 : a.i - b.i))
    .map((x) => x.r[1])
    .join(",");
}

/** metav1.FormatLabelSelector: `<none>` for an empty selector. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = selectorString(sel);
  return s === "" ? "<none>" : s;
}

/**
 * labels.FormatLabels of a plain map (a Service's selector, get's LABELS column): the `k=v` strings sorted bytewise
 * as Go sorts them (so `app.kubernetes.io/…=` before `app=`), comma-separated; `<none>` when empty.
 */
export function formatLabels(map: Record<string, string> | undefined | null): string {
  const pairs = Object.entries(map ?? {}).map(([k, v]) => `${k}=${v}`);
  return pairs.length === 0 ? "<none>" : pairs.sort().join(",");
}

/** printController: `Kind/name` of the controlling owner reference. */
export function controlledBy(obj: KObject): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r: { controller?: boolean }) => r.controller === true);
  return ref ? `${ref.kind}/${ref.name}` : "";
}

export function goBool(v: unknown): string {
  return v ? "true" : "false";
}

export function printBool(v: unknown): string {
  return v ? "True" : "False";
}
