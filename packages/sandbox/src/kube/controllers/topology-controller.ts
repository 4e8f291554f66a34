import { clone, deepEqual } from "../util.js";
import type { ControllerContext } from "./context.js";
import { CLUSTER_LABEL, D, TOPOLOGY_MD_LABEL, TOPOLOGY_OWNED_LABEL } from "./objects.js";

/**
 * Cluster API's topology (ClusterClass) controller, reduced to what node pools see: for every
 * `spec.topology.workers.machineDeployments[]` entry of a Cluster, the MachineDeployment labelled with the Cluster's
 * name, `topology.cluster.x-k8s.io/owned` and the entry's name gets the entry's `replicas` (when set) and the entry's
 * `metadata.annotations`/`labels`. So a direct scale of a managed MachineDeployment is reverted, as on a real
 * management cluster, and the topology is the only place to scale it. ClusterClass objects and MachineDeployment
 * creation from classes are not simulated.
 */
export class TopologyController {
  constructor(private ctx: ControllerContext) {}

  /** the Cluster whose topology manages this MachineDeployment ("ns/name"), if any */
  static ownerOf(md: any): string | undefined {
    const labels = md?.metadata?.labels ?? {};
    if (labels[TOPOLOGY_OWNED_LABEL] === undefined || !labels[TOPOLOGY_MD_LABEL]) return undefined;
    const cluster = labels[CLUSTER_LABEL] ?? md.spec?.clusterName;
    return cluster ? `${md.metadata.namespace}/${cluster}` : undefined;
  }

  reconcile(cluster: any): void {
    if (cluster.metadata.deletionTimestamp) return;
    const ns = cluster.metadata.namespace;
    const name = cluster.metadata.name;
    const entries: any[] = cluster.spec?.topology?.workers?.machineDeployments ?? [];
    const managed = this.ctx.store.values(D.md, ns).filter((md) => TopologyController.ownerOf(md) === `${ns}/${name}`);
    for (const entry of entries) {
      const md = managed.find((m) => m.metadata.labels[TOPOLOGY_MD_LABEL] === entry?.name);
      if (!md) continue;
      const c = clone(md);
      if (typeof entry.replicas === "number") c.spec.replicas = entry.replicas;
      const meta = entry.metadata ?? {};
      if (meta.annotations) c.metadata.annotations = { ...(c.metadata.annotations ?? {}), ...meta.annotations };
      if (meta.labels) c.metadata.labels = { ...c.metadata.labels, ...meta.labels };
      if (!deepEqual(c, md)) {
        if (c.spec.replicas !== md.spec?.replicas) {
          this.ctx.event(cluster, "Normal", "TopologyUpdate", `Updated MachineDeployment "${md.metadata.name}" replicas to ${c.spec.replicas} from the Cluster topology`, "topology/cluster-controller");
        }
        this.ctx.api.save(D.md, c);
      }
    }
    const status = { ...(cluster.status ?? {}), phase: cluster.status?.phase ?? "Provisioned", observedGeneration: cluster.metadata.generation ?? 1 };
    if (!deepEqual(status, cluster.status)) {
      const c = clone(cluster);
      c.status = status;
      this.ctx.api.save(D.cluster, c);
    }
  }
}
