import { UserError } from "../../core/errors.js";
import type { Cluster, MachineDeployment } from "../../gateways/kube-models.js";
import type { KubeCluster } from "../../gateways/types.js";
import { AUTOSCALER_MIN, topologyOf, type TopologyRef } from "./describe-pool.js";
import type { ScaleTarget } from "./scale-pool.js";

// A ClusterClass-managed pool's replicas belong to its Cluster: spec.topology.workers.machineDeployments[].replicas.
// The topology controller reverts every direct change of the MachineDeployment, so Tugboat scales the topology entry
// (a replace of the Cluster with the resourceVersion it read: a 409 means someone changed the Cluster meanwhile).
// When the autoscaler's min-size has to go up, it goes into the same entry's metadata.annotations in the same
// write, because the topology controller would overwrite it on the MachineDeployment too.

export interface TopologyEntry {
  cluster: Cluster;
  index: number;
  replicas: number | undefined;
}

/** The topology entry for `ref` in a Cluster object; undefined when the Cluster has no such entry. */
export function topologyEntry(cluster: Cluster, ref: TopologyRef): TopologyEntry | undefined {
  const entries: unknown = cluster.spec?.topology?.workers?.machineDeployments;
  if (!Array.isArray(entries)) return undefined;
  // The Cluster is another controller's object: read its entries defensively, whatever the model says.
  const index = entries.findIndex((e: unknown) => e !== null && typeof e === "object" && (e as { name?: unknown }).name === ref.name);
  if (index < 0) return undefined;
  const replicas = (entries[index] as { replicas?: unknown }).replicas;
  return { cluster, index, replicas: typeof replicas === "number" && Number.isSafeInteger(replicas) ? replicas : undefined };
}

/** Refuses a management cluster without Cluster API Clusters (only needed for ClusterClass pools). */
async function requireClusters(capi: KubeCluster): Promise<void> {
  if (!(await capi.capiClusters.served())) {
    throw new UserError(`${capi.name} serves no Cluster API Clusters, so the ClusterClass-managed pool cannot be scaled through its topology.`);
  }
}

/** Reads the Cluster and its topology entry for `ref`; refuses when the entry is missing. */
export async function readTopology(capi: KubeCluster, namespace: string, ref: TopologyRef): Promise<TopologyEntry> {
  const cluster = await capi.capiClusters.get(ref.cluster, namespace);
  const entry = topologyEntry(cluster, ref);
  if (!entry) throw new UserError(`Cluster ${namespace}/${ref.cluster} has no topology entry "${ref.name}" in spec.topology.workers.machineDeployments, although its MachineDeployment says it is managed by it.`);
  return entry;
}

export function topologyScale(opts: {
  capi: KubeCluster;
  namespace: string;
  machineDeployment: string;
  ref: TopologyRef;
  /** Called with the min-size written together with the replicas (when the plan raises it). */
  onMinSize?: (from: number, to: number) => void;
}): ScaleTarget {
  return {
    what: `Cluster ${opts.ref.cluster}`,
    async read() {
      const [entry, md] = await Promise.all([
        readTopology(opts.capi, opts.namespace, opts.ref),
        opts.capi.machineDeployments.get(opts.machineDeployment, opts.namespace),
      ]);
      return { replicas: entry.replicas ?? md.spec?.replicas ?? 0, md, version: entry };
    },
    async write(plan, version) {
      const { cluster, index } = version as TopologyEntry;
      const next = structuredClone(cluster);
      const entry = next.spec?.topology?.workers?.machineDeployments?.[index];
      if (!entry) throw new Error(`Cluster ${opts.ref.cluster} lost its topology entry ${opts.ref.name} between read and write`);
      entry.replicas = plan.after;
      if (plan.minSize) {
        entry.metadata = { ...(entry.metadata ?? {}), annotations: { ...(entry.metadata?.annotations ?? {}), [AUTOSCALER_MIN]: String(plan.minSize.to) } };
      }
      // Never retried by the gateway: a repeated write that had landed would answer 409, and the re-read would add N again.
      await opts.capi.withRetry({ attempts: 1 }).capiClusters.replace(next);
      if (plan.minSize) opts.onMinSize?.(plan.minSize.from, plan.minSize.to);
    },
  };
}

/** Where a pool's replicas are owned, and how to scale it. */
export interface ReplicaOwner {
  /** Replicas now: the topology entry's when it owns them, else the MachineDeployment's. */
  current: number;
  /** Set when the Cluster's topology owns the replicas: scale through it. */
  topology?: { ref: TopologyRef; target: ScaleTarget; minSizeWritten(): { from: number; to: number } | undefined };
}

/**
 * A ClusterClass pool whose topology entry sets replicas is scaled through the Cluster (the topology controller would
 * revert a scale of the MachineDeployment). Without replicas in the entry (an autoscaler owns them), and for pools
 * outside a topology, the MachineDeployment is scaled as usual.
 */
export async function replicaOwner(capi: KubeCluster, namespace: string, md: MachineDeployment): Promise<ReplicaOwner> {
  const current = md.spec?.replicas ?? 0;
  const ref = topologyOf(md);
  if (!ref) return { current };
  await requireClusters(capi);
  const entry = await readTopology(capi, namespace, ref);
  if (entry.replicas === undefined) return { current };
  let written: { from: number; to: number } | undefined;
  const target = topologyScale({ capi, namespace, machineDeployment: md.metadata?.name ?? "", ref, onMinSize: (from, to) => (written = { from, to }) });
  return { current: entry.replicas, topology: { ref, target, minSizeWritten: () => written } };
}
