/** managedFields entries: recording which manager last wrote which fields. */
import { clone, deepEqual, isoNow } from "../util.js";
import { type FieldSet, fieldSetOf, fromFieldsV1, segs, SEP, toFieldsV1, valueAt } from "./field-sets.js";

export interface MFEntry { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: any; subresource?: string }

export function entriesOf(obj: any): Array<{ e: MFEntry; set: FieldSet }> {
  const mf: MFEntry[] = obj?.metadata?.managedFields ?? [];
  return mf.filter((e) => !e.subresource).map((e) => ({ e: clone(e), set: fromFieldsV1(e.fieldsV1 ?? {}) }));
}

export function subresourceEntries(obj: any): MFEntry[] {
  return (obj?.metadata?.managedFields ?? []).filter((e: MFEntry) => e.subresource).map(clone);
}

export function finishEntries(list: Array<{ e: MFEntry; set: FieldSet }>, keepSub: MFEntry[]): MFEntry[] | undefined {
  const out = list.filter((x) => x.set.size > 0).map((x) => ({ ...x.e, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(x.set) }));
  const all = [...out, ...keepSub];
  return all.length ? all : undefined;
}

export function isExistencePath(path: string): boolean {
  const last = segs(path).pop() ?? "";
  return last.startsWith("k:");
}

export function isDescendantOrSelf(p: string, ancestor: string): boolean {
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
