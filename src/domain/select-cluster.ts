import type { TugboatConfig } from "../config/schema.js";
import { UserError } from "../core/errors.js";
import { getOwn } from "../core/own-keys.js";

// Which cluster a command is about: --cluster, else the cluster of the environment whose namespace is -n,
// else the channel's cluster, else config.defaultCluster (/kube and /nodes). And which namespace when -n is not given.

export interface Target {
  cluster: string;
  /** How the cluster was chosen, for the reply's context line. */
  reason: "flag" | "namespace" | "channel" | "default";
}

type ClusterConfig = Pick<TugboatConfig, "clusters" | "environments" | "apps" | "channels" | "defaultCluster">;

/** Every (namespace, cluster, app, environment) the configuration names, per-app overrides applied. */
export function environmentNamespaces(config: ClusterConfig): Array<{ namespace: string; cluster: string; app: string; env: string }> {
  const out: Array<{ namespace: string; cluster: string; app: string; env: string }> = [];
  for (const [envName, env] of Object.entries(config.environments)) {
    for (const [appName, app] of Object.entries(config.apps)) {
      const override = getOwn(app.environments, envName);
      const template = override?.namespace ?? env.namespace ?? "{app}-{env}";
      const namespace = template.replaceAll("{app}", appName).replaceAll("{env}", envName);
      out.push({ namespace, cluster: override?.cluster ?? env.cluster, app: appName, env: envName });
    }
  }
  return out;
}

/** A cluster name that is not among the known ones, named by --cluster or by the channel's configuration. */
export class UnknownClusterError extends UserError {
  constructor(
    readonly cluster: string,
    readonly known: string[],
    readonly from: "flag" | "channel",
  ) {
    super(`Unknown cluster "${cluster}"; known clusters: ${known.join(", ")}.`);
  }
}

export interface ClusterChoice {
  cluster?: string;
  namespace?: string;
  channelId: string;
  /** Refuse a channel whose cluster is not known instead of falling back to the default cluster. */
  strictChannel?: boolean;
}

export function chooseCluster(config: ClusterConfig, known: string[], opts: ClusterChoice): Target {
  if (opts.cluster !== undefined) {
    if (!known.includes(opts.cluster)) throw new UnknownClusterError(opts.cluster, known, "flag");
    return { cluster: opts.cluster, reason: "flag" };
  }
  if (opts.namespace !== undefined) {
    const match = environmentNamespaces(config).find((e) => e.namespace === opts.namespace && known.includes(e.cluster));
    if (match) return { cluster: match.cluster, reason: "namespace" };
  }
  const channelCluster = getOwn(config.channels, opts.channelId)?.cluster;
  if (channelCluster && known.includes(channelCluster)) return { cluster: channelCluster, reason: "channel" };
  if (channelCluster && opts.strictChannel) throw new UnknownClusterError(channelCluster, known, "channel");
  return { cluster: config.defaultCluster, reason: "default" };
}

/**
 * The namespace used when -n is not given: the channel's app in the (non-canary, non-transient) environment
 * that lives on the chosen cluster, else "default" as kubectl would use.
 */
export function defaultNamespace(config: ClusterConfig, cluster: string, channelId: string): string {
  const app = getOwn(config.channels, channelId)?.app;
  if (app) {
    const match = environmentNamespaces(config).find(
      (e) => e.app === app && e.cluster === cluster && !getOwn(config.environments, e.env)?.canaryOf && !getOwn(config.environments, e.env)?.transient,
    );
    if (match) return match.namespace;
  }
  return "default";
}
