import { UserError } from "../../core/errors.js";
import type { ApiResource, KObject } from "../../gateways/types.js";
import { describePool, poolName, type PoolInfo } from "./describe-pool.js";
import { belongsToCluster, clusterSelector, type PoolSource } from "./pool-source.js";

// Reads every node pool of a workload cluster: MachineDeployments and their Machines (from wherever Cluster API
// lives, filtered by the workload cluster) and the Nodes behind them (from the workload cluster).

export interface PoolResources {
  machineDeployments: ApiResource;
  machines: ApiResource;
  nodes: ApiResource;
}

export async function poolResources(source: PoolSource): Promise<PoolResources> {
  const [machineDeployments, machines, nodes] = await Promise.all([
    source.capi.resolve("machinedeployments.cluster.x-k8s.io"),
    source.capi.resolve("machines.cluster.x-k8s.io"),
    source.nodes.resolve("nodes"),
  ]);
  if (!machineDeployments || !machines) {
    const where = source.capi === source.nodes ? `Cluster ${source.capi.name}` : `Management cluster ${source.capi.name} (for ${source.cluster})`;
    throw new UserError(`${where} serves no Cluster API MachineDeployments, so it has no node pools Tugboat can manage.`);
  }
  if (!nodes) throw new UserError(`Cluster ${source.nodes.name} serves no Nodes.`);
  return { machineDeployments, machines, nodes };
}

export async function listMachineDeployments(source: PoolSource, res: PoolResources): Promise<KObject[]> {
  const { items } = await source.capi.list(res.machineDeployments, { namespace: source.namespace, ...selector(source) });
  return items.filter((md) => belongsToCluster(md, source)).sort((a, b) => poolName(a).localeCompare(poolName(b)) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
}

export async function readPools(source: PoolSource, res: PoolResources): Promise<PoolInfo[]> {
  const [mds, machines, nodes] = await Promise.all([
    listMachineDeployments(source, res),
    source.capi.list(res.machines, { namespace: source.namespace, ...selector(source) }),
    source.nodes.list(res.nodes),
  ]);
  const byName = new Map(nodes.items.map((n) => [n.metadata?.name ?? "", n]));
  const mine = machines.items.filter((m) => belongsToCluster(m, source));
  return mds.map((md) => describePool(md, mine, byName));
}

function selector(source: PoolSource): { labelSelector?: string } {
  const s = clusterSelector(source);
  return s ? { labelSelector: s } : {};
}
