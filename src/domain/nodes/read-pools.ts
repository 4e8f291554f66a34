import { UserError } from "../../core/errors.js";
import type { MachineDeployment } from "../../gateways/kube-models.js";
import { describePool, poolName, type PoolInfo } from "./describe-pool.js";
import { belongsToCluster, clusterSelector, type PoolSource } from "./pool-source.js";

// Reads every node pool of a workload cluster: MachineDeployments and their Machines (from wherever Cluster API
// lives, filtered by the workload cluster) and the Nodes behind them (from the workload cluster).

/** Refuses a cluster without Cluster API: it has no node pools Tugboat can manage. */
export async function requireClusterApi(source: PoolSource): Promise<void> {
  if (await source.capi.machineDeployments.served()) return;
  const where = source.capi === source.nodes ? `Cluster ${source.capi.name}` : `Management cluster ${source.capi.name} (for ${source.cluster})`;
  throw new UserError(`${where} serves no Cluster API MachineDeployments, so it has no node pools Tugboat can manage.`);
}

export async function listMachineDeployments(source: PoolSource): Promise<MachineDeployment[]> {
  const { items } = await source.capi.machineDeployments.list({ namespace: source.namespace, ...selector(source) });
  return items.filter((md) => belongsToCluster(md, source)).sort((a, b) => poolName(a).localeCompare(poolName(b)) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
}

export async function readPools(source: PoolSource): Promise<PoolInfo[]> {
  const [mds, machines, nodes] = await Promise.all([
    listMachineDeployments(source),
    source.capi.machines.list({ namespace: source.namespace, ...selector(source) }),
    source.nodes.nodes.list(),
  ]);
  const byName = new Map(nodes.items.map((n) => [n.metadata?.name ?? "", n]));
  const mine = machines.items.filter((m) => belongsToCluster(m, source));
  return mds.map((md) => describePool(md, mine, byName));
}

function selector(source: PoolSource): { labelSelector?: string } {
  const s = clusterSelector(source);
  return s ? { labelSelector: s } : {};
}
