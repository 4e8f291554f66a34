import { errors } from "../errors.js";
import { RESOURCES, type ResourceDef } from "../resources.js";
import type { Store } from "../store.js";
import { clone, isoNow } from "../util.js";
import type { WriteOpts } from "./index.js";

export type DeleteOpts = WriteOpts & { propagationPolicy?: string };

/** DELETE: preconditions, finalizers (deletionTimestamp only), namespaces (Terminating), Orphan propagation */
export function deleteObject(store: Store, def: ResourceDef, ns: string | undefined, name: string, body: any, opts: DeleteOpts = {}): any {
  const old = store.get(def, ns, name);
  if (!old) throw errors.notFound(def, name);
  const pre = body?.preconditions;
  if (pre?.uid && pre.uid !== old.metadata.uid) {
    throw errors.conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
    throw errors.conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
  }
  const policy = opts.propagationPolicy ?? body?.propagationPolicy;
  if (def.kind === "Namespace") {
    if (old.metadata.deletionTimestamp) return clone(old);
    const next = clone(old);
    next.metadata.deletionTimestamp = isoNow();
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...(next.status ?? {}), phase: "Terminating" };
    if (opts.dryRun) return next;
    return clone(store.replace(def, next));
  }
  if ((old.metadata.finalizers ?? []).length > 0) {
    if (old.metadata.deletionTimestamp) return clone(old);
    const next = clone(old);
    next.metadata.deletionTimestamp = isoNow();
    next.metadata.deletionGracePeriodSeconds = 0;
    if (opts.dryRun) return next;
    return clone(store.replace(def, next));
  }
  if (opts.dryRun) return def.kind === "Pod" ? clone(old) : successStatus(def, old);
  if (policy === "Orphan") orphanDependents(store, old.metadata.uid);
  const deleted = store.remove(def, ns, name);
  return def.kind === "Pod" || def.kind === "Namespace" ? clone(deleted) : successStatus(def, old);
}
function successStatus(def: ResourceDef, old: any): any {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name: old.metadata.name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: old.metadata.uid },
  };
}
/** drop the ownerReference to `ownerUid` from its dependants */
function orphanDependents(store: Store, ownerUid: string): void {
  // owner index instead of a scan of every resource; same order as before (resource registry order, then namespace/name)
  const deps = store.dependants(ownerUid).map((u) => store.byUid(u)).filter((e) => !!e);
  const rank = (d: ResourceDef) => RESOURCES.indexOf(d);
  deps.sort((a, b) => rank(a.def) - rank(b.def));
  for (const e of deps) {
    const o = store.get(e.def, e.ns, e.name);
    if (!o) continue;
    const refs = o.metadata.ownerReferences ?? [];
    if (!refs.some((r: any) => r.uid === ownerUid)) continue;
    const next = clone(o);
    next.metadata.ownerReferences = refs.filter((r: any) => r.uid !== ownerUid);
    if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
    store.replace(e.def, next);
  }
}
