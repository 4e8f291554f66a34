import { clone, isoNow, randomHex } from "../util.js";
import type { ControllerContext, EventType } from "./context.js";
import { D, splitId } from "./objects.js";

/** Records core/v1 Events as the real components do: a repeat of the same reason and message bumps `count`. */
export class EventRecorder {
  /** `uid|reason|message` → the event last written for it */
  private index = new Map<string, { ns: string; name: string }>();
  /** event ids ("ns/name") in the order of their last write (oldest first), for the 1000-event cap */
  private order = new Map<string, true>();

  constructor(private ctx: ControllerContext) {}

  /** store listener for Event writes: keeps `order` current */
  noteWrite(id: string, deleted: boolean): void {
    this.order.delete(id);
    if (!deleted) this.order.set(id, true);
  }

  record(involved: any, type: EventType, reason: string, message: string, component: string, host?: string, fieldPath?: string): void {
    if (this.ctx.bootstrapping) return;
    const ns = involved.metadata.namespace ?? "default";
    if (!this.ctx.store.get(D.ns, undefined, ns) || this.ctx.store.get(D.ns, undefined, ns).metadata.deletionTimestamp) return;
    const now = isoNow();
    const ikey = `${involved.metadata.uid}|${reason}|${message}`;
    const known = this.index.get(ikey);
    const existing = known ? this.ctx.store.get(D.event, known.ns, known.name) : undefined;
    if (existing) {
      const e = clone(existing);
      e.count = (e.count ?? 1) + 1;
      e.lastTimestamp = now;
      this.ctx.api.save(D.event, e);
      return;
    }
    const ev: any = {
      metadata: { name: `${involved.metadata.name}.${randomHex(8)}`, namespace: ns },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata.namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: host ?? "",
    };
    if (!involved.metadata.namespace) delete ev.involvedObject.namespace;
    this.ctx.api.insert(D.event, ev, undefined, true);
    this.index.set(ikey, { ns, name: ev.metadata.name });
    if (this.index.size > 5000) this.index.delete(this.index.keys().next().value!);
  }

  /** keep the 1000 most recently written events (`order` is in resourceVersion order) */
  trim(): void {
    let excess = this.ctx.store.count(D.event) - 1000;
    if (excess <= 0) return;
    const victims: string[] = [];
    for (const id of this.order.keys()) {
      if (excess-- <= 0) break;
      victims.push(id);
    }
    for (const id of victims) {
      const [ns, name] = splitId(id);
      this.ctx.store.remove(D.event, ns, name);
      this.order.delete(id);
    }
  }
}
