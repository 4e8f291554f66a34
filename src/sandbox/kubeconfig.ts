/** Writes a kubeconfig pointing at one or more sandbox API servers (context name = cluster name). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

export function kubeconfigYaml(clusters: Array<{ name: string; url: string }>, currentContext: string): string {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.url, "insecure-skip-tls-verify": true } })),
    users: clusters.map((c) => ({ name: `${c.name}-user`, user: { token: "sandbox-token" } })),
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-user` } })),
    "current-context": currentContext,
  };
  return stringify(doc);
}

export function writeKubeconfig(path: string, clusters: Array<{ name: string; url: string }>, currentContext: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(clusters, currentContext), { mode: 0o600 });
}
