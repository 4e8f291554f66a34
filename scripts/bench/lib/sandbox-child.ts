// The sandbox for the benchmarks, in a child process of its own so that its memory and CPU are not Tugboat's:
// the embedded sandbox (three Kubernetes API servers and GitHub, ZERO_DELAYS) plus `--pods N` bare pods in the
// staging cluster (in `--namespaces M` namespaces, already Running on a node, so that no controller works on them).
// Talks to its parent over IPC: "ready" with the sandbox's env, then answers "requests" and "reset".

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox } from "@tugboat/sandbox";
import { ZERO_DELAYS, type SimDelays } from "@tugboat/sandbox/kube";

export interface SandboxRequest {
  method: string;
  path: string;
  query: string;
  userAgent: string;
}

export type ChildMessage =
  | { type: "ready"; env: Record<string, string>; kubeconfigPath: string; configPath: string; pods: number }
  | { type: "requests"; cluster: string; log: SandboxRequest[] };

function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const pods = numberArg("pods", 0);
  const namespaces = Math.max(1, numberArg("namespaces", 50));
  const outDir = mkdtempSync(join(tmpdir(), "tugboat-bench-sandbox-"));
  const sandbox = await startSandbox({ root: process.cwd(), outDir, delays: ZERO_DELAYS, owner: "benchmark" });
  const staging = sandbox.clusters.staging!;
  const created = new Date(Date.now() - 3 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  for (let n = 0; n < (pods > 0 ? namespaces : 0); n++) {
    staging.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: `bench-${String(n).padStart(3, "0")}`, creationTimestamp: created } });
  }
  for (let i = 0; i < pods; i++) {
    const ns = `bench-${String(i % namespaces).padStart(3, "0")}`;
    staging.putObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `web-${String(i).padStart(6, "0")}-x7k2p`, namespace: ns, labels: { app: "web" }, creationTimestamp: created },
      spec: { nodeName: "ip-10-1-11-42.ec2.internal", containers: [{ name: "web", image: "registry.example.com/web:1.0" }] },
      status: {
        phase: "Running",
        podIP: `10.1.${(i >> 8) & 255}.${i & 255}`,
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [{ name: "web", ready: true, restartCount: 0, image: "registry.example.com/web:1.0", state: { running: { startedAt: created } } }],
      },
    });
  }
  process.on("message", (m: { cmd: string; cluster?: string; delays?: Partial<SimDelays> }) => {
    const cluster = sandbox.clusters[m.cluster ?? "staging"]!;
    if (m.cmd === "requests") {
      const log = cluster.requests.log.map((r) => ({ method: r.method, path: r.path, query: r.query ?? "", userAgent: r.userAgent ?? "" }));
      process.send!({ type: "requests", cluster: m.cluster ?? "staging", log } satisfies ChildMessage);
    }
    if (m.cmd === "reset") for (const c of Object.values(sandbox.clusters)) c.requests.reset();
    if (m.cmd === "delays") for (const c of Object.values(sandbox.clusters)) c.setDelays(m.delays ?? {});
  });
  process.on("disconnect", () => void sandbox.stop().then(() => process.exit(0)));
  process.send!({ type: "ready", env: sandbox.env, kubeconfigPath: sandbox.kubeconfigPath, configPath: sandbox.configPath, pods } satisfies ChildMessage);
}

main().catch((err) => {
  process.stderr.write(`bench sandbox failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
