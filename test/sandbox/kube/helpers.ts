import { KubeConfig } from "@kubernetes/client-node";
import { loadSeedDir } from "@tugboat/sandbox/kube";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeSandbox, type KubeSandbox } from "@tugboat/sandbox/kube";
import type { SimDelays } from "@tugboat/sandbox/kube";
import { writeKubeconfig } from "@tugboat/sandbox/kubeconfig";

export function kubeConfigFor(sb: KubeSandbox): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: sb.clusterName, server: sb.url, skipTLSVerify: true }],
    users: [{ name: "sandbox", token: "sandbox-token" }],
    contexts: [{ name: sb.clusterName, cluster: sb.clusterName, user: "sandbox" }],
    currentContext: sb.clusterName,
  });
  return kc;
}

/** the parsed metav1.Status of a client-node ApiException */
export function statusOf(e: any): any {
  const b = e?.body;
  if (typeof b === "string") {
    try {
      return JSON.parse(b);
    } catch {
      return b;
    }
  }
  return b;
}

export async function expectStatus(p: Promise<unknown>, code: number): Promise<any> {
  try {
    await p;
  } catch (e: any) {
    if (e?.code !== code) throw new Error(`expected HTTP ${code}, got ${e?.code}: ${e?.message} ${typeof e?.body === "string" ? e.body : ""}`);
    return statusOf(e);
  }
  throw new Error(`expected HTTP ${code}, but the call succeeded`);
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = "condition"): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function raw(sb: KubeSandbox, method: string, path: string, opts: { body?: unknown; contentType?: string; accept?: string } = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(sb.url + path, {
    method,
    headers: {
      ...(opts.accept ? { Accept: opts.accept } : {}),
      ...(opts.body !== undefined ? { "Content-Type": opts.contentType ?? "application/json" } : {}),
    },
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export function deployment(name: string, ns: string, opts: { replicas?: number; image?: string; labels?: Record<string, string>; pds?: number } = {}): any {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: opts.labels ?? { app: name } },
    spec: {
      replicas: opts.replicas ?? 2,
      ...(opts.pds !== undefined ? { progressDeadlineSeconds: opts.pds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: opts.image ?? "nginx:1.25", ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

/** The real kubectl, when installed (tests that need it skip otherwise). */
export const KUBECTL = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((p) => existsSync(p));

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A sandbox with a kubeconfig for the real kubectl, in a scratch HOME of its own. */
export interface KubectlSandbox {
  sb: KubeSandbox;
  dir: string;
  kubectl(args: string[], timeoutMs?: number): Promise<KubectlRun>;
  stop(): Promise<void>;
}

export async function startKubectlSandbox(opts: { clusterName: string; seedDir: string; delays: Partial<SimDelays> }): Promise<KubectlSandbox> {
  const dir = mkdtempSync(join(tmpdir(), "kube-sandbox-kubectl-"));
  const sb = await startKubeSandbox({ clusterName: opts.clusterName, seedDir: opts.seedDir, delays: opts.delays });
  const kc = join(dir, "kubeconfig");
  writeKubeconfig(kc, [{ name: opts.clusterName, url: sb.url }], opts.clusterName);
  const env = { ...process.env, KUBECONFIG: kc, KUBECACHEDIR: join(dir, "cache"), HOME: dir };
  const kubectl = (args: string[], timeoutMs = 30_000): Promise<KubectlRun> =>
    new Promise((resolve) => {
      execFile(KUBECTL!, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  return {
    sb,
    dir,
    kubectl,
    stop: async () => {
      await sb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One workload cluster's MachineDeployments and Machines from the management cluster's seed, without its Cluster
 * object (so no topology controller reverts direct scales): for a single self-managed server in sandbox tests.
 */
export function capiSeedFor(cluster: string): any[] {
  const dir = new URL("../../../config/sandbox/kube/management", import.meta.url).pathname;
  return loadSeedDir(dir).filter((o) => o.kind !== "Cluster" && o.metadata?.labels?.["cluster.x-k8s.io/cluster-name"] === cluster);
}
