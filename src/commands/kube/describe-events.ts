import type { CoreV1Event } from "../../gateways/kube-models.js";
import { errorMessage } from "../../core/errors.js";
import type { DescribeWriter } from "./describe-writer.js";
import { ageSince } from "../../domain/format/human-duration.js";
import type { KubeQuery } from "./kube-query.js";

// The Events section of kubectl describe: searchEvents' field selector, then DescribeEvents.

export type DescribeEvents = { items: CoreV1Event[] } | { note: string };

/** What searchEvents puts in its field selector: kind is left out for Pods, uid may be the Node's name. */
export interface EventRef {
  name: string;
  namespace: string | undefined;
  kind?: string;
  uid?: string;
}

/** kubectl's event interval: `5m`, or `2m (x4 over 10m)`. */
export function eventInterval(e: CoreV1Event, now: Date): string {
  const first = e.eventTime ? ageSince(e.eventTime, now) : ageSince(e.firstTimestamp, now);
  if (e.series) return `${ageSince(e.series.lastObservedTime, now)} (x${e.series.count} over ${first})`;
  if ((e.count ?? 0) > 1) return `${ageSince(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

/**
 * The FROM column: source.component, else the reporting controller (kubectl's e.ReportingController, whose JSON name
 * in core/v1 is reportingComponent), which events from newer recorders carry alone.
 */
export function eventSource(e: CoreV1Event): string {
  return e.source?.component || e.reportingComponent || "";
}

function stamp(e: CoreV1Event): number {
  const ms = e.lastTimestamp ? Date.parse(e.lastTimestamp) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** event.SortableEvents: by lastTimestamp only (a missing one sorts first), stable. */
export function sortForDescribe(events: CoreV1Event[]): CoreV1Event[] {
  return events
    .map((e, i) => ({ e, i, t: stamp(e) }))
    .sort((a, b) => (a.t === b.t ? a.i - b.i : a.t < b.t ? -1 : 1))
    .map((x) => x.e);
}

function selector(ref: EventRef): string {
  return [
    `involvedObject.name=${ref.name}`,
    `involvedObject.namespace=${ref.namespace ?? ""}`,
    ref.kind ? `involvedObject.kind=${ref.kind}` : undefined,
    ref.uid ? `involvedObject.uid=${ref.uid}` : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(",");
}

/**
 * The events of one object, merged over several refs (a Node is searched by its uid and by its name), or a note
 * when the caller may not read events or the query failed.
 */
export async function searchEvents(q: KubeQuery, refs: EventRef[]): Promise<DescribeEvents> {
  const namespace = refs[0]?.namespace;
  if (!(await q.allows("events", namespace || "*"))) return { note: "<not shown: type `events` is not allowed for you>" };
  try {
    const events = q.client.events;
    const items: CoreV1Event[] = [];
    for (const ref of refs) {
      const list = await q.call(() => events.list({ namespace: ref.namespace || undefined, fieldSelector: selector(ref) }));
      items.push(...list.items.filter((e) => e.involvedObject?.name === ref.name));
    }
    return { items };
  } catch (err) {
    return { note: `<unavailable: ${errorMessage(err)}>` };
  }
}

/** DescribeEvents: `Events:  <none>` in the current block, else a flush and the table. */
export function writeEvents(w: DescribeWriter, events: DescribeEvents, now: Date): void {
  if ("note" in events) return w.line(0, `Events:\t${events.note}`);
  if (events.items.length === 0) return w.line(0, "Events:\t<none>");
  w.flush();
  w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.line(1, "----\t------\t----\t----\t-------");
  for (const e of sortForDescribe(events.items)) {
    const source = eventSource(e);
    w.line(1, `${e.type ?? ""}\t${e.reason ?? ""}\t${eventInterval(e, now)}\t${source}\t${String(e.message ?? "").trim()}`);
  }
}
