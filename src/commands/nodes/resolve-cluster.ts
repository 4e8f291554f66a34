import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import type { KubeCluster } from "../../gateways/types.js";

// Which cluster a /nodes command is about: --cluster, else the channel's cluster, else config.defaultCluster.

export function resolveClusterName(flag: string | undefined, ctx: CommandContext, usage: string): string {
  const config = ctx.services.config;
  const name = flag ?? config.channels[ctx.channel.id]?.cluster ?? config.defaultCluster;
  const known = Object.keys(config.clusters);
  if (!known.includes(name)) {
    const from = flag !== undefined ? "" : " (this channel's cluster)";
    throw new UsageError(`unknown cluster "${name}"${from}; clusters: ${known.join(", ")}`, usage);
  }
  return name;
}

export function kubeCluster(ctx: CommandContext, name: string, usage: string): KubeCluster {
  try {
    return ctx.services.kube.cluster(name);
  } catch {
    throw new UsageError(`cluster "${name}" is configured but Tugboat has no connection to it; clusters: ${ctx.services.kube.clusterNames().join(", ")}`, usage);
  }
}
