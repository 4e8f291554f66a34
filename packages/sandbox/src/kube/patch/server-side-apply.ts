/** Server-side apply: merge an apply configuration into the live object, with conflicts and field ownership. */
import { ApiError } from "../errors.js";
import type { ResourceDef } from "../resources.js";
import { clone, deepEqual, isoNow, isPlainObject } from "../util.js";
import { deleteAt, type FieldSet, fieldSetOf, pathToString, segs, valueAt } from "./field-sets.js";
import { keyedItems, SET_LISTS } from "./list-keys.js";
import { entriesOf, finishEntries, isDescendantOrSelf, isExistencePath, type MFEntry, subresourceEntries } from "./managed-fields.js";

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
 * An object that has never had managedFields (created before field tracking, or with them cleared): as the API
 * server does, its current fields are attributed to the manager "before-first-apply" (operation Update), so a first
 * apply that changes one of them conflicts unless forced, and fields it does not mention stay.
 */
function beforeFirstApply(live: any, apiVersion: string): Array<{ e: MFEntry; set: FieldSet }> {
  const set = fieldSetOf(live);
  if (set.size === 0) return [];
  return [{ e: { manager: "before-first-apply", operation: "Update", apiVersion, time: isoNow(), fieldsType: "FieldsV1", fieldsV1: {} }, set }];
}

/** `.../k:{"port":80}/f:port`: a key field of a list item, which identifies the item rather than belonging to it. */
function isItemKeyField(path: string): boolean {
  const s = segs(path);
  const last = s[s.length - 1] ?? "";
  const parent = s[s.length - 2] ?? "";
  if (!last.startsWith("f:") || !parent.startsWith("k:")) return false;
  return Object.prototype.hasOwnProperty.call(JSON.parse(parent.slice(2)), last.slice(2));
}

/**
 * Server-side apply of `applied` (an apply configuration) onto `live`.
 * Returns the new object (with managedFields) or throws a 409 conflict.
 */
export function serverSideApply(def: ResourceDef, live: any | undefined, applied: any, manager: string, force: boolean, apiVersion: string): any {
  const appliedSet = fieldSetOf(applied);
  const entries = live && !live.metadata?.managedFields?.length ? beforeFirstApply(live, apiVersion) : entriesOf(live);
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
  // Remove fields this manager stopped applying and nobody else owns. Shallow paths first, so a list item goes as a
  // whole; its key fields are never removed on their own (that would leave a keyless remnant in the list).
  const removed = [...prevSet].filter((p) => !appliedSet.has(p)).sort((a, b) => segs(a).length - segs(b).length);
  for (const p of removed) {
    const ownedElsewhere = entries.some((x) => !(x.e.manager === manager && x.e.operation === "Apply") && [...x.set].some((q) => isDescendantOrSelf(q, p)));
    const stillApplied = [...appliedSet].some((q) => isDescendantOrSelf(q, p));
    if (!ownedElsewhere && !stillApplied && !isItemKeyField(p)) deleteAt(merged, p);
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
