import type { TugboatConfig } from "../../config/schema.js";
import { UsageError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import type { Machine, MachineDeployment } from "../../gateways/kube-models.js";
import type { KubeCluster, KubeGateway } from "../../gateways/types.js";

// Where a workload cluster's node pools are read from. In the single-cluster layout the MachineDeployments, Machines
// and Nodes all live in the workload cluster itself. In the usual Cluster API layout they live in a management
// cluster (clusters.<name>.nodePools), shared by several workload clusters, while the Nodes stay in the workload
// cluster: MachineDeployments and Machines are then filtered by the workload cluster's CAPI name.

export const CLUSTER_NAME_LABEL = "cluster.x-k8s.io/cluster-name";

export interface PoolSource {
  /** The workload cluster as configured (what the user names with --cluster). */
  cluster: string;
  /** Where MachineDeployments, Machines, Cluster objects and the pool Leases live. */
  capi: KubeCluster;
  /** Namespace of the MachineDeployments. */
  namespace: string;
  /** The Cluster API Cluster name (spec.clusterName) to filter by; undefined in the single-cluster layout. */
  clusterName?: string;
  /** Where the Nodes live. */
  nodes: KubeCluster;
}

/** True when a MachineDeployment or Machine belongs to the source's workload cluster. */
export function belongsToCluster(o: MachineDeployment | Machine, source: Pick<PoolSource, "clusterName">): boolean {
  if (source.clusterName === undefined) return true;
  const label = o.metadata?.labels?.[CLUSTER_NAME_LABEL];
  const spec = o.spec?.clusterName;
  return label === source.clusterName || (label === undefined && spec === source.clusterName);
}

/** "cluster.x-k8s.io/cluster-name=<name>" for lists and informers, so a shared management namespace is filtered server-side. */
export function clusterSelector(source: Pick<PoolSource, "clusterName">): string | undefined {
  return source.clusterName === undefined ? undefined : `${CLUSTER_NAME_LABEL}=${source.clusterName}`;
}

/** The cluster named in error messages: the workload cluster, plus the management cluster when that is where CAPI lives. */
export function poolsWhere(source: Pick<PoolSource, "cluster" | "capi" | "nodes">): string {
  return source.capi === source.nodes ? source.cluster : `${source.cluster} (Cluster API on ${source.capi.name})`;
}

function connectedCluster(kube: KubeGateway, name: string, usage: string | undefined): KubeCluster {
  try {
    return kube.cluster(name);
  } catch {
    throw new UsageError(`cluster "${name}" is configured but Tugboat has no connection to it; clusters: ${kube.clusterNames().join(", ")}`, usage);
  }
}

/**
 * Where a workload cluster's pools are read: clusters.<name>.nodePools (Cluster API in a management cluster, filtered
 * by the workload cluster's CAPI name; Nodes from the workload cluster), else the cluster itself with nodes.namespace
 * (the single-cluster layout). `usage` goes under the refusals.
 */
export function poolSource(config: TugboatConfig, kube: KubeGateway, name: string, usage?: string): PoolSource {
  const nodes = connectedCluster(kube, name, usage);
  const pools = getOwn(config.clusters, name)?.nodePools;
  if (!pools) {
    const managed = Object.entries(config.clusters).filter(([, c]) => c.nodePools?.context === name).map(([n]) => n);
    if (managed.length > 0) throw new UsageError(`${name} is the management cluster of ${managed.join(", ")}: name one of those with --cluster`, usage);
    return { cluster: name, capi: nodes, namespace: config.nodes.namespace, nodes };
  }
  let capi: KubeCluster;
  try {
    capi = kube.cluster(pools.context);
  } catch {
    throw new UsageError(`the node pools of cluster "${name}" live in management cluster "${pools.context}", which Tugboat has no connection to`, usage);
  }
  return { cluster: name, capi, namespace: pools.namespace, clusterName: pools.clusterName ?? name, nodes };
}
