import type { CommandContext } from "../../core/command.js";
import { UsageError } from "../../core/errors.js";
import { chooseCluster, UnknownClusterError } from "../../domain/select-cluster.js";
import { poolSource, type PoolSource } from "../../domain/nodes/pool-source.js";

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

/** Where `/nodes` reads a workload cluster's pools (see poolSource); refusals are usage errors. */
export function poolSourceFor(ctx: CommandContext, name: string, usage: string): PoolSource {
  return poolSource(ctx.services.config, ctx.services.kube, name, usage);
}
