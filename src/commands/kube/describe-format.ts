import type { KObject } from "../../gateways/types.js";
import type { CoreV1Event } from "../../gateways/kube-models.js";
import { eventInterval, eventSource, sortForDescribe, type DescribeEvents } from "./describe-events.js";
import { LAST_APPLIED } from "./redact-secret.js";
import { KUBECTL_DESCRIBE, tabwrite } from "./tabwriter.js";

export { eventInterval, type DescribeEvents };

// kubectl describe's generic describer (the one it uses for CRDs), for every type: Name, Namespace, Labels,
// Annotations, then the object's fields as Title Case sections, then the object's Events. No per-type code.

const MAX_ANNOTATION_LEN = 140;
const ACRONYMS = new Set(["API", "URL", "UID", "OSB", "GUID"]);
const SKIP = new Set([".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"]);

/** Lines with tab-separated cells; a null entry is a flush (a new alignment block). */
type Out = Array<string | null>;

function indent(level: number): string {
  return "  ".repeat(level);
}

/** camelCase splitting as github.com/fatih/camelcase does it: runs of lower, upper, digits, other. */
function camelSplit(s: string): string[] {
  const runs: string[] = [];
  let last = -1;
  for (const ch of s) {
    const cls = /[a-z]/.test(ch) ? 1 : /[A-Z]/.test(ch) ? 2 : /[0-9]/.test(ch) ? 3 : 4;
    if (cls === last) runs[runs.length - 1] += ch;
    else runs.push(ch);
    last = cls;
  }
  // "HTTPServer" → "HTTP", "Server": move the last upper-case letter onto a following lower-case run.
  for (let i = 0; i < runs.length - 1; i++) {
    if (/^[A-Z]+$/.test(runs[i]!) && /^[a-z]+$/.test(runs[i + 1]!)) {
      const r = runs[i]!;
      runs[i + 1] = r.slice(-1) + runs[i + 1];
      runs[i] = r.slice(0, -1);
    }
  }
  return runs.filter((r) => r !== "");
}

/** kubectl's smartLabelFor: `creationTimestamp` → `Creation Timestamp`, `uid` → `UID`. */
export function smartLabel(field: string): string {
  if ([...field].some((c) => !/\p{L}/u.test(c) && c !== "-")) return field;
  return camelSplit(field)
    .filter((p) => p !== "_")
    .map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1)))
    .join(" ");
}

function goValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function unstructured(out: Out, level: number, content: Record<string, unknown>, prefix: string): void {
  for (const field of Object.keys(content).sort()) {
    const value = content[field];
    const path = `${prefix}.${field}`;
    if (SKIP.has(path)) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      out.push(`${indent(level)}${smartLabel(field)}:`);
      unstructured(out, level + 1, value as Record<string, unknown>, path);
    } else if (Array.isArray(value)) {
      out.push(`${indent(level)}${smartLabel(field)}:`);
      for (const child of value) {
        if (child && typeof child === "object" && !Array.isArray(child)) unstructured(out, level + 1, child as Record<string, unknown>, path);
        else out.push(`${indent(level + 1)}${goValue(child)}`);
      }
    } else {
      out.push(`${indent(level)}${smartLabel(field)}:\t${goValue(value)}`);
    }
  }
}

function labels(out: Out, title: string, map: Record<string, string> | undefined): void {
  const keys = Object.keys(map ?? {}).sort();
  if (keys.length === 0) return void out.push(`${title}:\t<none>`);
  keys.forEach((k, i) => out.push(`${i === 0 ? `${title}:` : ""}\t${k}=${map![k]}`));
}

function annotations(out: Out, map: Record<string, string> | undefined): void {
  const keys = Object.keys(map ?? {}).filter((k) => k !== LAST_APPLIED).sort();
  if (keys.length === 0) return void out.push("Annotations:\t<none>");
  keys.forEach((k, i) => {
    const lead = i === 0 ? "Annotations:" : "";
    const value = map![k]!.replace(/\n$/, "");
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes("\n")) {
      out.push(`${lead}\t${k}:`);
      for (const s of value.split("\n")) out.push(`\t  ${s.length > MAX_ANNOTATION_LEN - 2 ? s.slice(0, MAX_ANNOTATION_LEN - 2) + "..." : s}`);
    } else {
      out.push(`${lead}\t${k}: ${value}`);
    }
  });
}

function eventTime(e: CoreV1Event): number {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** Events oldest first, as kubectl sorts them (stable, by last-seen time). */
export function sortEvents(events: CoreV1Event[]): CoreV1Event[] {
  return events
    .map((e, i) => ({ e, i, t: eventTime(e) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e);
}


export function describeObject(obj: KObject, events: DescribeEvents, now: Date): string {
  const out: Out = [];
  out.push(`Name:\t${obj.metadata?.name ?? ""}`);
  out.push(`Namespace:\t${obj.metadata?.namespace ?? ""}`);
  labels(out, "Labels", obj.metadata?.labels);
  annotations(out, obj.metadata?.annotations);
  unstructured(out, 0, obj as Record<string, unknown>, "");
  if ("note" in events) {
    out.push(`Events:\t${events.note}`);
  } else if (events.items.length === 0) {
    out.push("Events:\t<none>");
  } else {
    out.push(null);
    out.push("Events:");
    out.push("  Type\tReason\tAge\tFrom\tMessage");
    out.push("  ----\t------\t----\t----\t-------");
    for (const e of sortForDescribe(events.items)) {
      const source = eventSource(e);
      out.push(`  ${e.type ?? ""}\t${e.reason ?? ""}\t${eventInterval(e, now)}\t${source}\t${String(e.message ?? "").trim()}`);
    }
  }
  const blocks: string[] = [];
  let current: string[][] = [];
  for (const line of out) {
    if (line === null) {
      if (current.length) blocks.push(tabwrite(current, KUBECTL_DESCRIBE));
      current = [];
    } else {
      current.push(line.split("\t"));
    }
  }
  if (current.length) blocks.push(tabwrite(current, KUBECTL_DESCRIBE));
  return blocks.join("\n");
}
