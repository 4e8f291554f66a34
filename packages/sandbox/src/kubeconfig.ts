/**
 * Writes a kubeconfig pointing at one or more sandbox API servers. Context `<cluster>` is the full-access
 * user (so kubectl and Tugboat work unchanged). `tugboat@<cluster>` authenticates with Tugboat's service-account
 * token (client-node sends tokens over plain HTTP). The other identities' contexts (`viewer@staging`, …) impersonate
 * them (`as`, `as-groups`) instead: kubectl sends no token over plain HTTP, so a token context would silently act
 * anonymously, with the sandbox's anonymous cluster-admin binding. See docs/sandbox.md, RBAC.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { SANDBOX_IDENTITIES } from "./kube/auth/index.js";

export function kubeconfigYaml(clusters: Array<{ name: string; url: string }>, currentContext: string): string {
  const [admin, ...others] = SANDBOX_IDENTITIES;
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.url, "insecure-skip-tls-verify": true } })),
    users: [
      ...clusters.map((c) => ({ name: `${c.name}-user`, user: { token: admin!.token } })),
      ...others.map((i) => ({ name: `sandbox-${i.name}`, user: i.authenticates === "token" ? { token: i.token } : { as: i.user.username, "as-groups": i.user.groups } })),
    ],
    contexts: [
      ...clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-user` } })),
      ...clusters.flatMap((c) => others.map((i) => ({ name: `${i.name}@${c.name}`, context: { cluster: c.name, user: `sandbox-${i.name}` } }))),
    ],
    "current-context": currentContext,
  };
  return stringify(doc);
}

export function writeKubeconfig(path: string, clusters: Array<{ name: string; url: string }>, currentContext: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(clusters, currentContext), { mode: 0o600 });
}
