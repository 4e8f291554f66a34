import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startKubeSandbox, type KubeSandbox, type SimDelays } from "./kube/index.js";
import { startGithubSandbox, type GithubSandbox, type SimulatedCiOptions } from "./github/index.js";
import { tokenFileLines } from "./kube/auth/index.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { claimSandboxDir, type DirClaim, type SandboxOwner } from "./claim-dir.js";
import { sandboxControl, type SandboxControl } from "./control.js";
import { findPrometheus, PROMETHEUS_MISSING, startPodMetrics, startPrometheus } from "./metrics/index.js";

export { SandboxBusyError, type SandboxOwner } from "./claim-dir.js";
export { DEMO_DELAYS, TEST_DELAYS, ZERO_DELAYS, type SimDelays } from "./kube/types.js";
export * from "./control.js";

// The whole sandbox: one Kubernetes API server per workload cluster, a Cluster API management cluster holding their
// MachineDeployments and Machines (its Machines provision Nodes in the workload clusters' servers), one GitHub API
// server, and the files that point clients at them (.sandbox/kubeconfig and .sandbox/env; see claim-dir.ts for two
// sandboxes at once).

export const WORKLOAD_CLUSTERS = ["production", "staging"] as const;
export const MANAGEMENT_CLUSTER = "management";
export const SANDBOX_CLUSTERS = [...WORKLOAD_CLUSTERS, MANAGEMENT_CLUSTER] as const;

export interface SandboxOptions {
  /** Project root (holds config/sandbox). */
  root?: string;
  /** Where kubeconfig and env are written; default <root>/.sandbox. */
  outDir?: string;
  delays?: Partial<SimDelays>;
  /** First cluster's port; the next clusters (staging, management) take the next ports. 0 = random. */
  kubePort?: number;
  githubPort?: number;
  writeFiles?: boolean;
  /** What runs this sandbox ("npm run sandbox", "npm start"), recorded in outDir/owner.json while it runs. */
  owner?: string;
  /**
   * When another running sandbox owns outDir: "refuse" throws SandboxBusyError; "own-dir" (default) writes this
   * one's files under outDir/embedded/<pid>/ instead, so the other one's kubeconfig and env stay true.
   */
  whenBusy?: "refuse" | "own-dir";
  /**
   * Where the GitHub sandbox delivers webhooks, besides the URLs listed in <outDir>/webhook-urls (one a line, `#`
   * comments). `npm run sandbox` passes SANDBOX_WEBHOOK_URL; `npm start` adds its own endpoint once it listens.
   */
  webhookUrls?: string[];
  /** The GitHub sandbox's simulated CI (ci/image on pushed commits), or false. */
  ci?: SimulatedCiOptions | false;
  /**
   * Canary analysis: serve the running pods' request metrics and start a Prometheus (when installed) scraping
   * them every second; its URL is env.TUGBOAT_SANDBOX_PROMETHEUS_URL. Off by default (the tests start their own).
   */
  analysis?: boolean;
  /** The prometheus binary for analysis; default the one on PATH or /usr/bin; false: treat it as not installed. */
  prometheusBinary?: string | false;
}

/** The environment variable with the sandbox's Prometheus URL (loopback, port chosen at start). */
export const SANDBOX_PROMETHEUS_ENV = "TUGBOAT_SANDBOX_PROMETHEUS_URL";

/** The file in the sandbox directory that lists webhook URLs. */
export const WEBHOOK_URLS_FILE = "webhook-urls";

/** The URLs of a webhook-urls file: one a line, blank lines and `#` comments skipped. */
export function readWebhookUrls(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
}

export interface Sandbox {
  clusters: Record<string, KubeSandbox>;
  github: GithubSandbox;
  /** The test-control API (control.ts; README.md, "Test control"). */
  control: SandboxControl;
  kubeconfigPath: string;
  envPath: string;
  configPath: string;
  /** Environment variables that point Tugboat (and kubectl) at this sandbox. */
  env: Record<string, string>;
  /** Set when outDir belonged to another running sandbox, so this one's files are elsewhere (kubeconfigPath). */
  busy?: { dir: string; holder: SandboxOwner };
  /** With opts.analysis: the Prometheus scraping the pods' metrics, or why canary analysis is off. */
  analysis?: { prometheusUrl: string } | { off: string };
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const root = resolve(opts.root ?? ".");
  const claim: DirClaim | undefined =
    opts.writeFiles === false ? undefined : claimSandboxDir(opts.outDir ?? join(root, ".sandbox"), opts.owner ?? "a sandbox", opts.whenBusy ?? "own-dir");
  const outDir = claim?.dir ?? opts.outDir ?? join(root, ".sandbox");
  const clusters: Record<string, KubeSandbox> = {};
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    let port = opts.kubePort ?? 0;
    for (const name of SANDBOX_CLUSTERS) {
      const management = name === MANAGEMENT_CLUSTER;
      const c = await startKubeSandbox({
        clusterName: name,
        port,
        seedDir: join(root, "config/sandbox/kube", name),
        delays: opts.delays,
        ...(management ? { workloadClusters: Object.fromEntries(WORKLOAD_CLUSTERS.map((w) => [w, clusters[w]!])) } : {}),
      });
      clusters[name] = c;
      started.push(c);
      if (port !== 0) port++;
    }
    const github = await startGithubSandbox({
      port: opts.githubPort ?? 0,
      seedFile: join(root, "config/sandbox/github.yaml"),
      repoFilesDir: join(root, "config/sandbox/repos"),
      webhooks: { urls: [...(opts.webhookUrls ?? []), ...readWebhookUrls(join(opts.outDir ?? join(root, ".sandbox"), WEBHOOK_URLS_FILE))] },
      ci: opts.ci,
    });
    started.push(github);
    let analysis: Sandbox["analysis"];
    if (opts.analysis) {
      const metrics = await startPodMetrics({ clusters });
      started.push(metrics);
      const binary = opts.prometheusBinary === false ? undefined : (opts.prometheusBinary ?? findPrometheus());
      if (binary) {
        const prometheus = await startPrometheus([metrics.target], binary);
        started.push(prometheus);
        analysis = { prometheusUrl: prometheus.url };
      } else {
        analysis = { off: `canary analysis is off: ${PROMETHEUS_MISSING} and start again` };
      }
    }
    const kubeconfigPath = join(outDir, "kubeconfig");
    const envPath = join(outDir, "env");
    const configPath = join(root, "config/sandbox/tugboat.yaml");
    const env = {
      KUBECONFIG: kubeconfigPath,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: github.token,
      // What the sandbox signs its webhook deliveries with: a Tugboat started from this file verifies them.
      GITHUB_WEBHOOK_SECRET: github.webhooks.secret,
      TUGBOAT_CONFIG: configPath,
      // The sandbox config binds UADMIN to the admin role; a terminal started from this file acts as it.
      TUGBOAT_USER: "UADMIN",
      ...(analysis && "prometheusUrl" in analysis ? { [SANDBOX_PROMETHEUS_ENV]: analysis.prometheusUrl } : {}),
    };
    if (opts.writeFiles !== false) {
      mkdirSync(outDir, { recursive: true });
      writeKubeconfig(kubeconfigPath, SANDBOX_CLUSTERS.map((name) => ({ name, url: clusters[name]!.url })), "staging");
      writeFileSync(envPath, Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`).join("\n") + "\n");
      // Every sandbox identity's bearer token, in kube-apiserver's --token-auth-file format (docs/sandbox.md, RBAC).
      writeFileSync(join(outDir, "tokens.csv"), tokenFileLines().join("\n") + "\n", { mode: 0o600 });
    }
    return {
      clusters,
      github,
      control: sandboxControl({ clusters, github }),
      kubeconfigPath,
      envPath,
      configPath,
      env,
      ...(claim?.busy ? { busy: claim.busy } : {}),
      ...(analysis ? { analysis } : {}),
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
        claim?.release();
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    claim?.release();
    throw err;
  }
}
