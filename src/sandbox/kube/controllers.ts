/**
 * Simulated controllers (kwok-style): deployment, replicaset, "kubelet", namespace lifecycle,
 * garbage collection, Cluster API MachineDeployment/Machine, node readiness and events.
 */
import type { Api } from "./api.js";
import { findByPlural, type ResourceDef, RESOURCES } from "./resources.js";
import { selectorToString } from "./selectors.js";
import type { Store, StoreEvent } from "./store.js";
import type { BrokenImageRule, SimDelays } from "./types.js";
import { clone, deepEqual, dropNulls, fnv32, globMatch, intOrPercent, isoNow, randomHex, randSuffix, safeEncode, stableStringify } from "./util.js";

const D = {
  ns: findByPlural("", "v1", "namespaces")!,
  pod: findByPlural("", "v1", "pods")!,
  node: findByPlural("", "v1", "nodes")!,
  event: findByPlural("", "v1", "events")!,
  deploy: findByPlural("apps", "v1", "deployments")!,
  rs: findByPlural("apps", "v1", "replicasets")!,
  md: findByPlural("cluster.x-k8s.io", "v1beta1", "machinedeployments")!,
  machine: findByPlural("cluster.x-k8s.io", "v1beta1", "machines")!,
};

export const REVISION = "deployment.kubernetes.io/revision";
export const NEVER_READY = "sandbox.tugboat.dev/nodes-never-ready";
const MD_NAME_LABEL = "cluster.x-k8s.io/deployment-name";
const CLUSTER_LABEL = "cluster.x-k8s.io/cluster-name";
const MACHINE_ANNOTATION = "cluster.x-k8s.io/machine";

interface PodState { seen: number; scheduledAt?: number; startedAt?: number; nextRestartAt?: number }

function ownedBy(o: any, uid: string): boolean {
  return (o.metadata.ownerReferences ?? []).some((r: any) => r.uid === uid && r.controller !== false);
}

function ownerRef(apiVersion: string, kind: string, owner: any): any {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function revisionOf(o: any): number {
  return parseInt(o.metadata.annotations?.[REVISION] ?? "0", 10) || 0;
}

function templateWithoutHash(t: any): any {
  const c = dropNulls(clone(t ?? {}));
  if (c.metadata?.labels) {
    delete c.metadata.labels["pod-template-hash"];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
  return c;
}

function podTemplateHash(t: any, collision = 0): string {
  return safeEncode(String(fnv32(stableStringify(templateWithoutHash(t)) + (collision ? String(collision) : ""))));
}

function cond(type: string, status: string, at: string, reason?: string, message?: string, extra: any = {}): any {
  const c: any = { type, status, lastProbeTime: null, lastTransitionTime: at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return { ...c, ...extra };
}

type Kind = "ns" | "deploy" | "rs" | "pod" | "md" | "machine" | "node";
const KINDS: Kind[] = ["ns", "deploy", "rs", "pod", "md", "machine", "node"];

/** min-heap of [due, token] */
class TimerHeap {
  private h: Array<[number, string]> = [];
  get size(): number {
    return this.h.length;
  }
  peek(): [number, string] | undefined {
    return this.h[0];
  }
  push(e: [number, string]): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p][0] <= h[i][0]) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): [number, string] | undefined {
    const h = this.h;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l][0] < h[m][0]) m = l;
        if (r < h.length && h[r][0] < h[m][0]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.h = [];
  }
}

/**
 * Controllers are driven by a dirty set: every store write marks the objects it can affect (the written object, its
 * owners, its dependants, its namespace while terminating, machines ↔ nodes ↔ machine deployments), and a run
 * reconciles only those. Timed transitions (scheduling, readiness, progress deadlines, machine phases, crash-loop
 * restarts, namespace finalization) re-mark their object when due (`wakeAt`).
 */
export class Controllers {
  delays: SimDelays;
  bootstrapping = false;
  private scheduled: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAtMs = Infinity;
  private running = false;
  private rekick = false;
  private stopped = false;
  private dirtySets: Record<Kind, Set<string>> = { ns: new Set(), deploy: new Set(), rs: new Set(), pod: new Set(), md: new Set(), machine: new Set(), node: new Set() };
  private gcDirty = new Set<string>();
  /** token (`kind|id`) → due time; the heap may hold stale entries (checked against this map) */
  private timers = new Map<string, number>();
  private heap = new TimerHeap();
  /** the object being reconciled: wakeAt() re-marks it */
  private current: string | undefined;
  /** Event ids ("ns/name") in the order of their last write (oldest first), for the 1000-event cap */
  private eventOrder = new Map<string, true>();
  /** node name → machines ("ns/name") whose status.nodeRef names it */
  private machinesByNode = new Map<string, Set<string>>();
  /** machine ("ns/name") → nodes annotated with it */
  private nodesByMachine = new Map<string, Set<string>>();
  private pods = new Map<string, PodState>();
  private machines = new Map<string, { seen: number }>();
  private nodesPending = new Map<string, number>();
  private nsDeleting = new Map<string, number>();
  private progressAt = new Map<string, number>();
  private nodeRR = 0;
  private eventIndex = new Map<string, { ns: string; name: string }>();
  private ipCounter = 0;
  private unsubscribe: () => void;

  constructor(private api: Api, private store: Store, delays: SimDelays, private brokenImages: BrokenImageRule[], private clusterName: string) {
    this.delays = delays;
    this.unsubscribe = store.subscribe((e) => {
      this.track(e);
      this.kick();
    });
  }

  // ------------------------------------------------------------------ dirty tracking

  private mark(kind: Kind, id: string): void {
    this.dirtySets[kind].add(id);
  }

  private hasDirty(): boolean {
    if (this.gcDirty.size) return true;
    for (const k of KINDS) if (this.dirtySets[k].size) return true;
    return false;
  }

  private static idOf(o: any): string {
    return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  }

  private markOwners(o: any, kind: Kind, def: ResourceDef): void {
    for (const r of o?.metadata?.ownerReferences ?? []) {
      const e = r?.uid ? this.store.byUid(r.uid) : undefined;
      if (e && e.def === def) this.mark(kind, `${e.ns ?? ""}/${e.name}`);
    }
  }

  private markMachineAndMd(id: string): void {
    this.mark("machine", id);
    const slash = id.indexOf("/");
    const m = this.store.get(D.machine, id.slice(0, slash), id.slice(slash + 1));
    const mdName = m?.metadata.labels?.[MD_NAME_LABEL];
    if (mdName) this.mark("md", `${m.metadata.namespace}/${mdName}`);
  }

  private static addTo(index: Map<string, Set<string>>, key: string | undefined, v: string): void {
    if (!key) return;
    let s = index.get(key);
    if (!s) {
      s = new Set();
      index.set(key, s);
    }
    s.add(v);
  }

  private static dropFrom(index: Map<string, Set<string>>, key: string | undefined, v: string): void {
    const s = key ? index.get(key) : undefined;
    if (!s) return;
    s.delete(v);
    if (!s.size) index.delete(key!);
  }

  /** store listener: mark what a write can affect */
  private track(e: StoreEvent): void {
    const def = e.def;
    if (!def) return;
    const o = e.obj;
    const prev = e.prev;
    const md = o.metadata;
    const id = Controllers.idOf(o);
    const deleted = e.type === "DELETED";
    // content of a terminating namespace
    if (def.namespaced && md.namespace) {
      const nso = this.store.get(D.ns, undefined, md.namespace);
      if (nso?.metadata.deletionTimestamp) this.mark("ns", md.namespace);
    }
    // garbage collection
    if (deleted) {
      for (const u of this.store.dependants(md.uid)) this.gcDirty.add(u);
    } else if ((md.ownerReferences ?? []).length && (!prev || !deepEqual(prev.metadata.ownerReferences, md.ownerReferences))) {
      this.gcDirty.add(md.uid);
    }
    switch (def) {
      case D.ns:
        this.mark("ns", md.name);
        if (deleted) this.nsDeleting.delete(md.uid);
        break;
      case D.deploy:
        this.mark("deploy", id);
        if (deleted) this.progressAt.delete(md.uid);
        break;
      case D.rs:
        this.mark("rs", id);
        this.markOwners(o, "deploy", D.deploy);
        if (prev) this.markOwners(prev, "deploy", D.deploy);
        break;
      case D.pod:
        this.mark("pod", id);
        this.markOwners(o, "rs", D.rs);
        if (prev) this.markOwners(prev, "rs", D.rs);
        if (deleted) this.pods.delete(md.uid);
        break;
      case D.md: {
        this.mark("md", id);
        const name = md.name;
        for (const m of this.store.values(D.machine, md.namespace)) if (m.metadata.labels?.[MD_NAME_LABEL] === name) this.mark("machine", Controllers.idOf(m));
        break;
      }
      case D.machine: {
        this.mark("machine", id);
        for (const x of prev ? [prev, o] : [o]) {
          const mdName = x.metadata.labels?.[MD_NAME_LABEL];
          if (mdName) this.mark("md", `${md.namespace}/${mdName}`);
        }
        Controllers.dropFrom(this.machinesByNode, prev?.status?.nodeRef?.name, id);
        if (!deleted) Controllers.addTo(this.machinesByNode, o.status?.nodeRef?.name, id);
        if (deleted) {
          this.machines.delete(md.uid);
          for (const n of this.nodesByMachine.get(id) ?? []) this.mark("node", n);
        }
        break;
      }
      case D.node: {
        this.mark("node", md.name);
        const machineOf = (x: any) => (x?.metadata.annotations?.[MACHINE_ANNOTATION] ? `${x.metadata.annotations["cluster.x-k8s.io/cluster-namespace"] ?? "default"}/${x.metadata.annotations[MACHINE_ANNOTATION]}` : undefined);
        const before = machineOf(prev);
        const after = deleted ? undefined : machineOf(o);
        Controllers.dropFrom(this.nodesByMachine, before, md.name);
        Controllers.addTo(this.nodesByMachine, after, md.name);
        for (const m of [before, machineOf(o)]) if (m) this.markMachineAndMd(m);
        for (const m of this.machinesByNode.get(md.name) ?? []) this.markMachineAndMd(m);
        break;
      }
      case D.event:
        this.eventOrder.delete(id);
        if (!deleted) this.eventOrder.set(id, true);
        break;
    }
  }

  /** mark every object dirty (after a change of delays: every pending transition is re-timed) */
  resync(): void {
    for (const n of this.store.values(D.ns)) this.mark("ns", n.metadata.name);
    for (const [kind, def] of [["deploy", D.deploy], ["rs", D.rs], ["pod", D.pod], ["md", D.md], ["machine", D.machine]] as const) {
      for (const o of this.store.values(def)) this.mark(kind, Controllers.idOf(o));
    }
    for (const n of this.store.values(D.node)) this.mark("node", n.metadata.name);
    this.kick();
  }

  /** move due timers into the dirty sets */
  private popDue(now: number): void {
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

  /** reconcile one dirty object: its previous timer is dropped; wakeAt() inside re-arms it */
  private each(kind: Kind, fn: (id: string) => void): void {
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

  private split(id: string): [string, string] {
    const slash = id.indexOf("/");
    return [id.slice(0, slash), id.slice(slash + 1)];
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.scheduled) clearTimeout(this.scheduled);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
  }

  kick(): void {
    if (this.stopped || this.bootstrapping) return;
    if (this.running) {
      this.rekick = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.run();
    }, this.delays.controllerTickMs);
  }

  /** re-run the object being reconciled at `t` (or the whole run when called outside an object) */
  private wakeAt(t: number): void {
    const token = this.current ?? "tick";
    const cur = this.timers.get(token);
    if (cur !== undefined && cur <= t) return;
    this.timers.set(token, t);
    this.heap.push([t, token]);
  }

  private nextDue(): number {
    for (;;) {
      const top = this.heap.peek();
      if (!top) return Infinity;
      if (this.timers.get(top[1]) === top[0]) return top[0];
      this.heap.pop();
    }
  }

  private armWake(): void {
    const next = this.nextDue();
    if (this.stopped || next === Infinity) return;
    if (this.wakeTimer && this.wakeAtMs <= next) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAtMs = next;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAtMs = Infinity;
      this.run();
    }, Math.max(0, next - Date.now()) + 1);
  }

  run(): void {
    if (this.stopped) return;
    this.running = true;
    try {
      for (let pass = 0; pass < 20; pass++) {
        this.rekick = false;
        this.popDue(Date.now());
        this.reconcileDirty();
        if (!this.hasDirty()) break;
      }
    } catch (e) {
      console.error("[kube-sandbox] controller error", e);
    } finally {
      this.running = false;
    }
    this.rekick = false;
    this.armWake();
  }

  /** bring seeded objects to steady state synchronously, with timestamps in the past */
  bootstrap(): void {
    const saved = this.delays;
    this.delays = { podScheduleMs: 0, podReadyMs: 0, machineProvisionMs: 0, nodeReadyMs: 0, namespaceFinalizeMs: 0, controllerTickMs: 0 };
    this.bootstrapping = true;
    try {
      for (let pass = 0; pass < 60; pass++) {
        this.popDue(Date.now());
        this.reconcileDirty();
        if (!this.hasDirty()) break;
      }
    } finally {
      this.bootstrapping = false;
      this.delays = saved;
    }
  }

  /** one pass over what is dirty, in the order the full reconcile used to run */
  private reconcileDirty(): void {
    this.each("ns", (name) => {
      const ns = this.store.get(D.ns, undefined, name);
      if (ns) this.namespace(ns);
    });
    this.gc();
    this.each("md", (id) => {
      const md = this.store.get(D.md, ...this.split(id));
      if (md) this.machineDeployment(md);
    });
    this.each("machine", (id) => {
      const m = this.store.get(D.machine, ...this.split(id));
      if (m) this.machineLifecycle(m);
    });
    this.each("node", (name) => {
      const n = this.store.get(D.node, undefined, name);
      if (n) this.orphanNode(n);
    });
    this.nodeReadiness();
    this.each("deploy", (id) => {
      const d = this.store.get(D.deploy, ...this.split(id));
      if (d) this.deployment(d);
    });
    this.each("rs", (id) => {
      const rs = this.store.get(D.rs, ...this.split(id));
      if (rs) this.replicaSet(rs);
    });
    this.each("pod", (id) => {
      const p = this.store.get(D.pod, ...this.split(id));
      if (p) this.kubelet(p);
    });
    this.trimEvents();
  }

  private stamp(pastIso?: string): string {
    return this.bootstrapping && pastIso ? pastIso : isoNow();
  }

  // ------------------------------------------------------------------ events

  event(involved: any, type: "Normal" | "Warning", reason: string, message: string, component: string, host?: string, fieldPath?: string): void {
    if (this.bootstrapping) return;
    const ns = involved.metadata.namespace ?? "default";
    if (!this.store.get(D.ns, undefined, ns) || this.store.get(D.ns, undefined, ns).metadata.deletionTimestamp) return;
    const now = isoNow();
    const ikey = `${involved.metadata.uid}|${reason}|${message}`;
    const known = this.eventIndex.get(ikey);
    const existing = known ? this.store.get(D.event, known.ns, known.name) : undefined;
    if (existing) {
      const e = clone(existing);
      e.count = (e.count ?? 1) + 1;
      e.lastTimestamp = now;
      this.api.save(D.event, e);
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
    this.api.insert(D.event, ev, undefined, true);
    this.eventIndex.set(ikey, { ns, name: ev.metadata.name });
    if (this.eventIndex.size > 5000) this.eventIndex.delete(this.eventIndex.keys().next().value!);
  }

  /** keep the 1000 most recently written events (eventOrder is in resourceVersion order) */
  private trimEvents(): void {
    let excess = this.store.count(D.event) - 1000;
    if (excess <= 0) return;
    const victims: string[] = [];
    for (const id of this.eventOrder.keys()) {
      if (excess-- <= 0) break;
      victims.push(id);
    }
    for (const id of victims) {
      const [ns, name] = this.split(id);
      this.store.remove(D.event, ns, name);
      this.eventOrder.delete(id);
    }
  }

  // ------------------------------------------------------------------ namespaces + GC

  private namespace(ns: any): void {
    const now = Date.now();
    {
      if (!ns.metadata.deletionTimestamp) return;
      const name = ns.metadata.name;
      if (!this.nsDeleting.has(ns.metadata.uid)) this.nsDeleting.set(ns.metadata.uid, now);
      if (ns.status?.phase !== "Terminating") {
        const n = clone(ns);
        n.status = { ...(n.status ?? {}), phase: "Terminating" };
        this.api.save(D.ns, n);
      }
      let remaining = 0;
      for (const def of RESOURCES) {
        if (!def.namespaced) continue;
        for (const o of this.store.values(def, name)) {
          if ((o.metadata.finalizers ?? []).length) {
            remaining++;
            if (!o.metadata.deletionTimestamp) {
              const c = clone(o);
              c.metadata.deletionTimestamp = isoNow();
              this.api.save(def, c);
            }
            continue;
          }
          this.api.remove(def, o);
        }
      }
      const due = this.nsDeleting.get(ns.metadata.uid)! + this.delays.namespaceFinalizeMs;
      if (remaining === 0 && now >= due) {
        this.nsDeleting.delete(ns.metadata.uid);
        this.api.remove(D.ns, ns);
      } else if (remaining === 0) this.wakeAt(due);
    }
  }

  /** objects whose every ownerReference points at a missing uid are deleted (checked for the objects marked) */
  private gc(): void {
    if (!this.gcDirty.size) return;
    const victims: Array<[ResourceDef, any]> = [];
    for (const u of this.gcDirty) {
      const e = this.store.byUid(u);
      const o = e ? this.store.get(e.def, e.ns, e.name) : undefined;
      if (!o || !(o.metadata.ownerReferences ?? []).length) continue;
      if (o.metadata.ownerReferences.every((r: any) => !this.store.hasUid(r.uid))) victims.push([e!.def, o]);
    }
    this.gcDirty.clear();
    for (const [def, o] of victims) this.api.remove(def, o);
  }

  // ------------------------------------------------------------------ deployments

  private deployment(d: any): void {
    if (d.metadata.deletionTimestamp) return;
    const ns = d.metadata.namespace;
    const spec = d.spec ?? {};
    const desired: number = spec.replicas ?? 1;
    const all = this.store.values(D.rs, ns).filter((rs) => ownedBy(rs, d.metadata.uid));
    const want = templateWithoutHash(spec.template);
    let newRS = all.find((rs) => deepEqual(templateWithoutHash(rs.spec?.template), want));
    const maxRev = all.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let progressReason: string | undefined;
    const at = this.stamp(d.metadata.creationTimestamp);
    if (!newRS && !spec.paused) {
      let collision = 0;
      let hash = podTemplateHash(spec.template);
      while (this.store.get(D.rs, ns, `${d.metadata.name}-${hash}`) && collision < 5) hash = podTemplateHash(spec.template, ++collision);
      const sel = clone(spec.selector ?? {});
      sel.matchLabels = { ...(sel.matchLabels ?? {}), "pod-template-hash": hash };
      const tmpl = clone(spec.template ?? {});
      tmpl.metadata = tmpl.metadata ?? {};
      tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), "pod-template-hash": hash };
      const maxSurge = this.surge(d);
      const rs = {
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: ns,
          labels: { ...(spec.template?.metadata?.labels ?? {}), "pod-template-hash": hash },
          annotations: {
            "deployment.kubernetes.io/desired-replicas": String(desired),
            "deployment.kubernetes.io/max-replicas": String(desired + maxSurge),
            [REVISION]: String(maxRev + 1),
          },
          ownerReferences: [ownerRef("apps/v1", "Deployment", d)],
        },
        spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector: sel, template: tmpl },
        status: { replicas: 0 },
      };
      if (!rs.spec.minReadySeconds) delete (rs.spec as any).minReadySeconds;
      newRS = this.api.insert(D.rs, rs, this.bootstrapping ? d.metadata.creationTimestamp : undefined);
      if (!newRS) return;
      progressReason = "NewReplicaSetCreated";
    } else if (newRS && revisionOf(newRS) < maxRev) {
      const c = clone(newRS);
      c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [REVISION]: String(maxRev + 1) };
      newRS = this.api.save(D.rs, c);
      progressReason = "FoundNewReplicaSet";
    }
    // keep the deployment's revision annotation in sync
    if (newRS) {
      const rev = newRS.metadata.annotations?.[REVISION];
      if (rev && d.metadata.annotations?.[REVISION] !== rev) {
        const c = clone(d);
        c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [REVISION]: rev };
        d = this.api.save(D.deploy, c) ?? d;
      }
    }
    const olds = this.store.values(D.rs, ns).filter((rs) => ownedBy(rs, d.metadata.uid) && rs.metadata.uid !== newRS?.metadata.uid);
    if (!spec.paused && newRS) {
      if ((spec.strategy?.type ?? "RollingUpdate") === "Recreate") this.recreate(d, newRS, olds, desired);
      else this.rolling(d, newRS, olds, desired);
      this.cleanupOld(d, olds);
    }
    this.deploymentStatus(d, progressReason, at);
  }

  private surge(d: any): number {
    const desired = d.spec?.replicas ?? 1;
    if ((d.spec?.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return 0;
    return intOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? "25%", desired, true);
  }

  private maxUnavailable(d: any): number {
    const desired = d.spec?.replicas ?? 1;
    if ((d.spec?.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return 0;
    let mu = intOrPercent(d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? "25%", desired, false);
    const ms = intOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? "25%", desired, true);
    if (mu === 0 && ms === 0) mu = 1;
    return Math.min(mu, desired);
  }

  private scaleRS(d: any, rs: any, to: number): any {
    const from = rs.spec?.replicas ?? 0;
    if (from === to) return rs;
    const c = clone(rs);
    c.spec.replicas = to;
    c.metadata.annotations = {
      ...(c.metadata.annotations ?? {}),
      "deployment.kubernetes.io/desired-replicas": String(d.spec?.replicas ?? 1),
      "deployment.kubernetes.io/max-replicas": String((d.spec?.replicas ?? 1) + this.surge(d)),
    };
    const saved = this.api.save(D.rs, c);
    this.event(d, "Normal", "ScalingReplicaSet", `Scaled ${to > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${to}`, "deployment-controller");
    return saved ?? rs;
  }

  private rolling(d: any, newRS: any, olds: any[], desired: number): void {
    const maxSurge = this.surge(d);
    const maxUnavail = this.maxUnavailable(d);
    const allCount = () => [newRS, ...olds].reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
    // scale up the new replica set
    const cur = newRS.spec?.replicas ?? 0;
    if (olds.every((rs) => (rs.spec?.replicas ?? 0) === 0)) {
      if (cur !== desired) newRS = this.scaleRS(d, newRS, desired);
    } else if (cur > desired) {
      newRS = this.scaleRS(d, newRS, desired);
    } else if (cur < desired) {
      const allowed = desired + maxSurge - allCount();
      const up = Math.max(0, Math.min(allowed, desired - cur));
      if (up > 0) newRS = this.scaleRS(d, newRS, cur + up);
    }
    // scale down old replica sets
    const oldsWithPods = olds.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    if (!oldsWithPods.length) return;
    const minAvailable = desired - maxUnavail;
    const newUnavailable = (newRS.spec?.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    let maxScaledDown = allCount() - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    // first, unhealthy old replicas
    const sorted = [...oldsWithPods].sort((a, b) => revisionOf(a) - revisionOf(b));
    for (let i = 0; i < sorted.length && maxScaledDown > 0; i++) {
      const rs = sorted[i];
      const unhealthy = (rs.spec?.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown, unhealthy);
      sorted[i] = this.scaleRS(d, rs, (rs.spec?.replicas ?? 0) - n);
      maxScaledDown -= n;
    }
    // then, healthy ones as long as enough replicas stay available
    const available = [newRS, ...olds].reduce((s, rs) => s + Math.min(rs.status?.availableReplicas ?? 0, rs.spec?.replicas ?? 0), 0);
    let total = Math.min(available - minAvailable, maxScaledDown + Math.max(0, 0));
    total = available - minAvailable;
    for (let i = 0; i < sorted.length && total > 0; i++) {
      const rs = this.store.get(D.rs, sorted[i].metadata.namespace, sorted[i].metadata.name) ?? sorted[i];
      const r = rs.spec?.replicas ?? 0;
      if (r === 0) continue;
      const n = Math.min(r, total);
      this.scaleRS(d, rs, r - n);
      total -= n;
    }
  }

  private recreate(d: any, newRS: any, olds: any[], desired: number): void {
    let oldPods = 0;
    for (const rs of olds) {
      if ((rs.spec?.replicas ?? 0) > 0) this.scaleRS(d, rs, 0);
      oldPods += rs.status?.replicas ?? 0;
    }
    if (oldPods === 0 && (newRS.spec?.replicas ?? 0) !== desired) this.scaleRS(d, newRS, desired);
  }

  private cleanupOld(d: any, olds: any[]): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const idle = olds.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (let i = 0; i < idle.length - limit; i++) this.api.remove(D.rs, idle[i]);
  }

  private deploymentStatus(d: any, progressReason: string | undefined, at: string): void {
    d = this.store.get(D.deploy, d.metadata.namespace, d.metadata.name) ?? d;
    const all = this.store.values(D.rs, d.metadata.namespace).filter((rs) => ownedBy(rs, d.metadata.uid));
    const want = templateWithoutHash(d.spec?.template);
    const newRS = all.find((rs) => deepEqual(templateWithoutHash(rs.spec?.template), want));
    const desired: number = d.spec?.replicas ?? 1;
    const sum = (f: (rs: any) => number) => all.reduce((s, rs) => s + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const totalSpec = sum((rs) => rs.spec?.replicas ?? 0);
    const unavailable = Math.max(0, totalSpec - available);
    const old = d.status ?? {};
    const now = Date.now();
    const nowIso = this.stamp(at);
    const st: any = { observedGeneration: d.metadata.generation ?? 1 };
    if (replicas) st.replicas = replicas;
    if (updated) st.updatedReplicas = updated;
    if (ready) st.readyReplicas = ready;
    if (available) st.availableReplicas = available;
    if (unavailable) st.unavailableReplicas = unavailable;
    if (old.collisionCount) st.collisionCount = old.collisionCount;
    const oldConds: any[] = old.conditions ?? [];
    const setCond = (type: string, status: string, reason: string, message: string, touch: boolean): any => {
      const prev = oldConds.find((c) => c.type === type);
      const same = prev && prev.status === status && prev.reason === reason && prev.message === message;
      if (same && !touch) return prev;
      return {
        type,
        status,
        lastUpdateTime: nowIso,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : nowIso,
        reason,
        message,
      };
    };
    const conds: any[] = [];
    const minAvail = desired - this.maxUnavailable(d);
    conds.push(available >= minAvail
      ? setCond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", false)
      : setCond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", false));
    const uid = d.metadata.uid;
    const prevProg = oldConds.find((c) => c.type === "Progressing");
    const pds = d.spec?.progressDeadlineSeconds;
    const rsName = newRS?.metadata.name ?? "";
    const complete = !!newRS && updated === desired && replicas === desired && available === desired && (newRS.spec?.replicas ?? 0) === desired;
    const progressed = (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0) || (st.replicas ?? 0) < (old.replicas ?? 0) && (st.updatedReplicas ?? 0) > 0;
    let prog: any;
    if (d.spec?.paused) {
      prog = setCond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", false);
    } else if (complete) {
      prog = setCond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${rsName}" has successfully progressed.`, false);
      this.progressAt.delete(uid);
    } else if (progressReason === "NewReplicaSetCreated") {
      prog = setCond("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${rsName}"`, true);
      this.progressAt.set(uid, now);
    } else if (progressReason === "FoundNewReplicaSet") {
      prog = setCond("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rsName}"`, true);
      this.progressAt.set(uid, now);
    } else if (progressed || (prevProg && prevProg.reason === "NewReplicaSetAvailable") || (prevProg && prevProg.reason === "ProgressDeadlineExceeded" && (d.metadata.generation ?? 1) !== (old.observedGeneration ?? 0))) {
      prog = setCond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`, true);
      this.progressAt.set(uid, now);
    } else if (prevProg?.reason === "ProgressDeadlineExceeded") {
      prog = prevProg;
    } else {
      if (!this.progressAt.has(uid)) this.progressAt.set(uid, prevProg ? Math.min(now, Date.parse(prevProg.lastUpdateTime) || now) : now);
      const deadline = typeof pds === "number" ? this.progressAt.get(uid)! + pds * 1000 : Infinity;
      if (now >= deadline) {
        prog = setCond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${rsName}" has timed out progressing.`, false);
        if (!this.bootstrapping) this.event(d, "Warning", "ProgressDeadlineExceeded", `Deployment "${d.metadata.name}" has timed out progressing.`, "deployment-controller");
      } else {
        prog = prevProg ?? setCond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`, true);
        if (deadline !== Infinity) this.wakeAt(deadline);
      }
    }
    if (prevProg && prevProg.type && oldConds.indexOf(prevProg) < oldConds.findIndex((c) => c.type === "Available")) conds.unshift(prog);
    else conds.push(prog);
    st.conditions = conds;
    if (!deepEqual(st, old)) {
      const c = clone(d);
      c.status = st;
      this.api.save(D.deploy, c);
    }
  }

  // ------------------------------------------------------------------ replicasets

  private replicaSet(rs: any): void {
    if (rs.metadata.deletionTimestamp) return;
    const ns = rs.metadata.namespace;
    const pods = this.store.values(D.pod, ns).filter((p) => ownedBy(p, rs.metadata.uid) && !p.metadata.deletionTimestamp);
    const want = rs.spec?.replicas ?? 1;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) {
        const tmpl = clone(rs.spec?.template ?? {});
        const pod: any = {
          metadata: {
            name: `${rs.metadata.name}-${randSuffix(5)}`,
            generateName: `${rs.metadata.name}-`,
            namespace: ns,
            labels: tmpl.metadata?.labels ?? {},
            ...(tmpl.metadata?.annotations ? { annotations: tmpl.metadata.annotations } : {}),
            ownerReferences: [ownerRef("apps/v1", "ReplicaSet", rs)],
          },
          spec: tmpl.spec ?? {},
          status: { phase: "Pending", qosClass: "BestEffort" },
        };
        const created = this.api.insert(D.pod, pod, this.bootstrapping ? rs.metadata.creationTimestamp : undefined);
        if (created) {
          pods.push(created);
          this.event(rs, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, "replicaset-controller");
        }
      }
    } else if (pods.length > want) {
      const rank = (p: any) => (!p.spec?.nodeName ? 0 : p.status?.phase === "Pending" ? 1 : !isReady(p) ? 2 : 3);
      const victims = [...pods].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "")).slice(0, pods.length - want);
      for (const v of victims) {
        this.api.remove(D.pod, v);
        this.pods.delete(v.metadata.uid);
        this.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${v.metadata.name}`, "replicaset-controller");
      }
    }
    const live = this.store.values(D.pod, ns).filter((p) => ownedBy(p, rs.metadata.uid) && !p.metadata.deletionTimestamp);
    const ready = live.filter(isReady).length;
    const st: any = { replicas: live.length };
    if (live.length) st.fullyLabeledReplicas = live.length;
    if (ready) st.readyReplicas = ready;
    if (ready) st.availableReplicas = ready;
    st.observedGeneration = rs.metadata.generation ?? 1;
    if (!deepEqual(st, rs.status)) {
      const c = clone(this.store.get(D.rs, ns, rs.metadata.name) ?? rs);
      c.status = st;
      this.api.save(D.rs, c);
    }
  }

  // ------------------------------------------------------------------ kubelet

  brokenReason(image: string): BrokenImageRule["reason"] | undefined {
    for (const r of this.brokenImages) if (globMatch(r.match, image)) return r.reason;
    return undefined;
  }

  private pickNode(): any | undefined | null {
    const nodes = this.store.values(D.node);
    if (!nodes.length) return null;
    const ready = nodes.filter((n) => !n.spec?.unschedulable && (n.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True") && !n.metadata.labels?.["node-role.kubernetes.io/control-plane"]);
    if (!ready.length) return undefined;
    return ready[this.nodeRR++ % ready.length];
  }

  private kubelet(p: any): void {
    if (p.metadata.deletionTimestamp) return;
    const phase = p.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const uid = p.metadata.uid;
    const now = Date.now();
    let st = this.pods.get(uid);
    if (!st) {
      st = { seen: now };
      this.pods.set(uid, st);
    }
    const created = p.metadata.creationTimestamp;
    const containers: any[] = p.spec?.containers ?? [];
    if (!p.spec?.nodeName) {
      const due = st.seen + this.delays.podScheduleMs;
      if (now < due) return this.wakeAt(due);
      const node = this.pickNode();
      const c = { ...p, metadata: { ...p.metadata }, spec: { ...p.spec } }; // status is replaced below; stored objects are never mutated
      const at = this.stamp(created);
      if (node === undefined) {
        const total = this.store.count(D.node);
        const msg = `0/${total} nodes are available: ${total} node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
        c.status = { ...(c.status ?? {}), phase: "Pending", conditions: [cond("PodScheduled", "False", at, "Unschedulable", msg)] };
        if (!deepEqual(c.status.conditions.map((x: any) => x.reason), (p.status?.conditions ?? []).map((x: any) => x.reason))) {
          this.api.save(D.pod, c);
          this.event(p, "Warning", "FailedScheduling", msg, "default-scheduler");
        }
        this.wakeAt(now + Math.max(50, this.delays.podScheduleMs * 4));
        return;
      }
      const nodeName = node === null ? `${this.clusterName}-node` : node.metadata.name;
      c.spec.nodeName = nodeName;
      c.status = {
        ...(c.status ?? {}),
        phase: "Pending",
        conditions: [
          cond("PodReadyToStartContainers", "False", at),
          cond("Initialized", "True", at),
          cond("Ready", "False", at, "ContainersNotReady", `containers with unready status: [${containers.map((x) => x.name).join(" ")}]`),
          cond("ContainersReady", "False", at, "ContainersNotReady", `containers with unready status: [${containers.map((x) => x.name).join(" ")}]`),
          cond("PodScheduled", "True", at),
        ],
        hostIP: node ? (node.status?.addresses ?? []).find((a: any) => a.type === "InternalIP")?.address ?? "10.0.0.10" : "10.0.0.10",
        startTime: at,
        containerStatuses: containers.map((x) => ({
          name: x.name, state: { waiting: { reason: "ContainerCreating" } }, lastState: {}, ready: false, restartCount: 0, image: x.image, imageID: "", started: false,
        })),
      };
      c.status.hostIPs = [{ ip: c.status.hostIP }];
      const involved = { ...c, metadata: { ...c.metadata } };
      this.api.save(D.pod, c);
      st.scheduledAt = now;
      this.event(involved, "Normal", "Scheduled", `Successfully assigned ${p.metadata.namespace}/${p.metadata.name} to ${nodeName}`, "default-scheduler");
      return;
    }
    const waitingCreating = (p.status?.containerStatuses ?? []).every((cs: any) => cs.state?.waiting?.reason === "ContainerCreating");
    if (waitingCreating || !(p.status?.containerStatuses ?? []).length) {
      st.scheduledAt = st.scheduledAt ?? now;
      const due = st.scheduledAt + this.delays.podReadyMs;
      if (now < due) return this.wakeAt(due);
      this.startPod(p, st);
      return;
    }
    // crash loops keep restarting
    if (st.nextRestartAt !== undefined) {
      if (now < st.nextRestartAt) return this.wakeAt(st.nextRestartAt);
      const c = clone(p);
      let restarts = 0;
      for (const cs of c.status.containerStatuses ?? []) {
        if (cs.state?.waiting?.reason !== "CrashLoopBackOff") continue;
        cs.restartCount = (cs.restartCount ?? 0) + 1;
        restarts = cs.restartCount;
        cs.lastState = { terminated: { exitCode: 1, reason: "Error", startedAt: isoNow(now - 1000), finishedAt: isoNow(now), containerID: cs.containerID } };
        cs.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${Math.min(300, 10 * 2 ** Math.min(restarts, 5))}s restarting failed container=${cs.name} pod=${p.metadata.name}_${p.metadata.namespace}(${uid})` } };
        this.event(p, "Warning", "BackOff", `Back-off restarting failed container ${cs.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${uid})`, "kubelet", p.spec.nodeName, `spec.containers{${cs.name}}`);
      }
      this.api.save(D.pod, c);
      const base = Math.max(20, this.delays.podReadyMs);
      st.nextRestartAt = now + base * 2 ** Math.min(restarts, 6);
      this.wakeAt(st.nextRestartAt);
    }
  }

  private startPod(p: any, st: PodState): void {
    const now = Date.now();
    const at = this.stamp(p.metadata.creationTimestamp);
    const c = { ...p, metadata: { ...p.metadata } }; // only status is replaced (stored objects are never mutated)
    const node = p.spec.nodeName;
    this.ipCounter++;
    const ip = `10.244.${(fnv32(node) % 200) + 1}.${(this.ipCounter % 250) + 2}`;
    let allReady = true;
    let phase = "Running";
    let crash = false;
    const statuses = (p.spec.containers ?? []).map((x: any) => {
      const broken = this.brokenReason(x.image);
      const cid = `containerd://${randomHex(32)}`;
      if (!broken) this.event(p, "Normal", "Pulling", `Pulling image "${x.image}"`, "kubelet", node, `spec.containers{${x.name}}`);
      if (broken === "ImagePullBackOff") {
        allReady = false;
        phase = "Pending";
        this.event(p, "Normal", "Pulling", `Pulling image "${x.image}"`, "kubelet", node, `spec.containers{${x.name}}`);
        this.event(p, "Warning", "Failed", `Failed to pull image "${x.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${x.image}": not found`, "kubelet", node, `spec.containers{${x.name}}`);
        this.event(p, "Warning", "Failed", "Error: ErrImagePull", "kubelet", node, `spec.containers{${x.name}}`);
        this.event(p, "Normal", "BackOff", `Back-off pulling image "${x.image}"`, "kubelet", node, `spec.containers{${x.name}}`);
        this.event(p, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", node, `spec.containers{${x.name}}`);
        return { name: x.name, state: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${x.image}"` } }, lastState: {}, ready: false, restartCount: 0, image: x.image, imageID: "", started: false };
      }
      this.event(p, "Normal", "Pulled", `Successfully pulled image "${x.image}" in 1.${String(fnv32(x.image) % 900 + 100)}s (1.${String(fnv32(x.image) % 900 + 100)}s including waiting). Image size: ${(fnv32(x.name) % 90000000) + 10000000} bytes.`, "kubelet", node, `spec.containers{${x.name}}`);
      this.event(p, "Normal", "Created", `Created container ${x.name}`, "kubelet", node, `spec.containers{${x.name}}`);
      this.event(p, "Normal", "Started", `Started container ${x.name}`, "kubelet", node, `spec.containers{${x.name}}`);
      const imageID = `${x.image.split(":")[0]}@sha256:${randomHex(32)}`;
      if (broken === "CrashLoopBackOff") {
        allReady = false;
        crash = true;
        this.event(p, "Warning", "BackOff", `Back-off restarting failed container ${x.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`, "kubelet", node, `spec.containers{${x.name}}`);
        return {
          name: x.name,
          state: { waiting: { reason: "CrashLoopBackOff", message: `back-off 10s restarting failed container=${x.name} pod=${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})` } },
          lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: isoNow(), finishedAt: isoNow(), containerID: cid } },
          ready: false, restartCount: 1, image: x.image, imageID, containerID: cid, started: false,
        };
      }
      return { name: x.name, state: { running: { startedAt: at } }, lastState: {}, ready: true, restartCount: 0, image: x.image, imageID, containerID: cid, started: true };
    });
    const notReady = statuses.filter((s: any) => !s.ready).map((s: any) => s.name);
    const readyCond = allReady
      ? cond("Ready", "True", at)
      : cond("Ready", "False", at, "ContainersNotReady", `containers with unready status: [${notReady.join(" ")}]`);
    const crCond = allReady
      ? cond("ContainersReady", "True", at)
      : cond("ContainersReady", "False", at, "ContainersNotReady", `containers with unready status: [${notReady.join(" ")}]`);
    c.status = {
      ...c.status,
      phase,
      conditions: [cond("PodReadyToStartContainers", "True", at), cond("Initialized", "True", at), readyCond, crCond, cond("PodScheduled", "True", at)],
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: statuses,
      qosClass: c.status?.qosClass ?? "BestEffort",
    };
    this.api.save(D.pod, c);
    st.startedAt = now;
    if (crash) {
      st.nextRestartAt = now + Math.max(20, this.delays.podReadyMs) * 2;
      this.wakeAt(st.nextRestartAt);
    }
  }

  // ------------------------------------------------------------------ Cluster API

  private machineDeployment(md: any): void {
    {
      if (md.metadata.deletionTimestamp) return;
      const ns = md.metadata.namespace;
      const name = md.metadata.name;
      const clusterName = md.spec?.clusterName ?? this.clusterName;
      let machines = this.store.values(D.machine, ns).filter((m) => m.metadata.labels?.[MD_NAME_LABEL] === name && !m.metadata.deletionTimestamp);
      for (const m of machines) {
        if (!(m.metadata.ownerReferences ?? []).some((r: any) => r.uid === md.metadata.uid)) {
          const c = clone(m);
          c.metadata.ownerReferences = [ownerRef("cluster.x-k8s.io/v1beta1", "MachineDeployment", md)];
          this.api.save(D.machine, c);
        }
      }
      const desired = md.spec?.replicas ?? 1;
      if (machines.length < desired) {
        const hash = safeEncode(String(fnv32(stableStringify(md.spec?.template ?? {})))).slice(0, 9);
        for (let i = machines.length; i < desired; i++) {
          const mname = `${name}-${hash}-${randSuffix(5)}`;
          const tl = md.spec?.template?.metadata?.labels ?? {};
          const m: any = {
            metadata: {
              name: mname,
              namespace: ns,
              labels: { ...tl, [CLUSTER_LABEL]: clusterName, [MD_NAME_LABEL]: name },
              ...(md.spec?.template?.metadata?.annotations ? { annotations: clone(md.spec.template.metadata.annotations) } : {}),
              ownerReferences: [ownerRef("cluster.x-k8s.io/v1beta1", "MachineDeployment", md)],
            },
            spec: {
              clusterName,
              version: md.spec?.template?.spec?.version ?? "v1.32.4",
              bootstrap: { dataSecretName: mname },
              infrastructureRef: { ...(md.spec?.template?.spec?.infrastructureRef ?? { apiVersion: "infrastructure.cluster.x-k8s.io/v1beta2", kind: "AWSMachine" }), name: mname, namespace: ns },
            },
            status: { phase: "Pending", bootstrapReady: false, infrastructureReady: false, observedGeneration: 1 },
          };
          const created = this.api.insert(D.machine, m, this.bootstrapping ? md.metadata.creationTimestamp : undefined);
          if (created) {
            machines.push(created);
            this.event(md, "Normal", "SuccessfulCreate", `Created machine "${mname}"`, "machineset-controller");
          }
        }
      } else if (machines.length > desired) {
        const rank = (m: any) => (m.metadata.annotations?.["cluster.x-k8s.io/delete-machine"] !== undefined ? 0 : m.status?.phase !== "Running" ? 1 : 2);
        const victims = [...machines].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || b.metadata.name.localeCompare(a.metadata.name)).slice(0, machines.length - desired);
        for (const v of victims) {
          this.deleteMachine(v);
          this.event(md, "Normal", "SuccessfulDelete", `Deleted machine "${v.metadata.name}"`, "machineset-controller");
        }
        machines = machines.filter((m) => !victims.includes(m));
      }
      const live = this.store.values(D.machine, ns).filter((m) => m.metadata.labels?.[MD_NAME_LABEL] === name && !m.metadata.deletionTimestamp);
      const ready = live.filter((m) => this.machineNodeReady(m)).length;
      const sel = md.spec?.selector?.matchLabels && Object.keys(md.spec.selector.matchLabels).length ? selectorToString(md.spec.selector) : `${CLUSTER_LABEL}=${clusterName},${MD_NAME_LABEL}=${name}`;
      const phase = desired === ready ? "Running" : desired > ready ? "ScalingUp" : "ScalingDown";
      const at = this.stamp(md.metadata.creationTimestamp);
      const st: any = {
        selector: sel,
        replicas: live.length,
        updatedReplicas: live.length,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: Math.max(0, desired - ready),
        observedGeneration: md.metadata.generation ?? 1,
        phase,
      };
      const prevConds: any[] = md.status?.conditions ?? [];
      const mk = (type: string, ok: boolean, reason: string) => {
        const prev = prevConds.find((c) => c.type === type);
        const status = ok ? "True" : "False";
        if (prev && prev.status === status) return prev;
        return ok ? { type, status, lastTransitionTime: at } : { type, status, severity: "Warning", reason, lastTransitionTime: at };
      };
      st.conditions = [mk("Ready", ready >= desired, "WaitingForAvailableMachines"), mk("Available", ready >= desired, "WaitingForAvailableMachines"), mk("MachineSetReady", ready >= desired, "ScalingUp")];
      if (!deepEqual(st, md.status)) {
        const c = clone(this.store.get(D.md, ns, name) ?? md);
        c.status = st;
        this.api.save(D.md, c);
      }
    }
  }

  private machineNodeReady(m: any): boolean {
    const nodeName = m.status?.nodeRef?.name;
    if (!nodeName) return false;
    const n = this.store.get(D.node, undefined, nodeName);
    return !!n && (n.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
  }

  private deleteMachine(m: any): void {
    const nodeName = m.status?.nodeRef?.name;
    if (nodeName) {
      const n = this.store.get(D.node, undefined, nodeName);
      if (n) this.api.remove(D.node, n);
    }
    this.machines.delete(m.metadata.uid);
    this.api.remove(D.machine, m);
  }

  private nodeNameFor(m: any): string {
    const h = fnv32(m.metadata.name + m.metadata.uid);
    return `ip-10-0-${(h >>> 8) % 256}-${(h % 253) + 1}.ec2.internal`;
  }

  private instanceType(md: any | undefined, m: any): string {
    return m.metadata.labels?.["node.kubernetes.io/instance-type"] ?? md?.spec?.template?.metadata?.labels?.["node.kubernetes.io/instance-type"] ?? md?.metadata?.annotations?.["sandbox.tugboat.dev/instance-type"] ?? "m5.large";
  }

  private machineLifecycle(m: any): void {
    const now = Date.now();
    {
      if (m.metadata.deletionTimestamp) {
        if (!(m.metadata.finalizers ?? []).length) this.deleteMachine(m);
        return;
      }
      const phase = m.status?.phase ?? "Pending";
      if (phase === "Running" || phase === "Failed") {
        if (phase === "Running" && !this.machineNodeReady(m) && m.status?.nodeRef?.name && !this.store.get(D.node, undefined, m.status.nodeRef.name)) {
          const c = clone(m);
          c.status.phase = "Provisioned";
          this.api.save(D.machine, c);
        }
        return;
      }
      let st = this.machines.get(m.metadata.uid);
      if (!st) {
        st = { seen: now };
        this.machines.set(m.metadata.uid, st);
      }
      const at = this.stamp(m.metadata.creationTimestamp);
      const half = st.seen + this.delays.machineProvisionMs / 2;
      const full = st.seen + this.delays.machineProvisionMs;
      const c = clone(m);
      c.status = c.status ?? {};
      if (phase === "Pending") {
        if (now < half) { this.wakeAt(half); return; }
        c.status.phase = "Provisioning";
        c.status.bootstrapReady = true;
        c.status.lastUpdated = at;
        this.api.save(D.machine, c);
        return;
      }
      if (phase === "Provisioning") {
        if (now < full) { this.wakeAt(full); return; }
        const md = this.store.get(D.md, m.metadata.namespace, m.metadata.labels?.[MD_NAME_LABEL] ?? "");
        const nodeName = this.nodeNameFor(m);
        const itype = this.instanceType(md, m);
        const zone = `us-east-1${"abc"[fnv32(nodeName) % 3]}`;
        const providerID = `aws:///${zone}/i-0${(fnv32(nodeName) >>> 0).toString(16).padStart(8, "0")}${(fnv32(m.metadata.name) >>> 0).toString(16).padStart(8, "0")}`.slice(0, 36);
        const ip = nodeName.replace(/^ip-/, "").replace(/\.ec2\.internal$/, "").replace(/-/g, ".");
        const neverReady = md?.metadata?.annotations?.[NEVER_READY] === "true" || m.metadata.annotations?.[NEVER_READY] === "true";
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries<string>(md?.spec?.template?.metadata?.labels ?? {})) if (!k.startsWith("cluster.x-k8s.io/")) labels[k] = v;
        const node = makeNode(nodeName, {
          labels: { ...labels, "node.kubernetes.io/instance-type": itype, "topology.kubernetes.io/zone": zone },
          annotations: { [MACHINE_ANNOTATION]: m.metadata.name, "cluster.x-k8s.io/owner-name": m.metadata.labels?.[MD_NAME_LABEL] ?? "", "cluster.x-k8s.io/cluster-namespace": m.metadata.namespace, "cluster.x-k8s.io/cluster-name": m.spec?.clusterName ?? this.clusterName },
          providerID,
          ip,
          ready: this.bootstrapping && !neverReady,
          at,
          instanceType: itype,
          version: m.spec?.version ?? "v1.32.4",
        });
        const created = this.store.get(D.node, undefined, nodeName) ?? this.api.insert(D.node, node, this.bootstrapping ? m.metadata.creationTimestamp : undefined);
        if (!this.bootstrapping && created) this.nodesPending.set(created.metadata.uid, now);
        c.spec.providerID = providerID;
        c.status.phase = "Provisioned";
        c.status.infrastructureReady = true;
        c.status.nodeRef = { apiVersion: "v1", kind: "Node", name: nodeName, uid: created?.metadata.uid };
        c.status.addresses = [{ type: "InternalIP", address: ip }, { type: "InternalDNS", address: nodeName }];
        c.status.lastUpdated = at;
        this.api.save(D.machine, c);
        return;
      }
      if (phase === "Provisioned") {
        if (this.machineNodeReady(m)) {
          c.status.phase = "Running";
          c.status.nodeInfo = this.store.get(D.node, undefined, m.status.nodeRef.name)?.status?.nodeInfo;
          c.status.conditions = [{ type: "Ready", status: "True", lastTransitionTime: at }, { type: "BootstrapReady", status: "True", lastTransitionTime: at }, { type: "InfrastructureReady", status: "True", lastTransitionTime: at }, { type: "NodeHealthy", status: "True", lastTransitionTime: at }];
          c.status.lastUpdated = at;
          this.api.save(D.machine, c);
        }
      }
    }
  }

  /** a node whose machine disappeared is deleted */
  private orphanNode(n: any): void {
    const mname = n.metadata.annotations?.[MACHINE_ANNOTATION];
    const mns = n.metadata.annotations?.["cluster.x-k8s.io/cluster-namespace"] ?? "default";
    if (mname && !this.store.get(D.machine, mns, mname)) this.api.remove(D.node, n);
  }

  private nodeReadiness(): void {
    const now = Date.now();
    for (const [uid, seen] of [...this.nodesPending]) {
      const e = this.store.byUid(uid);
      const n = e?.def === D.node ? this.store.get(D.node, undefined, e.name) : undefined;
      if (!n) {
        this.nodesPending.delete(uid);
        continue;
      }
      const mname = n.metadata.annotations?.[MACHINE_ANNOTATION];
      const mns = n.metadata.annotations?.["cluster.x-k8s.io/cluster-namespace"] ?? "default";
      const m = mname ? this.store.get(D.machine, mns, mname) : undefined;
      const md = m ? this.store.get(D.md, mns, m.metadata.labels?.[MD_NAME_LABEL] ?? "") : undefined;
      if (md?.metadata?.annotations?.[NEVER_READY] === "true" || m?.metadata?.annotations?.[NEVER_READY] === "true") continue;
      const due = seen + this.delays.nodeReadyMs;
      if (now < due) {
        this.wakeAt(due);
        continue;
      }
      const c = clone(n);
      const at = isoNow();
      c.status.conditions = c.status.conditions.map((x: any) => (x.type === "Ready" ? { ...x, status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: at, lastTransitionTime: at } : x));
      c.spec.taints = (c.spec.taints ?? []).filter((t: any) => t.key !== "node.kubernetes.io/not-ready");
      if (!c.spec.taints.length) delete c.spec.taints;
      const involved = { ...c, metadata: { ...c.metadata, namespace: undefined } };
      this.api.save(D.node, c);
      this.nodesPending.delete(uid);
      this.event(involved, "Normal", "NodeReady", `Node ${c.metadata.name} status is now: NodeReady`, "kubelet", c.metadata.name);
    }
  }
}

export function isReady(p: any): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}

const INSTANCE_CAPACITY: Record<string, { cpu: string; memory: string }> = {
  "m5.large": { cpu: "2", memory: "7934488Ki" },
  "m5.xlarge": { cpu: "4", memory: "15896936Ki" },
  "m5.2xlarge": { cpu: "8", memory: "32366000Ki" },
  "r5.2xlarge": { cpu: "8", memory: "64737280Ki" },
};

export function makeNode(name: string, o: { labels?: Record<string, string>; annotations?: Record<string, string>; providerID?: string; ip: string; ready: boolean; at: string; instanceType?: string; version?: string }): any {
  const cap = INSTANCE_CAPACITY[o.instanceType ?? "m5.large"] ?? INSTANCE_CAPACITY["m5.large"];
  const ready = o.ready;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/worker": "",
        "topology.kubernetes.io/region": "us-east-1",
        ...(o.labels ?? {}),
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true", ...(o.annotations ?? {}) },
    },
    spec: {
      ...(o.providerID ? { providerID: o.providerID } : {}),
      podCIDR: `10.244.${(fnv32(name) % 200) + 1}.0/24`,
      podCIDRs: [`10.244.${(fnv32(name) % 200) + 1}.0/24`],
      ...(ready ? {} : { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }),
    },
    status: {
      capacity: { cpu: cap.cpu, "ephemeral-storage": "83873772Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: cap.memory, pods: "110" },
      allocatable: { cpu: cap.cpu, "ephemeral-storage": "77299011866", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: cap.memory, pods: "110" },
      conditions: [
        { type: "MemoryPressure", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
        { type: "DiskPressure", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
        { type: "PIDPressure", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
        ready
          ? { type: "Ready", status: "True", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletReady", message: "kubelet is posting ready status" }
          : { type: "Ready", status: "False", lastHeartbeatTime: o.at, lastTransitionTime: o.at, reason: "KubeletNotReady", message: "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized" },
      ],
      addresses: [{ type: "InternalIP", address: o.ip }, { type: "InternalDNS", address: name }, { type: "Hostname", address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: fnv32(name + "m").toString(16).padStart(8, "0").repeat(4),
        systemUUID: `ec2${fnv32(name).toString(16).padStart(8, "0")}-0000-0000-0000-000000000000`.slice(0, 36),
        bootID: `${fnv32(name + "b").toString(16).padStart(8, "0")}-1111-2222-3333-444455556666`,
        kernelVersion: "6.5.0-1022-aws",
        osImage: "Ubuntu 22.04.4 LTS",
        containerRuntimeVersion: "containerd://1.7.13",
        kubeletVersion: o.version ?? "v1.32.4",
        kubeProxyVersion: o.version ?? "v1.32.4",
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}
