/** In-memory object tracker: objects by resource, a cluster-wide resourceVersion and bounded watch history. */
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
}

export type Listener = (e: StoreEvent) => void;

export class Store {
  rv = 1;
  /** highest rv that is no longer in the history */
  compactedRV = 0;
  history: StoreEvent[] = [];
  private data = new Map<string, Map<string, any>>();
  private listeners = new Set<Listener>();

  constructor(private historyLimit = 10000) {}

  private bucket(def: ResourceDef): Map<string, any> {
    const k = resourceKey(def);
    let b = this.data.get(k);
    if (!b) {
      b = new Map();
      this.data.set(k, b);
    }
    return b;
  }

  static id(ns: string | undefined, name: string): string {
    return `${ns ?? ""}/${name}`;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): any | undefined {
    return this.bucket(def).get(Store.id(def.namespaced ? ns : undefined, name));
  }

  /** all objects of a resource (optionally one namespace), sorted by namespace/name; NOT cloned */
  list(def: ResourceDef, ns?: string): any[] {
    const entries: Array<[string, any]> = [];
    const filter = ns !== undefined && def.namespaced;
    for (const e of this.bucket(def)) {
      if (filter && e[1].metadata.namespace !== ns) continue;
      entries.push(e);
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return entries.map((e) => e[1]);
  }

  /** like list() but unsorted (cheaper; for controllers) */
  values(def: ResourceDef, ns?: string): any[] {
    const out: any[] = [];
    const filter = ns !== undefined && def.namespaced;
    for (const o of this.bucket(def).values()) {
      if (filter && o.metadata.namespace !== ns) continue;
      out.push(o);
    }
    return out;
  }

  count(def: ResourceDef): number {
    return this.bucket(def).size;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - this.historyLimit;
      this.compactedRV = this.history[drop - 1].rv;
      this.history.splice(0, drop);
    }
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a broken listener must not break writes
      }
    }
  }

  /** store a new object (caller has filled metadata); sets resourceVersion */
  add(def: ResourceDef, obj: any, owned = false): any {
    const stored = owned ? obj : clone(obj);
    this.rv++;
    stored.metadata.resourceVersion = String(this.rv);
    this.bucket(def).set(Store.id(def.namespaced ? stored.metadata.namespace : undefined, stored.metadata.name), stored);
    this.emit({ rv: this.rv, type: "ADDED", key: resourceKey(def), obj: stored });
    return stored;
  }

  replace(def: ResourceDef, obj: any, owned = false): any {
    const id = Store.id(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
    const prev = this.bucket(def).get(id);
    const stored = owned ? obj : clone(obj);
    this.rv++;
    stored.metadata.resourceVersion = String(this.rv);
    this.bucket(def).set(id, stored);
    this.emit({ rv: this.rv, type: prev ? "MODIFIED" : "ADDED", key: resourceKey(def), obj: stored, prev });
    return stored;
  }

  remove(def: ResourceDef, ns: string | undefined, name: string): any | undefined {
    const id = Store.id(def.namespaced ? ns : undefined, name);
    const prev = this.bucket(def).get(id);
    if (!prev) return undefined;
    this.bucket(def).delete(id);
    this.rv++;
    const deleted = clone(prev);
    deleted.metadata.resourceVersion = String(this.rv);
    this.emit({ rv: this.rv, type: "DELETED", key: resourceKey(def), obj: deleted, prev });
    return deleted;
  }

  /** events after `rv` for a resource, or undefined when that history was compacted */
  since(rv: number, key: string): StoreEvent[] | undefined {
    if (rv < this.compactedRV) return undefined;
    return this.history.filter((e) => e.rv > rv && e.key === key);
  }
}
