import { ApiError } from "./errors.js";

export type LabelReq =
  | { op: "exists" | "!"; key: string }
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] };

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== "");
}

export function parseLabelSelector(s: string | undefined | null): LabelReq[] {
  if (!s) return [];
  const reqs: LabelReq[] = [];
  for (const term of splitTop(s)) {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      reqs.push({ op: m[2] as "in" | "notin", key: m[1], values: m[3].split(",").map((v) => v.trim()).filter((v) => v !== "") });
    } else if ((m = term.match(/^!\s*([^\s!=(),]+)$/))) {
      reqs.push({ op: "!", key: m[1] });
    } else if ((m = term.match(/^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/))) {
      reqs.push({ op: m[2] === "!=" ? "!=" : "=", key: m[1], value: m[3] });
    } else if ((m = term.match(/^([^\s!=(),]+)$/))) {
      reqs.push({ op: "exists", key: m[1] });
    } else {
      throw new ApiError(400, "BadRequest", `unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return reqs;
}

export function matchLabels(reqs: LabelReq[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "exists": if (!has) return false; break;
      case "!": if (has) return false; break;
      case "=": if (!has || v !== r.value) return false; break;
      case "!=": if (has && v === r.value) return false; break;
      case "in": if (!has || !r.values.includes(v)) return false; break;
      case "notin": if (has && r.values.includes(v)) return false; break;
    }
  }
  return true;
}

export interface FieldReq { key: string; op: "=" | "!="; value: string }

export function parseFieldSelector(s: string | undefined | null): FieldReq[] {
  if (!s) return [];
  const out: FieldReq[] = [];
  for (const term of splitTop(s)) {
    const m = term.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw new ApiError(400, "BadRequest", `invalid selector: '${s}'; can't understand '${term}'`);
    out.push({ key: m[1].trim(), op: m[2] === "!=" ? "!=" : "=", value: m[3].trim() });
  }
  return out;
}

const SUPPORTED_FIELDS: Record<string, string[]> = {
  Pod: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
  Event: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
  Secret: ["type"],
  Namespace: ["status.phase"],
  Node: ["spec.unschedulable"],
  ReplicaSet: ["status.replicas"],
};

export function checkFieldSelector(kind: string, reqs: FieldReq[]): void {
  for (const r of reqs) {
    if (r.key === "metadata.name" || r.key === "metadata.namespace") continue;
    const allowed = SUPPORTED_FIELDS[kind] ?? [];
    if (!allowed.includes(r.key)) {
      throw new ApiError(400, "BadRequest", `field label not supported: ${r.key}`);
    }
  }
}

function fieldValue(obj: any, key: string): string {
  if (key === "source") return obj?.source?.component ?? obj?.reportingComponent ?? "";
  let cur = obj;
  for (const p of key.split(".")) {
    if (cur === null || cur === undefined) return "";
    cur = cur[p];
  }
  if (cur === undefined || cur === null) return "";
  return String(cur);
}

export function matchFields(reqs: FieldReq[], obj: any): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.key);
    if (r.op === "=" && v !== r.value) return false;
    if (r.op === "!=" && v === r.value) return false;
  }
  return true;
}

/** metav1.LabelSelector → string */
export function selectorToString(sel: any): string {
  if (!sel) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case "In": parts.push(`${e.key} in (${vals.join(",")})`); break;
      case "NotIn": parts.push(`${e.key} notin (${vals.join(",")})`); break;
      case "Exists": parts.push(e.key); break;
      case "DoesNotExist": parts.push(`!${e.key}`); break;
    }
  }
  return parts.sort().join(",");
}

export function matchLabelSelectorObj(sel: any, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const s = selectorToString(sel);
  if (s === "") return true;
  return matchLabels(parseLabelSelector(s), labels);
}
