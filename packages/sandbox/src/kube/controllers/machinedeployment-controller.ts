import { selectorToString } from "../selectors.js";
import { clone, deepEqual, fnv32, randSuffix, safeEncode, stableStringify } from "../util.js";
import type { ControllerContext } from "./context.js";
import { type MachineController, machineNodeReady } from "./machine-controller.js";
import { CLUSTER_LABEL, D, MD_NAME_LABEL, ownerRef } from "./objects.js";

/**
 * Cluster API MachineDeployment (and its MachineSet, folded in): adopts machines labelled with its name, creates or
 * deletes machines to match spec.replicas, and reports ready machines (those whose node is Ready) in its status.
 */
export class MachineDeploymentController {
  constructor(private ctx: ControllerContext, private machines: MachineController) {}

  reconcile(md: any): void {
    if (md.metadata.deletionTimestamp) return;
    const ns = md.metadata.namespace;
    const name = md.metadata.name;
    const clusterName = md.spec?.clusterName ?? this.ctx.clusterName;
    let machines = this.ctx.store.values(D.machine, ns).filter((m) => m.metadata.labels?.[MD_NAME_LABEL] === name && !m.metadata.deletionTimestamp);
    for (const m of machines) {
      if (!(m.metadata.ownerReferences ?? []).some((r: any) => r.uid === md.metadata.uid)) {
        const c = clone(m);
        c.metadata.ownerReferences = [ownerRef("cluster.x-k8s.io/v1beta1", "MachineDeployment", md)];
        this.ctx.api.save(D.machine, c);
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
        const created = this.ctx.api.insert(D.machine, m, this.ctx.bootstrapping ? md.metadata.creationTimestamp : undefined);
        if (created) {
          machines.push(created);
          this.ctx.event(md, "Normal", "SuccessfulCreate", `Created machine "${mname}"`, "machineset-controller");
        }
      }
    } else if (machines.length > desired) {
      const rank = (m: any) => (m.metadata.annotations?.["cluster.x-k8s.io/delete-machine"] !== undefined ? 0 : m.status?.phase !== "Running" ? 1 : 2);
      const victims = [...machines].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || b.metadata.name.localeCompare(a.metadata.name)).slice(0, machines.length - desired);
      for (const v of victims) {
        this.machines.deleteMachine(v);
        this.ctx.event(md, "Normal", "SuccessfulDelete", `Deleted machine "${v.metadata.name}"`, "machineset-controller");
      }
      machines = machines.filter((m) => !victims.includes(m));
    }
    const live = this.ctx.store.values(D.machine, ns).filter((m) => m.metadata.labels?.[MD_NAME_LABEL] === name && !m.metadata.deletionTimestamp);
    const ready = live.filter((m) => machineNodeReady(this.ctx, m)).length;
    const sel = md.spec?.selector?.matchLabels && Object.keys(md.spec.selector.matchLabels).length ? selectorToString(md.spec.selector) : `${CLUSTER_LABEL}=${clusterName},${MD_NAME_LABEL}=${name}`;
    const phase = desired === ready ? "Running" : desired > ready ? "ScalingUp" : "ScalingDown";
    const at = this.ctx.stamp(md.metadata.creationTimestamp);
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
      const c = clone(this.ctx.store.get(D.md, ns, name) ?? md);
      c.status = st;
      this.ctx.api.save(D.md, c);
    }
  }
}
