import type { KObject, KubeCluster } from "../../gateways/types.js";

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
export function belongsToCluster(o: KObject, source: Pick<PoolSource, "clusterName">): boolean {
  if (source.clusterName === undefined) return true;
  const label = o.metadata?.labels?.[CLUSTER_NAME_LABEL];
  const spec = o.spec?.clusterName;
  return label === source.clusterName || (label === undefined && spec === source.clusterName);
}

/** "cluster.x-k8s.io/cluster-name=<name>" for list and watch, so a shared management namespace is filtered server-side. */
export function clusterSelector(source: Pick<PoolSource, "clusterName">): string | undefined {
  return source.clusterName === undefined ? undefined : `${CLUSTER_NAME_LABEL}=${source.clusterName}`;
}

/** The cluster named in error messages: the workload cluster, plus the management cluster when that is where CAPI lives. */
export function poolsWhere(source: Pick<PoolSource, "cluster" | "capi" | "nodes">): string {
  return source.capi === source.nodes ? source.cluster : `${source.cluster} (Cluster API on ${source.capi.name})`;
}
