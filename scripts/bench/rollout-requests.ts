// Benchmark: Kubernetes API requests Tugboat makes to follow a deploy's rollout, against `kubectl rollout status` on
// the same rollout, for 1, 10 and 50 Deployments, short and long rollouts, in the same run.
//
//   npm run bench:rollout [-- --sizes 1,10,50 --ready-ms 100,3000 --no-write]
//
// The sandbox runs in a child process (its pods become Ready --ready-ms after they start: a short and a long
// rollout). Per trial: a namespace with N Deployments (2 replicas, RollingUpdate) is created and left to roll out;
// then the request log is cleared, every Deployment gets a new image (the bench's own applies, not counted), and at
// once Tugboat's rollout follower (src/domain/deploy/followRollout, what /deploy and /canary wait with, over the
// production client-node gateway, discovery warm) and `kubectl rollout status deployment -l app=bench -n NS` follow
// it. Requests are told apart by User-Agent in the sandbox's request log.
// Results go to docs/benchmarks.md (section "## Requests per rollout").

import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { loadConfigFile } from "../../src/config/load-config.js";
import { systemClock } from "../../src/core/services.js";
import { followRollout } from "../../src/domain/deploy/follow-rollout.js";
import { createKubeGateway } from "../../src/gateways/kubernetes/create-kube-gateway.js";
import type { KObject, KubeCluster } from "../../src/gateways/types.js";
import { createLogging, SecretRegistry } from "../../src/infra/logging.js";
import { log, runFacts, startSandboxProcess, type SandboxProcess, runBenchmark } from "./lib/processes.js";
import type { SandboxRequest } from "./lib/sandbox-child.js";
import { publish } from "./lib/write-section.js";

const KUBECTL = "/usr/bin/kubectl";
function listArg(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]!.split(",").map(Number) : fallback;
}
const SIZES = listArg("sizes", [1, 10, 50]);
const READY_MS = listArg("ready-ms", [100, 3000]);

interface Trial {
  deployments: number;
  readyMs: number;
  tugboatSeconds: number;
  kubectlSeconds: number;
  tugboat: SandboxRequest[];
  kubectl: SandboxRequest[];
  outcome: string;
}

function deployment(name: string, namespace: string, image: string): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: "bench" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "bench", bench: name } },
      template: { metadata: { labels: { app: "bench", bench: name } }, spec: { containers: [{ name: "web", image }] } },
    },
  };
}

async function applyAll(cluster: KubeCluster, namespace: string, n: number, image: string): Promise<Map<string, number>> {
  const generations = new Map<string, number>();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const applied = await cluster.deployments.apply(deployment(`web-${String(i).padStart(2, "0")}`, namespace, image), { fieldManager: "bench", force: true });
      generations.set(applied.metadata!.name!, applied.metadata?.generation ?? 0);
    }),
  );
  return generations;
}

async function kubectlRolloutStatus(kubeconfig: string, namespace: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(KUBECTL, ["--kubeconfig", kubeconfig, "--context", "staging", "rollout", "status", "deployment", "-l", "app=bench", "-n", namespace, "--timeout=300s"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((r) => child.once("close", r));
  if (code !== 0) throw new Error(`kubectl rollout status failed (${code}): ${stderr.slice(0, 300)}`);
  return (performance.now() - t0) / 1000;
}

async function trial(sandbox: SandboxProcess, cluster: KubeCluster, n: number, readyMs: number): Promise<Trial> {
  const namespace = `roll-${n}-${readyMs}`;
  sandbox.setDelays({ podScheduleMs: 0, podReadyMs: readyMs, controllerTickMs: 10 });
  await cluster.namespaces.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: "bench" });
  const first = await applyAll(cluster, namespace, n, "registry.example.com/web:1");
  await followRollout({ cluster, namespace, deployments: first, timeoutMs: 300_000, clock: systemClock });

  sandbox.reset();
  await new Promise((r) => setTimeout(r, 200));
  const second = await applyAll(cluster, namespace, n, "registry.example.com/web:2");
  const t0 = performance.now();
  const [followed, kubectlSeconds] = await Promise.all([
    followRollout({ cluster, namespace, deployments: second, timeoutMs: 300_000, clock: systemClock }).then((o) => ({ o, s: (performance.now() - t0) / 1000 })),
    kubectlRolloutStatus(sandbox.kubeconfigPath, namespace),
  ]);
  await new Promise((r) => setTimeout(r, 300)); // let the follower's watches close
  const all = await sandbox.requests();
  const reads = all.filter((r) => r.method !== "PATCH");
  if (process.env.BENCH_TRACE) for (const r of reads) log(`${r.userAgent} ${r.method} ${r.path}?${r.query}`);
  return {
    deployments: n,
    readyMs,
    tugboatSeconds: followed.s,
    kubectlSeconds,
    tugboat: reads.filter((r) => r.userAgent.startsWith("tugboat")),
    kubectl: reads.filter((r) => r.userAgent.startsWith("kubectl")),
    outcome: followed.o.outcome,
  };
}

function describe(reqs: SandboxRequest[]): string {
  const watches = reqs.filter((r) => /(^|&)watch=(true|1)(&|$)/.test(r.query)).length;
  const lists = reqs.filter((r) => !/(^|&)watch=(true|1)(&|$)/.test(r.query) && /\/(deployments|pods|replicasets)$/.test(r.path)).length;
  const gets = reqs.length - watches - lists;
  return `${reqs.length} (${lists} list, ${watches} watch, ${gets} other)`;
}

async function main(): Promise<void> {
  const facts = runFacts();
  const loadBefore = facts.load();
  const sandbox = await startSandboxProcess(0);
  const sink = new PassThrough();
  sink.resume();
  const logging = createLogging({ level: "warn", secrets: new SecretRegistry(), stream: sink, auditStream: sink });
  const config = loadConfigFile(sandbox.configPath);
  const kube = createKubeGateway({ config, kubeconfigPath: sandbox.kubeconfigPath, timeoutMs: 10_000, log: logging.logger });
  const cluster = kube.cluster("staging");
  await cluster.discover();
  const trials: Trial[] = [];
  try {
    for (const n of SIZES) {
      for (const readyMs of READY_MS) {
        const t = await trial(sandbox, cluster, n, readyMs);
        trials.push(t);
        log(`${n} Deployments, pods ready after ${readyMs} ms: Tugboat ${t.tugboat.length} requests (${t.tugboatSeconds.toFixed(1)} s, ${t.outcome}); kubectl ${t.kubectl.length} (${t.kubectlSeconds.toFixed(1)} s)`);
      }
    }
  } finally {
    sandbox.stop();
  }
  const per = (x: number, n: number) => (x / n).toFixed(n === 1 ? 0 : 1);
  const rows = trials.map(
    (t) =>
      `| ${t.deployments} | ${t.readyMs} ms | ${t.tugboatSeconds.toFixed(1)} s | ${describe(t.tugboat)} | ${per(t.tugboat.length, t.deployments)} | ${t.kubectlSeconds.toFixed(1)} s | ${describe(t.kubectl)} | ${per(t.kubectl.length, t.deployments)} | ${(t.tugboat.length / Math.max(1, t.kubectl.length)).toFixed(2)}× |`,
  );
  const body = [
    `Latest run: ${facts.date}, commit ${facts.commit}, ${facts.machine}; load average (1/5/15 min) ${loadBefore} at the start, ${facts.load()} at the end. The machine was shared with other engineers' work while this ran; request counts do not depend on load, durations do.`,
    "",
    "`npm run bench:rollout`: the sandbox in a child process; per trial a namespace with N Deployments (2 replicas, RollingUpdate, pods Ready the given time after they start) rolls out once, then every Deployment gets a new image and Tugboat's rollout follower (`followRollout`, what `/deploy` and `/canary` wait with, over the client-node gateway with warm discovery) and `kubectl rollout status deployment -l app=bench` follow the same rollout at the same time. Requests are the sandbox's request log by User-Agent (the new-image applies left out).",
    "",
    "| Deployments | pods ready after | Tugboat: time | Tugboat: requests | per Deployment | kubectl: time | kubectl: requests | per Deployment | ratio (Tugboat / kubectl) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "Tugboat follows all of a rollout's Deployments with one list and one watch of the namespace's Deployments and one of its Pods (the watch events carry every change, so a longer rollout costs no more requests); `kubectl rollout status` handles Deployments one after the other, each with its own list and watch (and discovery).",
  ].join("\n");
  publish("## Requests per rollout", body);
  await logging.close();
}

runBenchmark(main);
