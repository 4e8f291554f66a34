import type { ResourceDef } from "../resources.js";
import type { Store, StoreEvent } from "../store.js";
import { deepEqual } from "../util.js";
import { D, idOf, MANAGED_BY_LABEL, MD_NAME_LABEL, machineOfNode, ROOT_CA_CONFIGMAP, SERVICE_NAME_LABEL, selectorMatches, SLICE_CONTROLLER, splitId } from "./objects.js";
import { isKubernetesServiceSlice } from "./kubernetes-service.js";
import { SERVICE_ACCOUNT_TOKEN_TYPE } from "./tokens-controller.js";
import type { Kind, ReconcileQueue } from "./scheduler-queue.js";
import { TopologyController } from "./topology-controller.js";

/**
 * Store listener that marks what a write can affect: the written object, its owners, its dependants, its namespace
 * while terminating, and machines ↔ nodes ↔ machine deployments (kept in two indexes).
 */
export class ChangeTracker {
  /** node name → machines ("ns/name") whose status.nodeRef names it */
  private machinesByNode = new Map<string, Set<string>>();
  /** machine ("ns/name") → nodes annotated with it */
  private nodesByMachine = new Map<string, Set<string>>();

  constructor(private store: Store, private queue: ReconcileQueue) {}

  track(e: StoreEvent): void {
    const def = e.def;
    if (!def) return;
    const o = e.obj;
    const prev = e.prev;
    const md = o.metadata;
    const id = idOf(o);
    const deleted = e.type === "DELETED";
    // content of a terminating namespace
    if (def.namespaced && md.namespace) {
      const nso = this.store.get(D.ns, undefined, md.namespace);
      if (nso?.metadata.deletionTimestamp) this.queue.mark("ns", md.namespace);
    }
    // garbage collection
    if (deleted) {
      for (const u of this.store.dependants(md.uid)) this.queue.gcDirty.add(u);
    } else if ((md.ownerReferences ?? []).length && (!prev || !deepEqual(prev.metadata.ownerReferences, md.ownerReferences))) {
      this.queue.gcDirty.add(md.uid);
    }
    switch (def) {
      case D.ns:
        this.queue.mark("ns", md.name);
        break;
      case D.deploy:
        this.queue.mark("deploy", id);
        break;
      case D.rs:
        this.queue.mark("rs", id);
        this.markOwners(o, "deploy", D.deploy);
        if (prev) this.markOwners(prev, "deploy", D.deploy);
        break;
      case D.pod:
        this.queue.mark("pod", id);
        this.markOwners(o, "rs", D.rs);
        if (prev) this.markOwners(prev, "rs", D.rs);
        // the Services selecting it (before or after) keep their Endpoints and EndpointSlices in step
        for (const svc of this.store.values(D.svc, md.namespace)) {
          if (selectorMatches(svc.spec?.selector, md.labels) || selectorMatches(svc.spec?.selector, prev?.metadata.labels)) this.queue.mark("svc", idOf(svc));
        }
        break;
      case D.svc:
        this.queue.mark("svc", id);
        break;
      // someone else changed or deleted what a controller keeps: it is put back (Endpoints without a Service are
      // not the controller's business until that Service is deleted)
      case D.endpoints:
        if (this.store.get(D.svc, md.namespace, md.name)) this.queue.mark("svc", id);
        break;
      case D.slice: {
        const service = md.labels?.[SERVICE_NAME_LABEL];
        if (service && md.labels?.[MANAGED_BY_LABEL] === SLICE_CONTROLLER) this.queue.mark("svc", `${md.namespace}/${service}`);
        if (isKubernetesServiceSlice(o)) this.queue.mark("svc", id);
        break;
      }
      // the default ServiceAccount is kept in every namespace; any ServiceAccount's token Secrets follow it
      case D.sa:
        this.queue.mark("ns", md.namespace);
        break;
      case D.secret:
        if (o.type === SERVICE_ACCOUNT_TOKEN_TYPE) this.queue.mark("ns", md.namespace);
        break;
      case D.cm:
        if (md.name === ROOT_CA_CONFIGMAP) this.queue.mark("ns", md.namespace);
        break;
      case D.cluster:
        this.queue.mark("cluster", id);
        break;
      case D.md: {
        this.queue.mark("md", id);
        // a managed MachineDeployment changed: its Cluster's topology decides whether that change stays
        for (const x of prev ? [prev, o] : [o]) {
          const owner = TopologyController.ownerOf(x);
          if (owner) this.queue.mark("cluster", owner);
        }
        const name = md.name;
        for (const m of this.store.values(D.machine, md.namespace)) if (m.metadata.labels?.[MD_NAME_LABEL] === name) this.queue.mark("machine", idOf(m));
        break;
      }
      case D.machine: {
        this.queue.mark("machine", id);
        for (const x of prev ? [prev, o] : [o]) {
          const mdName = x.metadata.labels?.[MD_NAME_LABEL];
          if (mdName) this.queue.mark("md", `${md.namespace}/${mdName}`);
        }
        dropFrom(this.machinesByNode, prev?.status?.nodeRef?.name, id);
        if (!deleted) addTo(this.machinesByNode, o.status?.nodeRef?.name, id);
        if (deleted) for (const n of this.nodesByMachine.get(id) ?? []) this.queue.mark("node", n);
        break;
      }
      case D.node: {
        this.queue.mark("node", md.name);
        const machineId = (x: any) => {
          const m = machineOfNode(x);
          return m ? `${m.ns}/${m.name}` : undefined;
        };
        const before = machineId(prev);
        const after = deleted ? undefined : machineId(o);
        dropFrom(this.nodesByMachine, before, md.name);
        addTo(this.nodesByMachine, after, md.name);
        for (const m of [before, machineId(o)]) if (m) this.markMachineAndMd(m);
        for (const m of this.machinesByNode.get(md.name) ?? []) this.markMachineAndMd(m);
        break;
      }
    }
  }

  /** a Node changed in a workload cluster whose Machines live in this (management) server */
  trackRemoteNode(e: StoreEvent): void {
    if (e.def !== D.node) return;
    for (const x of [e.prev, e.obj]) {
      const m = machineOfNode(x);
      if (m) this.markMachineAndMd(`${m.ns}/${m.name}`);
    }
  }

  private markOwners(o: any, kind: Kind, def: ResourceDef): void {
    for (const r of o?.metadata?.ownerReferences ?? []) {
      const e = r?.uid ? this.store.byUid(r.uid) : undefined;
      if (e && e.def === def) this.queue.mark(kind, `${e.ns ?? ""}/${e.name}`);
    }
  }

  private markMachineAndMd(id: string): void {
    this.queue.mark("machine", id);
    const m = this.store.get(D.machine, ...splitId(id));
    const mdName = m?.metadata.labels?.[MD_NAME_LABEL];
    if (mdName) this.queue.mark("md", `${m.metadata.namespace}/${mdName}`);
  }
}

function addTo(index: Map<string, Set<string>>, key: string | undefined, v: string): void {
  if (!key) return;
  let s = index.get(key);
  if (!s) {
    s = new Set();
    index.set(key, s);
  }
  s.add(v);
}

function dropFrom(index: Map<string, Set<string>>, key: string | undefined, v: string): void {
  const s = key ? index.get(key) : undefined;
  if (!s) return;
  s.delete(v);
  if (!s.size) index.delete(key!);
}
