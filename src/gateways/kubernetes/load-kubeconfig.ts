import { KubeConfig } from "./client-node.js";
import { existsSync } from "node:fs";
import { delimiter } from "node:path";
import { GatewayError } from "../types.js";

// kubectl's kubeconfig loading: a KUBECONFIG list (`a:b`, `;` on Windows) is merged in order, the first file to
// define a cluster, user or context name (and the current context) wins, files that do not exist are skipped,
// and relative certificate paths stay relative to their own file. client-node's loadFromDefault instead lets
// later files override the current context and throws on a name defined twice.

/** Loads `paths` (a path or a KUBECONFIG-style list; default $KUBECONFIG, else ~/.kube/config) into `kc`. */
export function loadKubeconfig(kc: KubeConfig, paths: string | undefined = process.env.KUBECONFIG): void {
  if (!paths) {
    kc.loadFromDefault();
    return;
  }
  const listed = [...new Set(paths.split(delimiter).filter(Boolean))];
  if (listed.length === 1) {
    kc.loadFromFile(listed[0]!); // one file: it must be there (its own error names it)
    return;
  }
  const files = listed.filter((f) => existsSync(f));
  if (files.length === 0) throw new GatewayError("invalid", `Kubernetes configuration: no kubeconfig file exists (KUBECONFIG lists ${listed.join(", ") || "nothing"})`);
  const merged = { clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: "" };
  for (const file of files) {
    const part = new KubeConfig();
    try {
      part.loadFromFile(file);
    } catch (e) {
      throw new GatewayError("invalid", `Kubernetes configuration: cannot read kubeconfig ${file}: ${(e as Error).message}`);
    }
    for (const c of part.clusters) if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, c);
    for (const u of part.users) if (!merged.users.has(u.name)) merged.users.set(u.name, u);
    for (const c of part.contexts) if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c);
    merged.currentContext ||= part.currentContext;
  }
  kc.loadFromOptions({
    clusters: [...merged.clusters.values()],
    users: [...merged.users.values()],
    contexts: [...merged.contexts.values()],
    currentContext: merged.currentContext,
  });
}
