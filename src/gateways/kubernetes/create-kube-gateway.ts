import { KubeConfig } from "@kubernetes/client-node";
import type { TugboatConfig } from "../../config/schema.js";
import type { Logger } from "../../core/logger.js";
import { GatewayError, type KubeCluster, type KubeGateway } from "../types.js";
import { KubeClusterClient } from "./kube-cluster-client.js";

export interface KubeGatewayOptions {
  config: Pick<TugboatConfig, "clusters">;
  /** Explicit kubeconfig path; otherwise client-node's standard loading order (KUBECONFIG, ~/.kube/config). */
  kubeconfigPath?: string;
  inCluster?: boolean;
  timeoutMs: number;
  log: Logger;
}

/** One client per configured cluster, each bound to its kubeconfig context (or in-cluster config). */
export function createKubeGateway(opts: KubeGatewayOptions): KubeGateway {
  const base = new KubeConfig();
  const needsFile = Object.values(opts.config.clusters).some((c) => !c.inCluster) && !opts.inCluster;
  if (needsFile) {
    if (opts.kubeconfigPath) base.loadFromFile(opts.kubeconfigPath);
    else base.loadFromDefault();
  }
  const clients = new Map<string, KubeClusterClient>();
  const problems: string[] = [];
  for (const [name, c] of Object.entries(opts.config.clusters)) {
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
    clients.set(name, new KubeClusterClient(name, kc, opts.timeoutMs, opts.log.child({ cluster: name })));
  }
  if (problems.length > 0) throw new GatewayError("invalid", `Kubernetes configuration: ${problems.join("; ")}`);
  return {
    clusterNames: () => [...clients.keys()],
    cluster: (name: string): KubeCluster => {
      const client = clients.get(name);
      if (!client) throw new GatewayError("not-found", `unknown cluster "${name}" (known: ${[...clients.keys()].join(", ")})`);
      return client;
    },
  };
}
