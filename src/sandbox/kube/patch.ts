/**
 * Patch implementations: JSON Patch (RFC 6902), JSON merge patch (RFC 7386),
 * strategic merge patch (subset of k8s semantics) and server-side apply with
 * managedFields tracking (FieldsV1).
 */
import { ApiError, errors } from "./errors.js";
import type { ResourceDef } from "./resources.js";
import { clone, deepEqual, isPlainObject, isoNow } from "./util.js";

// ---------------------------------------------------------------- list keys

const NAME_KEYED = new Set(["containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets"]);
const OTHER_KEYS: Record<string, string> = {
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  conditions: "type",
  ownerReferences: "uid",
  hostAliases: "ip",
  addresses: "type",
  taints: "key",
  readinessGates: "conditionType",
};
const SET_LISTS = new Set(["finalizers"]);

/** merge key for a list field, or undefined when the list is atomic */
export function listKey(field: string, items: any[] | undefined): string | undefined {
  if (NAME_KEYED.has(field)) return "name";
  if (OTHER_KEYS[field]) return OTHER_KEYS[field];
  if (field === "ports") {
    const arr = items ?? [];
    if (arr.some((p) => isPlainObject(p) && p.containerPort !== undefined)) return "containerPort";
    return "port";
  }
  return undefined;
}

function keyedItems(field: string, arr: any[]): string | undefined {
  const k = listKey(field, arr);
  if (!k) return undefined;
  if (!arr.every((x) => isPlainObject(x) && (x[k] !== undefined || x.$patch !== undefined))) return undefined;
  return k;
}

// ---------------------------------------------------------------- JSON patch

function unescapePtr(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw errors.badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${p}"`);
  return p.slice(1).split("/").map(unescapePtr);
}

function resolveParent(doc: any, tokens: string[], op: string, path: string): { parent: any; key: string } {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    const next = Array.isArray(cur) ? cur[Number(t)] : isPlainObject(cur) ? cur[t] : undefined;
    if (next === undefined || next === null) {
      throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`);
    }
    cur = next;
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

export function applyJsonPatch(doc: any, ops: any): any {
  if (!Array.isArray(ops)) throw errors.badRequest("the server rejected our request due to an error in our request: json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let root = clone(doc);
  const missing = (op: string, path: string) =>
    new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  const get = (path: string): any => {
    let cur = root;
    for (const t of parsePointer(path)) {
      if (Array.isArray(cur)) cur = cur[Number(t)];
      else if (isPlainObject(cur)) cur = cur[t];
      else return undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  };
  const add = (path: string, value: any, op: string) => {
    const toks = parsePointer(path);
    if (toks.length === 0) {
      root = clone(value);
      return;
    }
    const { parent, key } = resolveParent(root, toks, op, path);
    if (Array.isArray(parent)) {
      const idx = key === "-" ? parent.length : Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw missing(op, path);
      parent.splice(idx, 0, clone(value));
    } else if (isPlainObject(parent)) parent[key] = clone(value);
    else throw missing(op, path);
  };
  const remove = (path: string, op: string) => {
    const toks = parsePointer(path);
    const { parent, key } = resolveParent(root, toks, op, path);
    if (Array.isArray(parent)) {
      const idx = Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw missing(op, path);
      parent.splice(idx, 1);
    } else if (isPlainObject(parent) && key in parent) delete parent[key];
    else throw missing(op, path);
  };
  for (const o of ops) {
    switch (o.op) {
      case "add": add(o.path, o.value, "add"); break;
      case "remove": remove(o.path, "remove"); break;
      case "replace": {
        const toks = parsePointer(o.path);
        if (toks.length === 0) { root = clone(o.value); break; }
        const { parent, key } = resolveParent(root, toks, "replace", o.path);
        if (Array.isArray(parent)) {
          const idx = Number(key);
          if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw missing("replace", o.path);
          parent[idx] = clone(o.value);
        } else if (isPlainObject(parent) && key in parent) parent[key] = clone(o.value);
        else throw missing("replace", o.path);
        break;
      }
      case "move": {
        const v = get(o.from);
        if (v === undefined) throw missing("move", o.from);
        remove(o.from, "move");
        add(o.path, v, "move");
        break;
      }
      case "copy": {
        const v = get(o.from);
        if (v === undefined) throw missing("copy", o.from);
        add(o.path, v, "copy");
        break;
      }
      case "test": {
        if (!deepEqual(get(o.path), o.value)) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw errors.badRequest(`the server rejected our request due to an error in our request: Unexpected kind: ${o.op}`);
    }
  }
  return root;
}

// ---------------------------------------------------------------- merge patch

export function applyMergePatch(target: any, patch: any): any {
  if (!isPlainObject(patch)) return clone(patch);
  const out = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------- strategic merge patch

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.filter((x) => !(isPlainObject(x) && x.$patch === "delete")).map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: any = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith("$")) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

function smpList(field: string, orig: any, patch: any[]): any[] {
  if (patch.some((e) => isPlainObject(e) && e.$patch === "replace")) {
    return stripDirectives(patch.filter((e) => !(isPlainObject(e) && e.$patch === "replace")));
  }
  const base: any[] = Array.isArray(orig) ? clone(orig) : [];
  const key = keyedItems(field, patch.length ? patch : base);
  if (key) {
    for (const item of patch) {
      const idx = base.findIndex((b) => isPlainObject(b) && deepEqual(b[key], item[key]));
      if (item.$patch === "delete") {
        if (idx >= 0) base.splice(idx, 1);
        continue;
      }
      if (idx >= 0) base[idx] = smp(base[idx], item);
      else base.push(stripDirectives(item));
    }
    return base;
  }
  if (SET_LISTS.has(field)) {
    for (const x of patch) if (!base.some((b) => deepEqual(b, x))) base.push(clone(x));
    return base;
  }
  return stripDirectives(patch);
}

export function smp(orig: any, patch: any): any {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === "replace") return stripDirectives(patch);
  const out: any = isPlainObject(orig) ? clone(orig) : {};
  const orders: Array<[string, any[]]> = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch") continue;
    if (k.startsWith("$setElementOrder/")) {
      orders.push([k.slice("$setElementOrder/".length), v as any[]]);
      continue;
    }
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x: any) => !(v as any[]).some((d) => deepEqual(d, x)));
      continue;
    }
    if (k === "$retainKeys") continue;
    if (v === null) {
      delete out[k];
    } else if (isPlainObject(v)) {
      if (v.$patch === "delete") delete out[k];
      else out[k] = smp(out[k], v);
    } else if (Array.isArray(v)) {
      out[k] = smpList(k, out[k], v);
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  for (const [f, order] of orders) {
    const arr = out[f];
    if (!Array.isArray(arr) || !Array.isArray(order)) continue;
    const key = keyedItems(f, order);
    const pos = (x: any) => {
      const i = key ? order.findIndex((o) => isPlainObject(o) && deepEqual(o[key], x?.[key])) : order.findIndex((o) => deepEqual(o, x));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    out[f] = [...arr].map((x, i) => ({ x, i })).sort((a, b) => pos(a.x) - pos(b.x) || a.i - b.i).map((e) => e.x);
  }
  return out;
}

// ---------------------------------------------------------------- field sets (managedFields)

export type FieldSet = Set<string>;
const SEP = "\n";

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

function segs(path: string): string[] {
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

interface MFEntry { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: any; subresource?: string }

function entriesOf(obj: any): Array<{ e: MFEntry; set: FieldSet }> {
  const mf: MFEntry[] = obj?.metadata?.managedFields ?? [];
  return mf.filter((e) => !e.subresource).map((e) => ({ e: clone(e), set: fromFieldsV1(e.fieldsV1 ?? {}) }));
}

function subresourceEntries(obj: any): MFEntry[] {
  return (obj?.metadata?.managedFields ?? []).filter((e: MFEntry) => e.subresource).map(clone);
}

function finishEntries(list: Array<{ e: MFEntry; set: FieldSet }>, keepSub: MFEntry[]): MFEntry[] | undefined {
  const out = list.filter((x) => x.set.size > 0).map((x) => ({ ...x.e, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(x.set) }));
  const all = [...out, ...keepSub];
  return all.length ? all : undefined;
}

function isExistencePath(path: string): boolean {
  const last = segs(path).pop() ?? "";
  return last.startsWith("k:");
}

function isDescendantOrSelf(p: string, ancestor: string): boolean {
  return p === ancestor || p.startsWith(ancestor + SEP);
}

/** record a non-apply write (create/update/patch) by `manager` */
export function trackUpdate(oldObj: any | undefined, newObj: any, manager: string, apiVersion: string): void {
  const oldSet = oldObj ? fieldSetOf(oldObj) : new Set<string>();
  const newSet = fieldSetOf(newObj);
  const changed: string[] = [];
  for (const p of newSet) {
    if (!oldObj) changed.push(p);
    else if (isExistencePath(p)) {
      if (valueAt(oldObj, p) === undefined) changed.push(p);
    } else if (!oldSet.has(p) || !deepEqual(valueAt(oldObj, p), valueAt(newObj, p))) changed.push(p);
  }
  const entries = entriesOf(oldObj ?? newObj);
  const subs = subresourceEntries(oldObj ?? newObj);
  for (const x of entries) {
    for (const p of [...x.set]) {
      if (!newSet.has(p)) x.set.delete(p);
      else if (changed.includes(p) && x.e.manager !== manager) x.set.delete(p);
    }
  }
  if (changed.length) {
    let mine = entries.find((x) => x.e.manager === manager && x.e.operation === "Update");
    if (!mine) {
      mine = { e: { manager, operation: "Update", apiVersion, fieldsType: "FieldsV1", fieldsV1: {} }, set: new Set() };
      entries.push(mine);
    }
    for (const p of changed) mine.set.add(p);
    mine.e.time = isoNow();
    mine.e.apiVersion = apiVersion;
  }
  newObj.metadata = newObj.metadata ?? {};
  const mf = finishEntries(entries, subs);
  if (mf) newObj.metadata.managedFields = mf;
  else delete newObj.metadata.managedFields;
}

function ssaMerge(live: any, applied: any, field: string): any {
  if (isPlainObject(applied)) {
    const base = isPlainObject(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete base[k];
      else base[k] = ssaMerge(base[k], v, k);
    }
    return base;
  }
  if (Array.isArray(applied)) {
    const key = applied.length ? keyedItems(field, applied) : undefined;
    if (key && Array.isArray(live)) {
      const base = clone(live);
      for (const item of applied) {
        const idx = base.findIndex((b: any) => isPlainObject(b) && deepEqual(b[key], item[key]));
        if (idx >= 0) base[idx] = ssaMerge(base[idx], item, "");
        else base.push(clone(item));
      }
      return base;
    }
    if (SET_LISTS.has(field) && Array.isArray(live)) {
      const base = clone(live);
      for (const x of applied) if (!base.some((b: any) => deepEqual(b, x))) base.push(clone(x));
      return base;
    }
    return clone(applied);
  }
  return applied;
}

/**
 * Server-side apply of `applied` (an apply configuration) onto `live`.
 * Returns the new object (with managedFields) or throws a 409 conflict.
 */
export function serverSideApply(def: ResourceDef, live: any | undefined, applied: any, manager: string, force: boolean, apiVersion: string): any {
  const appliedSet = fieldSetOf(applied);
  const entries = entriesOf(live);
  const subs = subresourceEntries(live);
  const conflicts: Array<{ path: string; e: MFEntry }> = [];
  if (live) {
    for (const x of entries) {
      if (x.e.manager === manager) continue;
      for (const p of appliedSet) {
        if (!x.set.has(p) || isExistencePath(p)) continue;
        if (!deepEqual(valueAt(live, p), valueAt(applied, p))) conflicts.push({ path: p, e: x.e });
      }
    }
  }
  if (conflicts.length && !force) {
    const byMgr = new Map<string, { e: MFEntry; paths: string[] }>();
    for (const c of conflicts) {
      const k = `${c.e.manager}|${c.e.operation}`;
      if (!byMgr.has(k)) byMgr.set(k, { e: c.e, paths: [] });
      byMgr.get(k)!.paths.push(pathToString(c.path));
    }
    const describe = (e: MFEntry, plural: boolean) => `${plural ? "conflicts" : "conflict"} with "${e.manager}"${e.operation === "Update" ? ` using ${e.apiVersion}` : ""}`;
    const parts: string[] = [];
    for (const { e, paths } of byMgr.values()) {
      if (paths.length === 1) parts.push(`${describe(e, false)}: ${paths[0]}`);
      else parts.push(`${describe(e, true)}:\n${paths.map((p) => `- ${p}`).join("\n")}`);
    }
    const n = conflicts.length;
    const msg = `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: ${parts.join("\n")}`;
    throw new ApiError(409, "Conflict", msg, {
      name: live?.metadata?.name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.plural,
      causes: conflicts.map((c) => ({
        reason: "FieldManagerConflict",
        message: `conflict with "${c.e.manager}"${c.e.operation === "Update" ? ` using ${c.e.apiVersion}` : ""}`,
        field: pathToString(c.path),
      })),
    });
  }
  if (force) {
    for (const c of conflicts) {
      for (const x of entries) if (x.e.manager !== manager) x.set.delete(c.path);
    }
  }
  const mineIdx = entries.findIndex((x) => x.e.manager === manager && x.e.operation === "Apply");
  const prevSet: FieldSet = mineIdx >= 0 ? entries[mineIdx].set : new Set();
  const stripped = clone(applied);
  delete stripped.status;
  let merged = ssaMerge(live ? clone(live) : {}, stripped, "");
  if (live?.status !== undefined) merged.status = clone(live.status);
  // remove fields this manager stopped applying and nobody else owns
  const removed = [...prevSet].filter((p) => !appliedSet.has(p)).sort((a, b) => segs(b).length - segs(a).length);
  for (const p of removed) {
    const ownedElsewhere = entries.some((x) => !(x.e.manager === manager && x.e.operation === "Apply") && [...x.set].some((q) => isDescendantOrSelf(q, p)));
    const stillApplied = [...appliedSet].some((q) => isDescendantOrSelf(q, p));
    if (!ownedElsewhere && !stillApplied) deleteAt(merged, p);
  }
  merged = merged ?? {};
  const entry = { e: { manager, operation: "Apply", apiVersion, time: isoNow(), fieldsType: "FieldsV1", fieldsV1: {} } as MFEntry, set: appliedSet };
  if (mineIdx >= 0) entries[mineIdx] = entry;
  else entries.push(entry);
  merged.metadata = merged.metadata ?? {};
  const mf = finishEntries(entries, subs);
  if (mf) merged.metadata.managedFields = mf;
  else delete merged.metadata.managedFields;
  return merged;
}
