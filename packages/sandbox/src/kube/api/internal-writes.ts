/** Writes by the controllers, the seed and putObject: no HTTP semantics, preconditions or managedFields. */
import type { ResourceDef } from "../resources.js";
import { apiVersionOf, findByKind } from "../resources.js";
import type { Store } from "../store.js";
import { clone, deepEqual, isPlainObject, isoNow, randSuffix, uid } from "../util.js";
import type { Defaulter } from "./defaults.js";
import { specChanged } from "./generation.js";

/** create or replace without HTTP semantics (no preconditions, no managedFields); status is kept as given */
export function putObject(store: Store, defaulter: Defaulter, obj: any, opts: { keepTimestamps?: boolean } = {}): any {
  if (!isPlainObject(obj) || !obj.apiVersion || !obj.kind) throw new Error("putObject: apiVersion and kind are required");
  const def = findByKind(obj.apiVersion, obj.kind);
  if (!def) throw new Error(`putObject: unknown kind ${obj.apiVersion} ${obj.kind}`);
  const o = clone(obj);
  o.metadata = o.metadata ?? {};
  if (!o.metadata.name) {
    if (o.metadata.generateName) o.metadata.name = o.metadata.generateName + randSuffix(5);
    else throw new Error("putObject: metadata.name is required");
  }
  if (def.namespaced) o.metadata.namespace = o.metadata.namespace ?? "default";
  else delete o.metadata.namespace;
  const old = store.get(def, o.metadata.namespace, o.metadata.name);
  if (old) {
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = opts.keepTimestamps && obj.metadata?.creationTimestamp ? obj.metadata.creationTimestamp : old.metadata.creationTimestamp;
    if (def.generation) {
      o.metadata.generation = old.metadata.generation ?? 1;
      if (specChanged(old, o)) o.metadata.generation++;
    }
    if (o.status === undefined && old.status !== undefined) o.status = clone(old.status);
    defaulter.apply(def, o, old);
    o.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(o, old)) return clone(old);
    return clone(store.replace(def, o));
  }
  o.metadata.uid = o.metadata.uid ?? uid();
  o.metadata.creationTimestamp = o.metadata.creationTimestamp ?? isoNow();
  if (def.generation) o.metadata.generation = o.metadata.generation ?? 1;
  defaulter.apply(def, o);
  return clone(store.add(def, o));
}

/**
 * controller write of an existing object: bumps generation on spec change, keeps managedFields.
 * Takes ownership of `obj` (callers pass a fresh clone and only read it afterwards).
 */
export function saveObject(store: Store, def: ResourceDef, obj: any): any {
  const old = store.get(def, obj.metadata.namespace, obj.metadata.name);
  if (!old) return undefined;
  const o = obj;
  if (def.generation && specChanged(old, o)) o.metadata.generation = (old.metadata.generation ?? 1) + 1;
  o.metadata.resourceVersion = old.metadata.resourceVersion;
  if (deepEqual(o, old)) return old;
  return store.replace(def, o, true);
}

/** controller create (`owned`: obj is fresh and becomes the stored object) */
export function insertObject(store: Store, defaulter: Defaulter, def: ResourceDef, obj: any, createdAt?: string, owned = false): any {
  const o = owned ? obj : clone(obj);
  o.apiVersion = apiVersionOf(def);
  o.kind = def.kind;
  o.metadata.uid = uid();
  o.metadata.creationTimestamp = createdAt ?? isoNow();
  if (def.generation) o.metadata.generation = 1;
  defaulter.apply(def, o);
  if (store.get(def, o.metadata.namespace, o.metadata.name)) return undefined;
  return store.add(def, o, true);
}
