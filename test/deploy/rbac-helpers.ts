import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { Sandbox } from "@tugboat/sandbox";

// kubectl against the sandbox (asynchronously: the sandbox answers from this process), the manifests under deploy/
// as kubectl renders them, and a kubeconfig in which Tugboat is its ServiceAccount.

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLUSTERS = ["production", "staging", "management"];
/** The ServiceAccount's token as the sandbox issues it (packages/sandbox/src/kube/auth/identities.ts). */
const SA_USER = "sandbox-tugboat";

export function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const p = spawn("kubectl", args, { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolveRun({ code: code ?? 1, stdout, stderr }));
    p.stdin.end(input ?? "");
  });
}

export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export type K8sDoc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; rules?: Array<Record<string, unknown>>; [k: string]: unknown };

/** `kubectl kustomize <dir>` as objects. */
export async function render(dir: string): Promise<K8sDoc[]> {
  const out = await kubectlOk(["kustomize", dir]);
  return parseAllDocuments(out).map((d) => d.toJSON() as K8sDoc).filter(Boolean);
}

export function yamlOf(docs: K8sDoc[]): string {
  return docs.map((d) => stringify(d)).join("---\n");
}

/** kubectl as the sandbox's admin on one cluster (the default contexts). */
export function asAdmin(sandbox: Sandbox, cluster: string, args: string[], input?: string): Promise<string> {
  return kubectlOk(["--kubeconfig", sandbox.kubeconfigPath, "--context", cluster, ...args], input);
}

/** What deploy/rbac puts on each sandbox cluster: every cluster gets rbac/cluster, the lab and Cluster API ones more. */
export const RBAC_DIRS: Record<string, string[]> = {
  production: ["deploy/rbac/cluster"],
  staging: ["deploy/rbac/cluster", "deploy/rbac/review-labs"],
  management: ["deploy/rbac/cluster", "deploy/rbac/node-pools"],
};

/**
 * Puts the rendered RBAC on every sandbox cluster, after taking away the seed's own broad grants to the same
 * ServiceAccount (config/sandbox/kube/<cluster>/rbac.yaml binds tugboat/tugboat to a read-everything role): from
 * then on the ServiceAccount can do exactly what deploy/ grants. Returns the objects per cluster.
 */
export async function installRbac(sandbox: Sandbox): Promise<Record<string, K8sDoc[]>> {
  const applied: Record<string, K8sDoc[]> = {};
  for (const cluster of CLUSTERS) {
    const docs = (await Promise.all(RBAC_DIRS[cluster]!.map(render))).flat();
    await asAdmin(sandbox, cluster, ["delete", "clusterrolebinding", "tugboat", "tugboat-impersonator", "--ignore-not-found"]);
    // The bindings name every app namespace; on a cluster without one, an empty namespace stands in.
    const namespaces = [...new Set(docs.map((d) => d.metadata.namespace).filter((n): n is string => Boolean(n)))];
    const have = new Set((await asAdmin(sandbox, cluster, ["get", "namespaces", "-o", "name"])).split("\n").map((l) => l.replace("namespace/", "")));
    for (const ns of namespaces) if (!have.has(ns) && !docs.some((d) => d.kind === "Namespace" && d.metadata.name === ns)) await asAdmin(sandbox, cluster, ["create", "namespace", ns]);
    await asAdmin(sandbox, cluster, ["apply", "-f", "-"], yamlOf(docs));
    applied[cluster] = docs;
  }
  return applied;
}

/** A copy of the sandbox's kubeconfig whose configured contexts act as Tugboat's ServiceAccount. */
export function serviceAccountKubeconfig(sandbox: Sandbox, dir: string): string {
  const kc = parse(readFileSync(sandbox.kubeconfigPath, "utf8")) as { users: Array<{ name: string }>; contexts: Array<{ name: string; context: { user: string } }> };
  if (!kc.users.some((u) => u.name === SA_USER)) throw new Error(`the sandbox kubeconfig has no ${SA_USER} user`);
  for (const c of kc.contexts) if (CLUSTERS.includes(c.name)) c.context.user = SA_USER;
  const path = join(dir, "tugboat-sa.kubeconfig");
  writeFileSync(path, stringify(kc));
  return path;
}
