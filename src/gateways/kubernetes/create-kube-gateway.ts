import { KubeConfig } from "./client-node.js";
import type { TugboatConfig } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import type { Clock } from "../../core/services.js";
import { GatewayError, type ActingScope, type KubeActor, type KubeCluster, type KubeGateway } from "../types.js";
import { KubeClusterClient } from "./kube-cluster-client.js";
import { loadKubeconfig } from "./load-kubeconfig.js";

export interface KubeGatewayOptions {
  config: Pick<TugboatConfig, "clusters">;
  /** Kubeconfig path or KUBECONFIG-style list (`a:b`, merged like kubectl); otherwise $KUBECONFIG, else ~/.kube/config. */
  kubeconfigPath?: string;
  inCluster?: boolean;
  timeoutMs: number;
  log: Logger;
  /** Per cluster: told every request's method and HTTP status ("error" when there was no answer), for metrics. */
  onRequest?: (cluster: string) => (method: string, status: number | "error") => void;
  /** Back-off and Retry-After waits of retries and informers; the system clock by default. */
  clock?: Clock;
  /** Jitter of those back-offs, seeded in tests; Math.random by default. */
  random?: () => number;
}

/** One client per configured cluster, each bound to its kubeconfig context (or in-cluster config). */
export function createKubeGateway(opts: KubeGatewayOptions): KubeGateway {
  const base = new KubeConfig();
  const needsFile = Object.values(opts.config.clusters).some((c) => !c.inCluster) && !opts.inCluster;
  if (needsFile) {
    loadKubeconfig(base, opts.kubeconfigPath ?? process.env.KUBECONFIG);
  }
  const clients = new Map<string, KubeClusterClient>();
  const problems: string[] = [];
  for (const [name, c] of [...Object.entries(opts.config.clusters), ...managementContexts(opts.config.clusters)]) {
    const kc = new KubeConfig();
    if (c.inCluster || opts.inCluster) {
      kc.loadFromCluster();
    } else {
      const context = c.context ?? name;
      if (!base.getContextObject(context)) {
        problems.push(`cluster "${name}" names kubeconfig context "${context}", which the kubeconfig does not have (it has: ${base.getContexts().map((x) => x.name).join(", ") || "none"})`);
        continue;
      }
      kc.loadFromString(base.exportConfig());
      kc.setCurrentContext(context);
    }
    const state = { resources: undefined, discovery: undefined, requests: 0, onRequest: opts.onRequest?.(name), clock: opts.clock, random: opts.random };
    clients.set(name, new KubeClusterClient(name, kc, opts.timeoutMs, opts.log.child({ cluster: name }), undefined, state));
  }
  if (problems.length > 0) throw new GatewayError("invalid", `Kubernetes configuration: ${problems.join("; ")}`);
  const impersonating = new Set(Object.entries(opts.config.clusters).filter(([, c]) => c.impersonate).map(([name]) => name));
  return gatewayOver(clients, (client) => client);

  /** The gateway whose clients are `view(client)`: the clients themselves, or copies acting for someone. */
  function gatewayOver(all: Map<string, KubeClusterClient>, view: (c: KubeClusterClient) => KubeClusterClient): KubeGateway {
    const viewed = new Map<string, KubeClusterClient>();
    return {
      clusterNames: () => [...all.keys()],
      cluster: (name: string): KubeCluster => {
        const client = all.get(name);
        if (!client) throw new GatewayError("not-found", `unknown cluster "${name}" (known: ${[...all.keys()].join(", ")})`);
        if (!viewed.has(name)) viewed.set(name, view(client));
        return viewed.get(name)!;
      },
      // Only clusters with `impersonate: true` act for someone; the others stay Tugboat's own identity.
      actingFor: (actor: KubeActor, scope: ActingScope) => gatewayOver(all, (c) => (impersonating.has(c.name) ? c.actingFor(actor, scope) : c)),
    };
  }
}

/**
 * Management clusters named by clusters.<name>.nodePools.context that are not configured clusters themselves: each
 * gets a client named after its kubeconfig context (a configured cluster's name wins over a context of that name).
 */
function managementContexts(clusters: TugboatConfig["clusters"]): Array<[string, { context: string; inCluster: boolean }]> {
  const extra = new Map<string, { context: string; inCluster: boolean }>();
  for (const c of Object.values(clusters)) {
    const context = c.nodePools?.context;
    if (context && !Object.hasOwn(clusters, context)) extra.set(context, { context, inCluster: false });
  }
  return [...extra];
}
