import { stringify } from "yaml";
import type { KObject } from "../../gateways/types.js";

// Field-level difference between a live object and what a server-side apply dry run says it would become,
// compared the way `kubectl diff --server-side` does: both sides as the server returns them, without the fields
// the server keeps for itself (managedFields, resourceVersion, generation, uid, timestamps, status).
// Secrets are never shown: only whether they would be created, changed or left alone.

export type ObjectAction = "create" | "change" | "unchanged";

/** One changed field. `before`/`after` are undefined when the field is absent on that side. */
export interface FieldChange {
  /** Readable path: `spec.ports[name=http].targetPort`, `metadata.annotations["tugboat.dev/sha"]`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface ObjectDiff {
  kind: string;
  name: string;
  namespace?: string;
  action: ObjectAction;
  /** Empty for created and unchanged objects, and always for Secrets. */
  changes: FieldChange[];
  /** A Secret: its contents are never shown, only the action. */
  secret: boolean;
  /** The object after the apply, as the server returned it, without server-kept fields (Secrets: values hidden). */
  after: KObject;
}

const SERVER_METADATA = ["managedFields", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "uid", "selfLink"];
export const HIDDEN = "(hidden)";

/** The object without the fields the server keeps for itself, as kubectl diff leaves them out of the comparison. */
export function comparable(obj: KObject): KObject {
  const copy: KObject = structuredClone(obj);
  delete copy.status;
  if (copy.metadata) for (const k of SERVER_METADATA) delete (copy.metadata as Record<string, unknown>)[k];
  return copy;
}

function isSecret(obj: KObject): boolean {
  return obj.kind === "Secret" && obj.apiVersion === "v1";
}

/** A Secret with every value replaced, so it can be shown. */
function hideSecretValues(obj: KObject): KObject {
  const copy: KObject = structuredClone(obj);
  for (const field of ["data", "stringData"]) {
    const values = copy[field];
    if (values && typeof values === "object") for (const k of Object.keys(values)) (values as Record<string, unknown>)[k] = HIDDEN;
  }
  return copy;
}

/** `live` undefined: the apply creates the object. `after` is the dry run's answer. */
export function diffObject(live: KObject | undefined, after: KObject): ObjectDiff {
  const secret = isSecret(after);
  const a = comparable(after);
  const base = {
    kind: after.kind ?? "Object",
    name: after.metadata?.name ?? "",
    namespace: after.metadata?.namespace,
    secret,
    after: secret ? hideSecretValues(a) : a,
  };
  if (!live) return { ...base, action: "create", changes: [] };
  const changes: FieldChange[] = [];
  collectChanges(comparable(live), a, "", changes);
  if (changes.length === 0) return { ...base, action: "unchanged", changes: [] };
  return { ...base, action: "change", changes: secret ? [] : changes };
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function childPath(parent: string, key: string): string {
  if (PLAIN_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
  }
  return false;
}

// Lists of objects are matched by the first key every item has, uniquely (the merge keys Kubernetes uses:
// containers and ports by name, ports without names by number, volume mounts by path...).
const ITEM_KEYS = ["name", "containerPort", "port", "mountPath", "devicePath", "key", "type", "ip", "uid"];

function itemKey(before: unknown[], after: unknown[]): string | undefined {
  const all = [...before, ...after];
  if (all.length === 0 || !all.every(isObject)) return undefined;
  return ITEM_KEYS.find((k) => {
    const unique = (items: unknown[]) => {
      const values = items.map((x) => (x as Record<string, unknown>)[k]);
      return values.every((v) => typeof v === "string" || typeof v === "number") && new Set(values).size === values.length;
    };
    return unique(before) && unique(after);
  });
}

/** `item`: a list item, which is listed whole when it is added or removed. */
function collectChanges(before: unknown, after: unknown, path: string, out: FieldChange[], item = false): void {
  if (same(before, after)) return;
  // A map that appears or goes as a whole (the first annotation, a new data section) is listed key by key.
  if (!item && (isObject(before) || before === undefined) && (isObject(after) || after === undefined) && Object.keys(before ?? after ?? {}).length > 0) {
    before ??= {};
    after ??= {};
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    for (const k of keys) collectChanges(before[k], after[k], childPath(path, k), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = itemKey(before, after);
    if (key) {
      const find = (list: unknown[], v: unknown) => list.find((x) => (x as Record<string, unknown>)[key] === v);
      const values = [...new Set([...after, ...before].map((x) => (x as Record<string, unknown>)[key]))];
      for (const v of values) collectChanges(find(before, v), find(after, v), `${path}[${key}=${String(v)}]`, out, true);
      return;
    }
    if (before.length === after.length) {
      before.forEach((b, i) => collectChanges(b, after[i], `${path}[${i}]`, out));
      return;
    }
  }
  out.push({ path, before, after });
}

/** YAML of a value on one line when short (`8080`, `"x"`), else block YAML. */
export function yamlValue(value: unknown): string {
  if (value === undefined) return "(absent)";
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
}

/**
 * The full diff of one object, unified-diff-like: a header, then per changed field its path and the
 * `-` / `+` lines; a created object is shown whole with `+` lines.
 */
export function renderObjectDiff(d: ObjectDiff): string {
  const where = d.namespace ? `${d.namespace}/` : "";
  const title = `${d.kind} ${where}${d.name}`;
  const lines: string[] = [];
  const prefixed = (sign: string, text: string) => text.split("\n").map((l) => `${sign} ${l}`);
  if (d.action === "unchanged") return `= ${title}: unchanged`;
  if (d.action === "create") {
    lines.push(`+ ${title}: created${d.secret ? " (a Secret: its contents are not shown)" : ""}`);
    if (!d.secret) lines.push(...prefixed("+", yamlValue(d.after)));
    return lines.join("\n");
  }
  lines.push(`~ ${title}: changed`);
  if (d.secret) {
    lines.push("  (a Secret: its contents are not shown)");
    return lines.join("\n");
  }
  for (const c of d.changes) {
    lines.push(`@@ ${c.path}`);
    if (c.before !== undefined) lines.push(...prefixed("-", yamlValue(c.before)));
    if (c.after !== undefined) lines.push(...prefixed("+", yamlValue(c.after)));
  }
  return lines.join("\n");
}
