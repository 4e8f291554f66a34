// Benchmark: `/reviewlab up` of a 50-service lab (50 Deployments, 50 Services, 50 ConfigMaps, plus the
// Namespace, Secret and Ingress Tugboat adds: 153 objects) through the router against the sandbox with every
// simulated delay at zero.
//
// The sandbox runs in a child process, so the time measured here is Tugboat's own (the sandbox's CPU, which
// is considerable when 50 Deployments roll, does not block Tugboat's event loop). Tugboat runs with the
// production wiring (buildApp, client-node and Octokit gateways over HTTP), as in the tests.
//   npx tsx scripts/bench/reviewlab-up.ts [--services 50] [--runs 3]
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const REPO = "octo/github";
const BRANCH = "bench-lab";
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SERVICES = arg("services", 50);
const RUNS = arg("runs", 3);

type ToChild = { type: "prepare"; run: number } | { type: "reset" } | { type: "stats" } | { type: "stop" };
type FromChild =
  | { type: "ready"; kubeconfigPath: string; githubUrl: string; token: string; configPath: string }
  | { type: "prepared"; sha: string }
  | { type: "stats"; kubeRequests: number; applyRequests: number; githubRequests: number }
  | { type: "done" };

function serviceTemplate(i: number): string {
  const name = `svc-${String(i).padStart(2, "0")}`;
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  labels: { app: ${name}, review-lab: {{slug}} }
data:
  BRANCH: {{branch}}
  GIT_SHA: {{sha}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: { app: ${name}, review-lab: {{slug}} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name}, review-lab: {{slug}} }
    spec:
      containers:
        - name: ${name}
          image: {{image}}
          envFrom: [{ configMapRef: { name: ${name}-config } }, { secretRef: { name: {{secretName}} } }]
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels: { app: ${name}, review-lab: {{slug}} }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`;
}

// ---------------------------------------------------------------- the sandbox process

async function sandboxChild(): Promise<void> {
  const { startSandbox } = await import("../../src/sandbox/index.js");
  const { ZERO_DELAYS } = await import("../../src/sandbox/kube/index.js");
  const outDir = mkdtempSync(join(tmpdir(), "tugboat-bench-"));
  const sandbox = await startSandbox({ outDir, delays: ZERO_DELAYS });
  const store = sandbox.github.store;
  const kube = sandbox.clusters.staging!;
  const send = (m: FromChild) => process.send!(m);
  process.on("message", async (m: ToChild) => {
    if (m.type === "prepare") {
      // Each run pushes a new commit to the branch: the first creates the lab, later ones update it in place.
      const sha = m.run.toString(16).padStart(2, "0").repeat(20);
      store.addCommit(REPO, { sha, message: `bench ${m.run}` });
      store.setBranch(REPO, BRANCH, sha);
      store.setStatus(REPO, sha, "ci/image", "success");
      for (const f of ["configmap.yaml", "unicorn.yaml", "unicorn-api.yaml"]) store.removeFile(REPO, sha, `config/kubernetes/review-lab/${f}`);
      for (let i = 0; i < SERVICES; i++) store.setFile(REPO, sha, `config/kubernetes/review-lab/svc-${String(i).padStart(2, "0")}.yaml`, serviceTemplate(i));
      send({ type: "prepared", sha });
    } else if (m.type === "reset") {
      kube.requests.reset();
      sandbox.github.requests.reset();
      send({ type: "done" });
    } else if (m.type === "stats") {
      send({
        type: "stats",
        kubeRequests: kube.requests.total,
        applyRequests: kube.requests.log.filter((r) => r.method === "PATCH" && /fieldManager=/.test(r.query ?? "")).length,
        githubRequests: sandbox.github.requests.total,
      });
    } else if (m.type === "stop") {
      await sandbox.stop();
      rmSync(outDir, { recursive: true, force: true });
      send({ type: "done" });
      process.exit(0);
    }
  });
  send({ type: "ready", kubeconfigPath: sandbox.kubeconfigPath, githubUrl: sandbox.github.url, token: sandbox.github.token, configPath: sandbox.configPath });
}

// ---------------------------------------------------------------- Tugboat (this process)

function ask(child: ChildProcess, msg: ToChild): Promise<FromChild> {
  return new Promise((resolve) => {
    child.once("message", (m: FromChild) => resolve(m));
    child.send(msg);
  });
}

async function bench(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--sandbox-child", "--services", String(SERVICES)], { execArgv: ["--import", "tsx", ...(process.env.BENCH_CHILD_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`] : [])] });
  const ready = await new Promise<FromChild>((resolve, reject) => {
    child.once("message", (m: FromChild) => resolve(m));
    child.once("exit", (code) => reject(new Error(`sandbox process exited (${code})`)));
  });
  if (ready.type !== "ready") throw new Error("sandbox did not start");

  const { buildApp } = await import("../../src/app.js");
  const { loadConfigFile } = await import("../../src/config/load-config.js");
  const { createLogging, SecretRegistry } = await import("../../src/infra/logging.js");
  const { createKubeGateway } = await import("../../src/gateways/kubernetes/create-kube-gateway.js");
  const { createGithubGateway } = await import("../../src/gateways/github/create-github-gateway.js");
  const config = loadConfigFile(ready.configPath);
  const secrets = new SecretRegistry();
  secrets.add(ready.token);
  const sink = new PassThrough();
  sink.resume();
  const logging = createLogging({ level: "info", secrets, stream: sink, auditStream: sink });
  const kube = createKubeGateway({ config, kubeconfigPath: ready.kubeconfigPath, timeoutMs: 10_000, log: logging.logger });
  const github = createGithubGateway({ baseUrl: ready.githubUrl, token: ready.token, log: logging.logger, retries: 0 });
  const app = buildApp({
    config,
    kube,
    github,
    log: logging.logger,
    audit: logging.audit,
    groups: { groupsOf: async () => new Set() },
    notifier: { post: async () => {} },
    background: false,
  });

  const run = async (text: string) => {
    const t0 = performance.now();
    let finalAt = 0;
    let final: { summary: string; tone?: string } | undefined;
    await app.router.handle(
      {
        actor: { id: "UDEPLOYER" },
        channel: { id: "CBENCH" },
        reply: {
          send: async (r) => {
            if (process.env.BENCH_TRACE) {
              const p = r.blocks.find((b) => b.type === "progress") as any;
              console.log(((performance.now() - t0) / 1000).toFixed(2), p ? p.items.map((x: any) => `${x.state}${x.detail ? `(${x.detail})` : ""}`).join(" | ") : r.summary);
            }
            if (r.tone !== "info" && !final) finalAt = performance.now();
            if (r.tone !== "info") final = r;
          },
          permalink: async () => "https://slack.example.com/archives/CBENCH/p1",
        },
        whisper: async (r) => void (final = r),
        confirm: async () => "confirmed",
      },
      text,
    );
    return { final, toReply: finalAt - t0, whole: performance.now() - t0 };
  };

  const rows: Array<Record<string, string | number>> = [];
  try {
    for (let i = 1; i <= RUNS; i++) {
      await ask(child, { type: "prepare", run: i });
      await ask(child, { type: "reset" });
      const kubeBefore = kube.cluster("staging").requestCount;
      const ghBefore = github.requestCount;
      const cpu0 = process.cpuUsage();
      const r = await run(`/reviewlab up ${BRANCH}`);
      const cpu = process.cpuUsage(cpu0);
      if (r.final?.tone !== "success") throw new Error(`up failed: ${r.final?.summary}`);
      const stats = (await ask(child, { type: "stats" })) as Extract<FromChild, { type: "stats" }>;
      const objects = (/: (.*) \(/.exec(r.final.summary)?.[1] ?? "").split(", ").reduce((n, part) => n + Number(part.split(" ")[0]), 0);
      rows.push({
        run: i === 1 ? "create" : "update (new sha)",
        objects,
        "to reply (s)": Number((r.toReply / 1000).toFixed(2)),
        "whole command (s)": Number((r.whole / 1000).toFixed(2)),
        "kube requests": kube.cluster("staging").requestCount - kubeBefore,
        "apply requests": stats.applyRequests,
        "GitHub requests": github.requestCount - ghBefore,
        "Tugboat CPU (s)": Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      });
    }
    const down = await run(`/reviewlab down ${BRANCH}`);
    rows.push({ run: "down", "to reply (s)": Number((down.toReply / 1000).toFixed(2)), "whole command (s)": Number((down.whole / 1000).toFixed(2)) });
  } finally {
    await app.stop();
    await logging.close();
    await ask(child, { type: "stop" }).catch(() => undefined);
  }
  console.table(rows);
  const ups = rows.filter((r) => r.run !== "down");
  const worst = Math.max(...ups.map((r) => Number(r["to reply (s)"])));
  const perObject = Math.max(...ups.map((r) => Number(r["apply requests"]) / Number(r.objects)));
  console.log(
    `target: lab ready and replied under 2 s (worst ${worst.toFixed(2)} s), at most one apply request per object (worst ${perObject.toFixed(2)}): ${worst < 2 && perObject <= 1 ? "met" : "NOT met"}`,
  );
}

if (process.argv.includes("--sandbox-child")) await sandboxChild();
else await bench();
