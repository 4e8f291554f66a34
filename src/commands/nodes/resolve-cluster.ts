import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { getOwn } from "../../core/own-keys.js";
import { chooseCluster, UnknownClusterError } from "../../domain/select-cluster.js";
import type { PoolSource } from "../../domain/nodes/pool-source.js";
import type { KubeCluster } from "../../gateways/types.js";

// Which cluster a /nodes command is about: chooseCluster as for /kube (--cluster, else the channel's cluster, else
// config.defaultCluster), out of the configured clusters. A channel whose cluster is unknown is refused rather than
// sent to the default cluster, and refusals are usage errors with /nodes' wording.

export function resolveClusterName(flag: string | undefined, ctx: CommandContext, usage: string): string {
  const config = ctx.services.config;
  try {
    return chooseCluster(config, Object.keys(config.clusters), { cluster: flag, channelId: ctx.channel.id, strictChannel: true }).cluster;
  } catch (err) {
    if (!(err instanceof UnknownClusterError)) throw err;
    const from = err.from === "channel" ? " (this channel's cluster)" : "";
    throw new UsageError(`unknown cluster "${err.cluster}"${from}; clusters: ${err.known.join(", ")}`, usage);
  }
}

export function kubeCluster(ctx: CommandContext, name: string, usage: string): KubeCluster {
  try {
    return ctx.services.kube.cluster(name);
  } catch {
    throw new UsageError(`cluster "${name}" is configured but Tugboat has no connection to it; clusters: ${ctx.services.kube.clusterNames().join(", ")}`, usage);
  }
}

/**
 * Where `/nodes` reads a workload cluster's pools: clusters.<name>.nodePools (Cluster API in a management cluster,
 * filtered by the workload cluster's CAPI name; Nodes from the workload cluster), else the cluster itself with
 * nodes.namespace (the single-cluster layout).
 */
export function poolSourceFor(ctx: CommandContext, name: string, usage: string): PoolSource {
  const nodes = kubeCluster(ctx, name, usage);
  const pools = getOwn(ctx.services.config.clusters, name)?.nodePools;
  if (!pools) {
    const managed = Object.entries(ctx.services.config.clusters).filter(([, c]) => c.nodePools?.context === name).map(([n]) => n);
    if (managed.length > 0) throw new UsageError(`${name} is the management cluster of ${managed.join(", ")}: name one of those with --cluster`, usage);
    return { cluster: name, capi: nodes, namespace: ctx.services.config.nodes.namespace, nodes };
  }
  let capi: KubeCluster;
  try {
    capi = ctx.services.kube.cluster(pools.context);
  } catch {
    throw new UsageError(`the node pools of cluster "${name}" live in management cluster "${pools.context}", which Tugboat has no connection to`, usage);
  }
  return { cluster: name, capi, namespace: pools.namespace, clusterName: pools.clusterName ?? name, nodes };
}
