/** Field sets: the paths an object specifies, and their FieldsV1 form in managedFields. */
import { deepEqual, isPlainObject } from "../util.js";
import { keyedItems, SET_LISTS } from "./list-keys.js";

export type FieldSet = Set<string>;
export const SEP = "\n";

const META_TRACKED = new Set(["labels", "annotations", "finalizers", "ownerReferences", "generateName"]);

function itemKeySeg(key: string, item: any): string {
  return "k:" + JSON.stringify({ [key]: item[key] });
}

function walk(v: any, field: string, path: string, out: FieldSet): void {
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) {
      out.add(path);
      return;
    }
    for (const k of keys) {
      if (v[k] === undefined) continue;
      walk(v[k], k, path + SEP + "f:" + k, out);
    }
  } else if (Array.isArray(v)) {
    const key = v.length ? keyedItems(field, v) : undefined;
    if (key) {
      for (const item of v) {
        const ip = path + SEP + itemKeySeg(key, item);
        out.add(ip);
        walk(item, "", ip, out);
      }
    } else if (SET_LISTS.has(field) && v.length && v.every((x) => !isPlainObject(x) && !Array.isArray(x))) {
      for (const x of v) out.add(path + SEP + "v:" + JSON.stringify(x));
    } else {
      out.add(path);
    }
  } else {
    out.add(path);
  }
}

/** the set of field paths an object (or apply configuration) specifies; status excluded unless asked */
export function fieldSetOf(obj: any, includeStatus = false): FieldSet {
  const out: FieldSet = new Set();
  if (!isPlainObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || v === undefined) continue;
    if (k === "status" && !includeStatus) continue;
    if (k === "metadata") {
      if (!isPlainObject(v)) continue;
      for (const [mk, mv] of Object.entries(v)) {
        if (!META_TRACKED.has(mk) || mv === undefined || mv === null) continue;
        walk(mv, mk, "f:metadata" + SEP + "f:" + mk, out);
      }
      continue;
    }
    walk(v, k, "f:" + k, out);
  }
  return out;
}

export function segs(path: string): string[] {
  return path.split(SEP);
}

function step(cur: any, seg: string): any {
  if (cur === undefined || cur === null) return undefined;
  if (seg.startsWith("f:")) return isPlainObject(cur) ? cur[seg.slice(2)] : undefined;
  if (seg.startsWith("k:")) {
    if (!Array.isArray(cur)) return undefined;
    const key = JSON.parse(seg.slice(2));
    return cur.find((x) => isPlainObject(x) && Object.entries(key).every(([k, v]) => deepEqual(x[k], v)));
  }
  if (seg.startsWith("v:")) {
    if (!Array.isArray(cur)) return undefined;
    const val = JSON.parse(seg.slice(2));
    return cur.some((x) => deepEqual(x, val)) ? val : undefined;
  }
  return undefined;
}

export function valueAt(obj: any, path: string): any {
  let cur = obj;
  for (const s of segs(path)) {
    cur = step(cur, s);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function deleteAt(obj: any, path: string): void {
  const ss = segs(path);
  let cur = obj;
  for (let i = 0; i < ss.length - 1; i++) {
    cur = step(cur, ss[i]);
    if (cur === undefined) return;
  }
  const last = ss[ss.length - 1];
  if (last.startsWith("f:")) {
    if (isPlainObject(cur)) delete cur[last.slice(2)];
  } else if (last.startsWith("k:") && Array.isArray(cur)) {
    const item = step(cur, last);
    const idx = cur.indexOf(item);
    if (idx >= 0) cur.splice(idx, 1);
  } else if (last.startsWith("v:") && Array.isArray(cur)) {
    const val = JSON.parse(last.slice(2));
    const idx = cur.findIndex((x: any) => deepEqual(x, val));
    if (idx >= 0) cur.splice(idx, 1);
  }
}

export function pathToString(path: string): string {
  return segs(path)
    .map((s) => {
      if (s.startsWith("f:")) return "." + s.slice(2);
      if (s.startsWith("k:")) {
        const k = JSON.parse(s.slice(2));
        return "[" + Object.entries(k).map(([a, b]) => `${a}=${JSON.stringify(b)}`).join(",") + "]";
      }
      if (s.startsWith("v:")) return "[" + s.slice(2) + "]";
      return s;
    })
    .join("");
}

export function toFieldsV1(set: FieldSet): any {
  const root: any = {};
  const sorted = [...set].sort();
  for (const p of sorted) {
    let node = root;
    for (const s of segs(p)) {
      node[s] = node[s] ?? {};
      node = node[s];
    }
    node["."] = node["."] ?? {};
  }
  // "." only on nodes that have children; a leaf is just {}
  const fix = (n: any): any => {
    const keys = Object.keys(n).filter((k) => k !== ".");
    if (keys.length === 0) return {};
    const out: any = {};
    if (n["."] && segsIsItem(n)) out["."] = {};
    for (const k of keys.sort()) out[k] = fix(n[k]);
    return out;
  };
  const segsIsItem = (n: any) => n["."] !== undefined;
  const out: any = {};
  for (const k of Object.keys(root).sort()) out[k] = fix(root[k]);
  return out;
}

export function fromFieldsV1(tree: any, prefix = ""): FieldSet {
  const out: FieldSet = new Set();
  const rec = (n: any, p: string) => {
    if (!isPlainObject(n)) return;
    const keys = Object.keys(n);
    if (keys.length === 0) {
      if (p) out.add(p);
      return;
    }
    for (const k of keys) {
      if (k === ".") {
        if (p) out.add(p);
        continue;
      }
      rec(n[k], p ? p + SEP + k : k);
    }
  };
  rec(tree, prefix);
  return out;
}
