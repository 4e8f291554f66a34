import { RESOURCES } from "../resources.js";
import { clone, isoNow } from "../util.js";
import type { ControllerContext } from "./context.js";
import { D } from "./objects.js";

/**
 * A namespace with a deletionTimestamp turns Terminating, its content is deleted (objects with finalizers are only
 * marked for deletion), and once empty it is removed after `namespaceFinalizeMs`.
 */
export class NamespaceFinalizer {
  /** namespace uid → when its deletion was first seen */
  private deleting = new Map<string, number>();

  constructor(private ctx: ControllerContext) {}

  forget(uid: string): void {
    this.deleting.delete(uid);
  }

  reconcile(ns: any): void {
    const now = Date.now();
    if (!ns.metadata.deletionTimestamp) return;
    const name = ns.metadata.name;
    if (!this.deleting.has(ns.metadata.uid)) this.deleting.set(ns.metadata.uid, now);
    if (ns.status?.phase !== "Terminating") {
      const n = clone(ns);
      n.status = { ...(n.status ?? {}), phase: "Terminating" };
      this.ctx.api.save(D.ns, n);
    }
    let remaining = 0;
    for (const def of RESOURCES) {
      if (!def.namespaced) continue;
      for (const o of this.ctx.store.values(def, name)) {
        if ((o.metadata.finalizers ?? []).length) {
          remaining++;
          if (!o.metadata.deletionTimestamp) {
            const c = clone(o);
            c.metadata.deletionTimestamp = isoNow();
            this.ctx.api.save(def, c);
          }
          continue;
        }
        this.ctx.api.remove(def, o);
      }
    }
    const due = this.deleting.get(ns.metadata.uid)! + this.ctx.delays.namespaceFinalizeMs;
    if (remaining === 0 && now >= due) {
      this.deleting.delete(ns.metadata.uid);
      this.ctx.api.remove(D.ns, ns);
    } else if (remaining === 0) this.ctx.wakeAt(due);
  }
}
