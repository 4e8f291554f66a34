/**
 * Writes a kubeconfig pointing at one or more sandbox API servers. Context `<cluster>` is the full-access
 * user (so kubectl and Tugboat work unchanged); `<identity>@<cluster>` contexts use the sandbox's other
 * identities (see docs/sandbox.md, RBAC), e.g. `kubectl --context viewer@staging auth can-i --list`.
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
      ...others.map((i) => ({ name: `sandbox-${i.name}`, user: { token: i.token } })),
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
