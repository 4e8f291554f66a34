import { TimerHeap } from "./timer-heap.js";

export type Kind = "ns" | "deploy" | "rs" | "pod" | "svc" | "cluster" | "md" | "machine" | "node";
const KINDS: Kind[] = ["ns", "deploy", "rs", "pod", "svc", "cluster", "md", "machine", "node"];

/**
 * What the controllers still have to reconcile: objects marked dirty by kind (ids "ns/name", or the name when
 * cluster-scoped), uids to check for garbage collection, and timers that re-mark an object when a timed transition
 * is due.
 */
export class ReconcileQueue {
  private dirtySets: Record<Kind, Set<string>> = { ns: new Set(), deploy: new Set(), rs: new Set(), pod: new Set(), svc: new Set(), cluster: new Set(), md: new Set(), machine: new Set(), node: new Set() };
  /** uids whose owners may be gone */
  readonly gcDirty = new Set<string>();
  /** token (`kind|id`) → due time; the heap may hold stale entries (checked against this map) */
  private timers = new Map<string, number>();
  private heap = new TimerHeap();
  /** the object being reconciled: wakeAt() re-marks it */
  private current: string | undefined;

  mark(kind: Kind, id: string): void {
    this.dirtySets[kind].add(id);
  }

  hasDirty(): boolean {
    if (this.gcDirty.size) return true;
    for (const k of KINDS) if (this.dirtySets[k].size) return true;
    return false;
  }

  /** move due timers into the dirty sets */
  popDue(now: number): void {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top[0] > now) return;
      this.heap.pop();
      const [due, token] = top;
      if (this.timers.get(token) !== due) continue;
      this.timers.delete(token);
      const bar = token.indexOf("|");
      if (bar < 0) continue;
      this.mark(token.slice(0, bar) as Kind, token.slice(bar + 1));
    }
  }

  /** reconcile each dirty object of a kind: its previous timer is dropped; wakeAt() inside re-arms it */
  each(kind: Kind, fn: (id: string) => void): void {
    const set = this.dirtySets[kind];
    if (!set.size) return;
    const ids = [...set];
    set.clear();
    for (const id of ids) {
      const token = `${kind}|${id}`;
      this.timers.delete(token);
      this.current = token;
      try {
        fn(id);
      } finally {
        this.current = undefined;
      }
    }
  }

  /** re-run the object being reconciled at `t` (or the whole run when called outside an object) */
  wakeAt(t: number): void {
    const token = this.current ?? "tick";
    const cur = this.timers.get(token);
    if (cur !== undefined && cur <= t) return;
    this.timers.set(token, t);
    this.heap.push([t, token]);
  }

  /** the earliest live timer (Infinity when none) */
  nextDue(): number {
    for (;;) {
      const top = this.heap.peek();
      if (!top) return Infinity;
      if (this.timers.get(top[1]) === top[0]) return top[0];
      this.heap.pop();
    }
  }
}
