import { clone, fnv32, isoNow } from "../util.js";
import type { ControllerContext, NodeHost } from "./context.js";
import { makeNode } from "./node-factory.js";
import { CLUSTER_NAMESPACE_ANNOTATION, D, isReady, MACHINE_ANNOTATION, machineOfNode, MD_NAME_LABEL, NEVER_READY, PROVISION_FAILURE } from "./objects.js";
import { provisionFailedStatus } from "./provision-failure.js";

/** the Node a machine's status.nodeRef names, in the workload cluster that holds it */
export function machineNode(ctx: ControllerContext, m: any): any | undefined {
  const nodeName = m.status?.nodeRef?.name;
  return nodeName ? ctx.nodeHost(m.spec?.clusterName).store.get(D.node, undefined, nodeName) : undefined;
}

/** a machine whose node exists and is Ready */
export function machineNodeReady(ctx: ControllerContext, m: any): boolean {
  const n = machineNode(ctx, m);
  return !!n && isReady(n);
}

/**
 * Cluster API Machine lifecycle (Pending → Provisioning → Provisioned → Running, after `machineProvisionMs`) and
 * the EC2-like node each machine provisions; that node turns Ready after `nodeReadyMs` and is deleted with its machine.
 */
export class MachineController {
  /** machine uid → when first seen, for the provisioning delays */
  private machines = new Map<string, { seen: number }>();
  /** "cluster/node name" → the node's host and when it was provisioned, until it is Ready */
  private nodesPending = new Map<string, { host: NodeHost; name: string; seen: number }>();

  constructor(private ctx: ControllerContext) {}

  forget(uid: string): void {
    this.machines.delete(uid);
  }

  /** delete a machine and the node it provisioned */
  deleteMachine(m: any): void {
    this.deleteNodeOf(m);
    this.machines.delete(m.metadata.uid);
    this.ctx.api.remove(D.machine, m);
  }

  /** delete the node a machine provisioned (in whichever cluster holds it), if it is still that machine's */
  deleteNodeOf(m: any): void {
    const n = machineNode(this.ctx, m);
    if (!n || machineOfNode(n)?.name !== m.metadata.name) return;
    const host = this.ctx.nodeHost(m.spec?.clusterName);
    host.api.remove(D.node, n);
    host.kick();
  }

  private nodeNameFor(m: any): string {
    const h = fnv32(m.metadata.name + m.metadata.uid);
    return `ip-10-0-${(h >>> 8) % 256}-${(h % 253) + 1}.ec2.internal`;
  }

  private instanceType(md: any | undefined, m: any): string {
    return m.metadata.labels?.["node.kubernetes.io/instance-type"] ?? md?.spec?.template?.metadata?.labels?.["node.kubernetes.io/instance-type"] ?? md?.metadata?.annotations?.["sandbox.tugboat.dev/instance-type"] ?? "m5.large";
  }

  reconcile(m: any): void {
    const now = Date.now();
    if (m.metadata.deletionTimestamp) {
      if (!(m.metadata.finalizers ?? []).length) this.deleteMachine(m);
      return;
    }
    const phase = m.status?.phase ?? "Pending";
    if (phase === "Running" || phase === "Failed") {
      if (phase === "Running" && m.status?.nodeRef?.name && !machineNode(this.ctx, m)) {
        const c = clone(m);
        c.status.phase = "Provisioned";
        this.ctx.api.save(D.machine, c);
      }
      return;
    }
    let st = this.machines.get(m.metadata.uid);
    if (!st) {
      st = { seen: now };
      this.machines.set(m.metadata.uid, st);
    }
    const at = this.ctx.stamp(m.metadata.creationTimestamp);
    const half = st.seen + this.ctx.delays.machineProvisionMs / 2;
    const full = st.seen + this.ctx.delays.machineProvisionMs;
    const c = clone(m);
    c.status = c.status ?? {};
    if (phase === "Pending") {
      if (now < half) { this.ctx.wakeAt(half); return; }
      c.status.phase = "Provisioning";
      c.status.bootstrapReady = true;
      c.status.lastUpdated = at;
      this.ctx.api.save(D.machine, c);
      return;
    }
    if (phase === "Provisioning") {
      if (now < full) { this.ctx.wakeAt(full); return; }
      const md = this.ctx.store.get(D.md, m.metadata.namespace, m.metadata.labels?.[MD_NAME_LABEL] ?? "");
      const failure = m.metadata.annotations?.[PROVISION_FAILURE] ?? md?.metadata?.annotations?.[PROVISION_FAILURE];
      if (failure !== undefined) {
        // CAPI 1.11 (v1beta2 contract): no Failed phase, no failureReason; the Machine stays Provisioning and says why in its conditions.
        c.status = provisionFailedStatus(c.status, failure, at);
        this.ctx.api.save(D.machine, c);
        return;
      }
      const host = this.ctx.nodeHost(m.spec?.clusterName);
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
        annotations: { [MACHINE_ANNOTATION]: m.metadata.name, "cluster.x-k8s.io/owner-name": m.metadata.labels?.[MD_NAME_LABEL] ?? "", [CLUSTER_NAMESPACE_ANNOTATION]: m.metadata.namespace, "cluster.x-k8s.io/cluster-name": m.spec?.clusterName ?? this.ctx.clusterName },
        providerID,
        ip,
        ready: this.ctx.bootstrapping && !neverReady,
        at,
        instanceType: itype,
        version: m.spec?.version ?? "v1.32.4",
      });
      const created = host.store.get(D.node, undefined, nodeName) ?? host.api.insert(D.node, node, this.ctx.bootstrapping ? m.metadata.creationTimestamp : undefined);
      host.kick();
      if (!this.ctx.bootstrapping && created) this.nodesPending.set(`${host.clusterName}/${nodeName}`, { host, name: nodeName, seen: now });
      c.spec.providerID = providerID;
      c.status.phase = "Provisioned";
      c.status.infrastructureReady = true;
      c.status.nodeRef = { apiVersion: "v1", kind: "Node", name: nodeName, uid: created?.metadata.uid };
      c.status.addresses = [{ type: "InternalIP", address: ip }, { type: "InternalDNS", address: nodeName }];
      c.status.lastUpdated = at;
      this.ctx.api.save(D.machine, c);
      return;
    }
    if (phase === "Provisioned") {
      if (machineNodeReady(this.ctx, m)) {
        c.status.phase = "Running";
        c.status.nodeInfo = machineNode(this.ctx, m)?.status?.nodeInfo;
        c.status.conditions = [{ type: "Ready", status: "True", lastTransitionTime: at }, { type: "BootstrapReady", status: "True", lastTransitionTime: at }, { type: "InfrastructureReady", status: "True", lastTransitionTime: at }, { type: "NodeHealthy", status: "True", lastTransitionTime: at }];
        c.status.lastUpdated = at;
        this.ctx.api.save(D.machine, c);
      }
    }
  }

  /** nodes this controller provisioned turn Ready after `nodeReadyMs` (unless annotated never-ready) */
  nodeReadiness(): void {
    const now = Date.now();
    for (const [key, { host, name, seen }] of [...this.nodesPending]) {
      const n = host.store.get(D.node, undefined, name);
      if (!n) {
        this.nodesPending.delete(key);
        continue;
      }
      const machine = machineOfNode(n);
      const m = machine ? this.ctx.store.get(D.machine, machine.ns, machine.name) : undefined;
      const md = m ? this.ctx.store.get(D.md, machine!.ns, m.metadata.labels?.[MD_NAME_LABEL] ?? "") : undefined;
      if (md?.metadata?.annotations?.[NEVER_READY] === "true" || m?.metadata?.annotations?.[NEVER_READY] === "true") continue;
      const due = seen + this.ctx.delays.nodeReadyMs;
      if (now < due) {
        this.ctx.wakeAt(due);
        continue;
      }
      const c = clone(n);
      const at = isoNow();
      c.status.conditions = c.status.conditions.map((x: any) => (x.type === "Ready" ? { ...x, status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: at, lastTransitionTime: at } : x));
      c.spec.taints = (c.spec.taints ?? []).filter((t: any) => t.key !== "node.kubernetes.io/not-ready");
      if (!c.spec.taints.length) delete c.spec.taints;
      const involved = { ...c, metadata: { ...c.metadata, namespace: undefined } };
      host.api.save(D.node, c);
      this.nodesPending.delete(key);
      host.event(involved, "Normal", "NodeReady", `Node ${c.metadata.name} status is now: NodeReady`, "kubelet", c.metadata.name);
      host.kick();
    }
  }
}
