import { UserError } from "../../core/errors.js";
import type { ApiResource, KObject, KubeCluster } from "../../gateways/types.js";
import { describePool, type PoolInfo } from "./describe-pool.js";

// Reads every node pool of a cluster: MachineDeployments, their Machines and the Nodes behind them.

export interface PoolResources {
  machineDeployments: ApiResource;
  machines: ApiResource;
  nodes: ApiResource;
}

export async function poolResources(cluster: KubeCluster): Promise<PoolResources> {
  const machineDeployments = await cluster.resolve("machinedeployments.cluster.x-k8s.io");
  const machines = await cluster.resolve("machines.cluster.x-k8s.io");
  const nodes = await cluster.resolve("nodes");
  if (!machineDeployments || !machines) {
    throw new UserError(`Cluster ${cluster.name} serves no Cluster API MachineDeployments, so it has no node pools Tugboat can manage.`);
  }
  if (!nodes) throw new UserError(`Cluster ${cluster.name} serves no Nodes.`);
  return { machineDeployments, machines, nodes };
}

export async function listMachineDeployments(cluster: KubeCluster, res: PoolResources, namespace: string): Promise<KObject[]> {
  const { items } = await cluster.list(res.machineDeployments, { namespace });
  return items.sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
}

export async function readPools(cluster: KubeCluster, res: PoolResources, namespace: string): Promise<PoolInfo[]> {
  const [mds, machines, nodes] = await Promise.all([
    listMachineDeployments(cluster, res, namespace),
    cluster.list(res.machines, { namespace }),
    cluster.list(res.nodes),
  ]);
  const byName = new Map(nodes.items.map((n) => [n.metadata?.name ?? "", n]));
  return mds.map((md) => describePool(md, machines.items, byName));
}
