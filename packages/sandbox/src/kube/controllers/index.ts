/**
 * Simulated controllers (kwok-style): deployment, replicaset, "kubelet", namespace lifecycle, the namespace's default
 * ServiceAccount and root CA, service-account tokens, endpoints and endpoint slices, the `kubernetes` Service, garbage collection, Cluster API MachineDeployment/Machine, node readiness and events.
 */
import type { Api } from "../api/index.js";
import type { ResourceDef } from "../resources.js";
import type { Store, StoreEvent } from "../store.js";
import { type BrokenImageRule, type SimDelays, ZERO_DELAYS } from "../types.js";
import { isoNow } from "../util.js";
import { ChangeTracker } from "./change-tracker.js";
import type { ControllerContext, EventType, NodeHost } from "./context.js";
import { DeploymentController } from "./deployment-controller.js";
import { EventRecorder } from "./events.js";
import { collectGarbage } from "./garbage-collector.js";
import { MachineController } from "./machine-controller.js";
import { MachineDeploymentController } from "./machinedeployment-controller.js";
import { EndpointsController } from "./endpoints-controller.js";
import { KUBERNETES_SERVICE, KubernetesServiceController } from "./kubernetes-service.js";
import { NamespaceDefaults } from "./namespace-defaults.js";
import { NamespaceFinalizer } from "./namespace-finalizer.js";
import { D, idOf, splitId } from "./objects.js";
import { PodSimulator } from "./pod-simulator.js";
import { ReplicaSetController } from "./replicaset-controller.js";
import { TokensController } from "./tokens-controller.js";
import { type Kind, ReconcileQueue } from "./scheduler-queue.js";
import { TopologyController } from "./topology-controller.js";

/**
 * Controllers are driven by a dirty set: every store write marks the objects it can affect (the written object, its
 * owners, its dependants, its namespace while terminating, machines ↔ nodes ↔ machine deployments), and a run
 * reconciles only those. Timed transitions (scheduling, readiness, progress deadlines, machine phases, crash-loop
 * restarts, namespace finalization) re-mark their object when due (`wakeAt`).
 */
export class Controllers implements ControllerContext {
  delays: SimDelays;
  bootstrapping = false;
  private scheduled: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAtMs = Infinity;
  private running = false;
  private rekick = false;
  private stopped = false;
  private queue = new ReconcileQueue();
  private changes: ChangeTracker;
  private events = new EventRecorder(this);
  private namespaces = new NamespaceFinalizer(this);
  private namespaceDefaults = new NamespaceDefaults(this);
  private tokens = new TokensController(this);
  private endpoints = new EndpointsController(this);
  private kubernetesService = new KubernetesServiceController(this);
  private deployments = new DeploymentController(this);
  private pods: PodSimulator;
  private replicaSets: ReplicaSetController;
  private machines = new MachineController(this);
  private machineDeployments = new MachineDeploymentController(this, this.machines);
  private topology = new TopologyController(this);
  /** workload clusters whose Nodes this (management) server's Machines provision, by cluster name */
  private workloads = new Map<string, NodeHost>();
  private unlinkWorkloads: Array<() => void> = [];
  /** deleted Machines: their Nodes (here or in a linked workload cluster) are removed on the next pass */
  private deletedMachines: any[] = [];
  /** per-object state a controller keeps, dropped when the object is deleted */
  private stateByDef: Map<ResourceDef, { forget(uid: string): void }>;
  private unsubscribe: () => void;

  constructor(readonly api: Api, readonly store: Store, delays: SimDelays, brokenImages: BrokenImageRule[], readonly clusterName: string) {
    this.delays = delays;
    this.changes = new ChangeTracker(store, this.queue);
    this.pods = new PodSimulator(this, brokenImages);
    this.replicaSets = new ReplicaSetController(this, this.pods);
    this.stateByDef = new Map<ResourceDef, { forget(uid: string): void }>([
      [D.ns, this.namespaces],
      [D.deploy, this.deployments],
      [D.pod, this.pods],
      [D.machine, this.machines],
    ]);
    this.unsubscribe = store.subscribe((e) => {
      this.track(e);
      this.kick();
    });
  }

  private track(e: StoreEvent): void {
    if (!e.def) return;
    this.changes.track(e);
    const deleted = e.type === "DELETED";
    if (e.def === D.event) this.events.noteWrite(idOf(e.obj), deleted);
    if (deleted) this.stateByDef.get(e.def)?.forget(e.obj.metadata.uid);
    if (deleted && e.def === D.machine) this.deletedMachines.push(e.obj);
  }

  /** mark every object dirty (after a change of delays: every pending transition is re-timed) */
  resync(): void {
    for (const n of this.store.values(D.ns)) this.queue.mark("ns", n.metadata.name);
    for (const [kind, def] of [["deploy", D.deploy], ["rs", D.rs], ["pod", D.pod], ["svc", D.svc], ["cluster", D.cluster], ["md", D.md], ["machine", D.machine]] as const) {
      for (const o of this.store.values(def)) this.queue.mark(kind, idOf(o));
    }
    for (const n of this.store.values(D.node)) this.queue.mark("node", n.metadata.name);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const u of this.unlinkWorkloads.splice(0)) u();
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

  wakeAt(t: number): void {
    this.queue.wakeAt(t);
  }

  private armWake(): void {
    const next = this.queue.nextDue();
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
        this.queue.popDue(Date.now());
        this.reconcileDirty();
        if (!this.queue.hasDirty()) break;
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
    this.delays = { ...ZERO_DELAYS };
    this.bootstrapping = true;
    try {
      for (let pass = 0; pass < 60; pass++) {
        this.queue.popDue(Date.now());
        this.reconcileDirty();
        if (!this.queue.hasDirty()) break;
      }
    } finally {
      this.bootstrapping = false;
      this.delays = saved;
    }
  }

  /** each dirty object of `kind` that still exists */
  private eachObject(kind: Kind, def: ResourceDef, fn: (o: any) => void): void {
    this.queue.each(kind, (id) => {
      const o = def.namespaced ? this.store.get(def, ...splitId(id)) : this.store.get(def, undefined, id);
      if (o) fn(o);
    });
  }

  /** one pass over what is dirty; owners before what they own, so that a pass sees its own changes */
  private reconcileDirty(): void {
    this.eachObject("ns", D.ns, (ns) => {
      this.namespaces.reconcile(ns);
      this.namespaceDefaults.reconcile(ns);
      this.tokens.reconcile(ns);
      if (ns.metadata.name === KUBERNETES_SERVICE.namespace) this.kubernetesService.reconcile();
    });
    collectGarbage(this, this.queue.gcDirty);
    this.eachObject("cluster", D.cluster, (c) => this.topology.reconcile(c));
    this.eachObject("md", D.md, (md) => this.machineDeployments.reconcile(md));
    this.eachObject("machine", D.machine, (m) => this.machines.reconcile(m));
    // A Node goes with its Machine (wherever the Node lives); a Node whose Machine is elsewhere or unknown stays, as
    // on a real cluster. Node changes only matter through the Machines they mark.
    for (const m of this.deletedMachines.splice(0)) this.machines.deleteNodeOf(m);
    this.queue.each("node", () => {});
    this.machines.nodeReadiness();
    this.eachObject("deploy", D.deploy, (d) => this.deployments.reconcile(d));
    this.eachObject("rs", D.rs, (rs) => this.replicaSets.reconcile(rs));
    this.eachObject("pod", D.pod, (p) => this.pods.reconcile(p));
    // after the pods: a pass's new IPs and readiness are in the Endpoints it writes
    this.queue.each("svc", (id) => {
      this.endpoints.reconcile(...splitId(id));
      if (id === `${KUBERNETES_SERVICE.namespace}/${KUBERNETES_SERVICE.name}`) this.kubernetesService.reconcile();
    });
    this.events.trim();
  }

  nodeHost(clusterName: string | undefined): NodeHost {
    return (clusterName ? this.workloads.get(clusterName) : undefined) ?? this;
  }

  /**
   * Makes this server the management cluster of `host`: Machines whose spec.clusterName is `name` create and delete
   * their Nodes in `host`'s store, and Node changes there re-reconcile the Machines here.
   */
  linkWorkload(name: string, host: NodeHost & { store: Store }): void {
    this.workloads.set(name, host);
    const unsubscribe = host.store.subscribe((e) => {
      if (e.def !== D.node) return;
      this.changes.trackRemoteNode(e);
      this.kick();
    });
    this.unlinkWorkloads.push(unsubscribe);
  }

  stamp(pastIso?: string): string {
    return this.bootstrapping && pastIso ? pastIso : isoNow();
  }

  event(involved: any, type: EventType, reason: string, message: string, component: string, host?: string, fieldPath?: string): void {
    this.events.record(involved, type, reason, message, component, host, fieldPath);
  }
}
