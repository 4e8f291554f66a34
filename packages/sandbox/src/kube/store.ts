/**
 * In-memory object tracker: objects by resource and namespace, a cluster-wide resourceVersion, bounded watch
 * history, and uid / owner indexes (garbage collection, orphaning and the controllers use them).
 */
import type { ResourceDef } from "./resources.js";
import { resourceKey } from "./resources.js";
import { clone } from "./util.js";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  rv: number;
  type: EventType;
  key: string; // resourceKey(def)
  obj: any;
  prev?: any;
  def?: ResourceDef;
}

export type Listener = (e: StoreEvent) => void;

export interface UidEntry {
  def: ResourceDef;
  ns: string | undefined;
  name: string;
}

/** one resource: namespace → name → object, with cached sort orders (invalidated on add/remove, not on replace) */
class Bucket {
  size = 0;
  byNs = new Map<string, Map<string, any>>();
  private sortedNs: string[] | undefined;
  private sortedNames = new Map<string, string[]>();

  ns(ns: string): Map<string, any> | undefined {
    return this.byNs.get(ns);
  }

  get(ns: string, name: string): any | undefined {
    return this.byNs.get(ns)?.get(name);
  }

  set(ns: string, name: string, obj: any): boolean {
    let m = this.byNs.get(ns);
    if (!m) {
      m = new Map();
      this.byNs.set(ns, m);
      this.sortedNs = undefined;
    }
    const had = m.has(name);
    m.set(name, obj);
    if (!had) {
      this.size++;
      this.sortedNames.delete(ns);
    }
    return had;
  }

  delete(ns: string, name: string): void {
    const m = this.byNs.get(ns);
    if (!m || !m.delete(name)) return;
    this.size--;
    this.sortedNames.delete(ns);
    if (m.size === 0) {
      this.byNs.delete(ns);
      this.sortedNs = undefined;
    }
  }

  /** namespaces in the order of their `ns/` id prefix, i.e. the order of `${ns}/${name}` ids */
  namespaces(): string[] {
    if (!this.sortedNs) this.sortedNs = [...this.byNs.keys()].map((n) => n + "/").sort(cmp).map((n) => n.slice(0, -1));
    return this.sortedNs;
  }

  names(ns: string): string[] {
    let s = this.sortedNames.get(ns);
    if (!s) {
      s = [...(this.byNs.get(ns)?.keys() ?? [])].sort(cmp);
      this.sortedNames.set(ns, s);
    }
    return s;
  }
}

/** The first index in [0, n) for which `past` holds (it holds for every index after it), else n. */
function lowerBound(n: number, past: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Store {
  rv = 1;
  /** highest rv that is no longer in the history */
  compactedRV = 0;
  /** watch history: hist[head..] are the kept events (dropping is amortized: no splice per write) */
  private hist: StoreEvent[] = [];
  private head = 0;
  private data = new Map<string, Bucket>();
  private listeners = new Set<Listener>();
  private uids = new Map<string, UidEntry>();
  private owners = new Map<string, Set<string>>();

  constructor(private historyLimit = 10000) {}

  private bucket(def: ResourceDef): Bucket {
    const k = resourceKey(def);
    let b = this.data.get(k);
    if (!b) {
      b = new Bucket();
      this.data.set(k, b);
    }
    return b;
  }

  static id(ns: string | undefined, name: string): string {
    return `${ns ?? ""}/${name}`;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): any | undefined {
    return this.bucket(def).get(def.namespaced ? ns ?? "" : "", name);
  }

  /** all objects of a resource (optionally one namespace), sorted by namespace/name; NOT cloned */
  list(def: ResourceDef, ns?: string): any[] {
    const b = this.bucket(def);
    const out: any[] = [];
    const spaces = ns !== undefined && def.namespaced ? [ns] : b.namespaces();
    for (const n of spaces) {
      const m = b.ns(n);
      if (!m) continue;
      for (const name of b.names(n)) out.push(m.get(name));
    }
    return out;
  }

  /**
   * Objects after the id `after` (`namespace/name`; "" for the first), in list() order, lazily: a page of a long list
   * costs its own length, not the whole list's (100,000 pods are 200 pages). NOT cloned.
   */
  *listAfter(def: ResourceDef, ns: string | undefined, after: string): Generator<any> {
    const b = this.bucket(def);
    const spaces = ns !== undefined && def.namespaced ? [ns] : b.namespaces();
    // namespaces are in id order: start at the first whose ids can come after `after`
    let first = lowerBound(spaces.length, (i) => `${spaces[i]}/` > after || after.startsWith(`${spaces[i]}/`));
    for (; first < spaces.length; first++) {
      const n = spaces[first]!;
      const m = b.ns(n);
      if (!m) continue;
      const names = b.names(n);
      const from = after.startsWith(`${n}/`) ? lowerBound(names.length, (i) => names[i]! > after.slice(n.length + 1)) : 0;
      for (let i = from; i < names.length; i++) yield m.get(names[i]!);
    }
  }

  /** How many objects list() holds after the id `after`, without listing them. */
  countAfter(def: ResourceDef, ns: string | undefined, after: string): number {
    const b = this.bucket(def);
    const spaces = ns !== undefined && def.namespaced ? [ns] : b.namespaces();
    let count = 0;
    for (const n of spaces) {
      const size = b.ns(n)?.size ?? 0;
      if (`${n}/` > after) count += size;
      else if (after.startsWith(`${n}/`)) {
        const names = b.names(n);
        count += names.length - lowerBound(names.length, (i) => names[i]! > after.slice(n.length + 1));
      }
    }
    return count;
  }

  /** like list() but unsorted (cheaper; for controllers) */
  values(def: ResourceDef, ns?: string): any[] {
    const b = this.bucket(def);
    if (ns !== undefined && def.namespaced) return [...(b.ns(ns)?.values() ?? [])];
    const out: any[] = [];
    for (const m of b.byNs.values()) for (const o of m.values()) out.push(o);
    return out;
  }

  count(def: ResourceDef): number {
    return this.bucket(def).size;
  }

  /** where the object with this uid is stored */
  byUid(uid: string): UidEntry | undefined {
    return this.uids.get(uid);
  }

  hasUid(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** the stored object with this uid */
  getByUid(uid: string): any | undefined {
    const e = this.uids.get(uid);
    return e ? this.get(e.def, e.ns, e.name) : undefined;
  }

  /** uids of the objects with an ownerReference to `uid` (any resource) */
  dependants(uid: string): string[] {
    const s = this.owners.get(uid);
    return s ? [...s] : [];
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** the kept watch history, oldest first (a copy) */
  get history(): StoreEvent[] {
    return this.hist.slice(this.head);
  }

  private emit(e: StoreEvent): void {
    this.hist.push(e);
    if (this.hist.length - this.head > this.historyLimit) {
      const drop = this.hist.length - this.head - this.historyLimit;
      this.head += drop;
      this.compactedRV = this.hist[this.head - 1].rv;
      if (this.head >= Math.max(1024, this.historyLimit)) {
        this.hist.splice(0, this.head);
        this.head = 0;
      }
    }
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a broken listener must not break writes
      }
    }
  }

  private index(def: ResourceDef, o: any): void {
    const uid = o.metadata.uid;
    if (uid) this.uids.set(uid, { def, ns: def.namespaced ? o.metadata.namespace : undefined, name: o.metadata.name });
    for (const r of o.metadata.ownerReferences ?? []) {
      if (!r?.uid || !uid) continue;
      let s = this.owners.get(r.uid);
      if (!s) {
        s = new Set();
        this.owners.set(r.uid, s);
      }
      s.add(uid);
    }
  }

  private unindex(def: ResourceDef, o: any): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const e = this.uids.get(uid);
    if (e && e.def === def && e.name === o.metadata.name && e.ns === (def.namespaced ? o.metadata.namespace : undefined)) this.uids.delete(uid);
    for (const r of o.metadata.ownerReferences ?? []) {
      const s = r?.uid ? this.owners.get(r.uid) : undefined;
      if (!s) continue;
      s.delete(uid);
      if (s.size === 0) this.owners.delete(r.uid);
    }
  }

  /** store a new object (caller has filled metadata); sets resourceVersion */
  add(def: ResourceDef, obj: any, owned = false): any {
    const stored = owned ? obj : clone(obj);
    this.rv++;
    stored.metadata.resourceVersion = String(this.rv);
    const ns = def.namespaced ? stored.metadata.namespace ?? "" : "";
    const prev = this.bucket(def).get(ns, stored.metadata.name);
    if (prev) this.unindex(def, prev);
    this.bucket(def).set(ns, stored.metadata.name, stored);
    this.index(def, stored);
    this.emit({ rv: this.rv, type: "ADDED", key: resourceKey(def), obj: stored, def });
    return stored;
  }

  replace(def: ResourceDef, obj: any, owned = false): any {
    const ns = def.namespaced ? obj.metadata.namespace ?? "" : "";
    const prev = this.bucket(def).get(ns, obj.metadata.name);
    const stored = owned ? obj : clone(obj);
    this.rv++;
    stored.metadata.resourceVersion = String(this.rv);
    if (prev) this.unindex(def, prev);
    this.bucket(def).set(ns, stored.metadata.name, stored);
    this.index(def, stored);
    this.emit({ rv: this.rv, type: prev ? "MODIFIED" : "ADDED", key: resourceKey(def), obj: stored, prev, def });
    return stored;
  }

  remove(def: ResourceDef, ns: string | undefined, name: string): any | undefined {
    const n = def.namespaced ? ns ?? "" : "";
    const prev = this.bucket(def).get(n, name);
    if (!prev) return undefined;
    this.bucket(def).delete(n, name);
    this.unindex(def, prev);
    this.rv++;
    // stored objects are never mutated: a shallow copy with the new resourceVersion is enough
    const deleted = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(this.rv) } };
    this.emit({ rv: this.rv, type: "DELETED", key: resourceKey(def), obj: deleted, prev, def });
    return deleted;
  }

  /** events after `rv` for a resource, or undefined when that history was compacted */
  since(rv: number, key: string): StoreEvent[] | undefined {
    if (rv < this.compactedRV) return undefined;
    // history is in rv order: binary search the first event after rv
    const h = this.hist;
    let lo = this.head;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: StoreEvent[] = [];
    for (let i = lo; i < h.length; i++) if (h[i].key === key) out.push(h[i]);
    return out;
  }
}
