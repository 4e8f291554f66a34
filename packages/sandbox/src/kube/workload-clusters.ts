/**
 * Links sandbox servers the way Cluster API links clusters: a management cluster's Machines provision Nodes in the
 * workload clusters named by their spec.clusterName. Each started server registers its controllers here, so that
 * `startKubeSandbox({ workloadClusters })` can reach the other servers' stores without widening the public API.
 */
import type { Controllers } from "./controllers/index.js";
import type { KubeSandbox } from "./types.js";

const controllersOf = new WeakMap<KubeSandbox, Controllers>();

export function registerControllers(sandbox: KubeSandbox, controllers: Controllers): void {
  controllersOf.set(sandbox, controllers);
}

/** Makes `management` provision the Nodes of each named workload cluster in that cluster's server. */
export function linkWorkloadClusters(management: Controllers, workloads: Record<string, KubeSandbox>): void {
  for (const [name, sandbox] of Object.entries(workloads)) {
    const target = controllersOf.get(sandbox);
    if (!target) throw new Error(`workloadClusters.${name}: not a sandbox started by startKubeSandbox`);
    management.linkWorkload(name, target);
  }
}
