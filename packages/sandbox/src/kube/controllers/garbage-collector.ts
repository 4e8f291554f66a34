import type { ResourceDef } from "../resources.js";
import type { ControllerContext } from "./context.js";

/** Objects whose every ownerReference points at a missing uid are deleted (checked for the uids marked). */
export function collectGarbage(ctx: ControllerContext, marked: Set<string>): void {
  if (!marked.size) return;
  const victims: Array<[ResourceDef, any]> = [];
  for (const u of marked) {
    const e = ctx.store.byUid(u);
    const o = e ? ctx.store.get(e.def, e.ns, e.name) : undefined;
    if (!o || !(o.metadata.ownerReferences ?? []).length) continue;
    if (o.metadata.ownerReferences.every((r: any) => !ctx.store.hasUid(r.uid))) victims.push([e!.def, o]);
  }
  marked.clear();
  for (const [def, o] of victims) ctx.api.remove(def, o);
}
