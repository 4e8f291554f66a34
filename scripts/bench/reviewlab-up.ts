// Benchmark: `/reviewlab up` of a 50-service lab (50 Deployments, 50 Services, 50 ConfigMaps, plus the
// Namespace, Secret and Ingress Tugboat adds: 153 objects) through the router against the sandbox with every
// simulated delay at zero.
//
// The sandbox runs in a child process, so the time measured here is Tugboat's own (the sandbox's CPU, which
// is considerable when 50 Deployments roll, does not block Tugboat's event loop). Tugboat runs with the
// production wiring (buildApp, client-node and Octokit gateways over HTTP), as in the tests.
//
// In the same run and against the same sandbox, the real peer brings up the same lab: kubectl
// (/usr/bin/kubectl, the sandbox's kubeconfig, context staging) runs `kubectl create namespace`,
// `kubectl apply --server-side --field-manager=bench -f <dir>` of the very objects Tugboat applied (captured
// at the gateway's apply, Namespace left out, moved to namespace bench-kubectl-lab and written as YAML), then
// `kubectl wait --for=condition=Available deployment --all`; then an update round (the objects of Tugboat's
// update: new sha, so new image tag) with apply + wait. Each run is: Tugboat create, update, down; kubectl
// create, update, delete namespace; each lab is gone before the next starts. Requests are counted by the
// sandbox's request log (for both), and by Tugboat's gateway.
//   npx tsx scripts/bench/reviewlab-up.ts [--services 50] [--runs 5]
import { execFile, fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { stringify } from "yaml";
import type { KObject, KubeCluster, KubeGateway } from "../../src/gateways/types.js";

const REPO = "octo/github";
const BRANCH = "bench-lab";
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SERVICES = arg("services", 50);
const RUNS = arg("runs", 5);
const KUBECTL = "/usr/bin/kubectl";
const KUBECTL_NS = "bench-kubectl-lab";
const exec = promisify(execFile);

type ToChild =
  | { type: "prepare"; run: number }
  | { type: "reset" }
  | { type: "stats" }
  | { type: "gone"; namespace: string }
  | { type: "rollout"; namespace: string }
  | { type: "stop" };
type FromChild =
  | { type: "ready"; kubeconfigPath: string; githubUrl: string; token: string; configPath: string }
  | { type: "prepared"; sha: string }
  | { type: "stats"; kubeRequests: number; applyRequests: number; githubRequests: number; breakdown: string }
  | { type: "gone"; ms: number; ok: boolean }
  | { type: "rollout"; deployments: number; done: number }
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
  const { startSandbox } = await import("@tugboat/sandbox");
  const { ZERO_DELAYS } = await import("@tugboat/sandbox/kube");
  const { rolloutState } = await import("../../src/domain/rollout-status.js");
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
        breakdown: breakdown(kube.requests.log),
      });
    } else if (m.type === "gone") {
      // Waits until the namespace (and so everything in it) is gone from the store.
      const t0 = Date.now();
      while (kube.getObject("v1", "Namespace", undefined, m.namespace) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
      send({ type: "gone", ms: Date.now() - t0, ok: !kube.getObject("v1", "Namespace", undefined, m.namespace) });
    } else if (m.type === "rollout") {
      // How many Deployments of the namespace have completed their rollout (kubectl rollout status's rule).
      const deployments = kube.listObjects("apps/v1", "Deployment", m.namespace);
      send({ type: "rollout", deployments: deployments.length, done: deployments.filter((d) => rolloutState(d).phase === "done").length });
    } else if (m.type === "stop") {
      await sandbox.stop();
      rmSync(outDir, { recursive: true, force: true });
      send({ type: "done" });
      process.exit(0);
    }
  });
  send({ type: "ready", kubeconfigPath: sandbox.kubeconfigPath, githubUrl: sandbox.github.url, token: sandbox.github.token, configPath: sandbox.configPath });
}

/** "PATCH (apply) 152, GET 4, POST 1, watch 1": what kind of requests the log holds. */
function breakdown(log: Array<{ method: string; path: string; query?: string }>): string {
  const counts = new Map<string, number>();
  for (const r of log) {
    const k =
      r.method === "PATCH" && /fieldManager=/.test(r.query ?? "")
        ? "apply"
        : /(^|&)watch=(1|true)/.test(r.query ?? "")
          ? "watch"
          : r.method === "GET" && /^\/(api|apis)(\/[^/]+){0,2}$/.test(r.path) && !/\/namespaces/.test(r.path)
            ? "discovery"
            : r.path.startsWith("/openapi")
              ? "openapi"
              : r.method === "GET" && /\/namespaces\/[^/]+\/[^/]+$/.test(r.path)
                ? "list"
                : r.method;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(", ");
}

// ---------------------------------------------------------------- Tugboat (this process)

/** A gateway whose staging cluster records every object Tugboat applies (a copy, before it is sent). */
function capturingGateway(inner: KubeGateway, sink: { objects: KObject[] }): KubeGateway {
  const wrap = (cluster: KubeCluster): KubeCluster =>
    new Proxy(cluster, {
      get(target, prop) {
        if (prop === "apply") {
          return (res: Parameters<KubeCluster["apply"]>[0], obj: KObject, opts: Parameters<KubeCluster["apply"]>[2]) => {
            sink.objects.push(structuredClone(obj));
            return target.apply(res, obj, opts);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const staging = wrap(inner.cluster("staging"));
  // The benchmark's config has no impersonating cluster, so acting for someone changes nothing to record.
  const recording: KubeGateway = { clusterNames: () => inner.clusterNames(), cluster: (name) => (name === "staging" ? staging : inner.cluster(name)), actingFor: () => recording };
  return recording;
}

/** The objects Tugboat applied, as kubectl's input: no Namespace (kubectl creates it), moved to `namespace`. */
function writeKubectlDir(dir: string, objects: KObject[], namespace: string): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const docs = objects
    .filter((o) => o.kind !== "Namespace")
    .map((o) => {
      const copy = structuredClone(o);
      copy.metadata = { ...copy.metadata, namespace };
      return stringify(copy);
    });
  writeFileSync(join(dir, "lab.yaml"), docs.join("---\n"));
  return docs.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

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
  // The content policy allows 200 objects in one apply by default; the 500-object lab needs room.
  // The render budget (3 s of wall-clock time by default) is not what is measured: on a shared, loaded machine the
  // render worker gets a fraction of a core and 166 templates can take longer, which refuses the lab.
  if (config.reviewlab) config.reviewlab.content = { ...config.reviewlab.content, maxObjects: Math.max(config.reviewlab.content?.maxObjects ?? 200, SERVICES * 3 + 10), renderTimeoutSeconds: 30 };
  const secrets = new SecretRegistry();
  secrets.add(ready.token);
  const sink = new PassThrough();
  sink.resume();
  const logging = createLogging({ level: "info", secrets, stream: sink, auditStream: sink });
  const captured = { objects: [] as KObject[] };
  const kube = capturingGateway(createKubeGateway({ config, kubeconfigPath: ready.kubeconfigPath, timeoutMs: 10_000, log: logging.logger }), captured);
  const github = createGithubGateway({ baseUrl: ready.githubUrl, token: ready.token, log: logging.logger, retries: 0 });
  const app = buildApp({
    config,
    kube,
    github,
    log: logging.logger,
    audit: logging.audit,
    groups: { groupsOf: async () => new Set() },
    notifier: { post: async () => undefined, update: async () => "gone" },
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

  const workDir = mkdtempSync(join(tmpdir(), "tugboat-bench-kubectl-"));
  const cacheDir = join(workDir, "kubectl-cache");
  const kubectl = async (...args: string[]): Promise<number> => {
    const t0 = performance.now();
    await exec(KUBECTL, ["--kubeconfig", ready.kubeconfigPath, "--context", "staging", "--cache-dir", cacheDir, ...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    return performance.now() - t0;
  };
  const stats = async () => (await ask(child, { type: "stats" })) as Extract<FromChild, { type: "stats" }>;
  const rollout = async (namespace: string) => {
    const r = (await ask(child, { type: "rollout", namespace })) as Extract<FromChild, { type: "rollout" }>;
    return `${r.done}/${r.deployments}`;
  };
  const gone = async (namespace: string) => {
    const r = (await ask(child, { type: "gone", namespace })) as Extract<FromChild, { type: "gone" }>;
    if (!r.ok) throw new Error(`namespace ${namespace} still there after 60 s`);
    return r.ms;
  };
  const s2 = (ms: number) => Number((ms / 1000).toFixed(2));

  type Row = Record<string, string | number>;
  const tugboatRows: Row[] = [];
  const kubectlRows: Row[] = [];
  const downRows: Row[] = [];
  let labNamespace = "";
  const load0 = loadavg();
  try {
    // kubectl's discovery cache is warmed once (as on any workstation); Tugboat's gateway discovers in run 1.
    await kubectl("get", "namespaces");
    for (let i = 1; i <= RUNS; i++) {
      const applied: Record<"create" | "update", KObject[]> = { create: [], update: [] };
      // ---- Tugboat: create, update (new sha), down
      for (const [round, seq] of [["create", 2 * i - 1], ["update", 2 * i]] as const) {
        await ask(child, { type: "prepare", run: seq });
        await ask(child, { type: "reset" });
        captured.objects = [];
        const kubeBefore = kube.cluster("staging").requestCount;
        const ghBefore = github.requestCount;
        const cpu0 = process.cpuUsage();
        const r = await run(`/reviewlab up ${BRANCH}`);
        const cpu = process.cpuUsage(cpu0);
        if (r.final?.tone !== "success") throw new Error(`up failed: ${r.final?.summary}`);
        const st = await stats();
        applied[round] = captured.objects;
        labNamespace = captured.objects.find((o) => o.kind === "Namespace")?.metadata?.name ?? labNamespace;
        const objects = (/: (.*) \(/.exec(r.final.summary)?.[1] ?? "").split(", ").reduce((n, part) => n + Number(part.split(" ")[0]), 0);
        tugboatRows.push({
          run: i,
          round,
          objects,
          "to reply (s)": s2(r.toReply),
          "whole command (s)": s2(r.whole),
          "kube requests (gateway)": kube.cluster("staging").requestCount - kubeBefore,
          "kube requests (sandbox)": st.kubeRequests,
          "apply requests": st.applyRequests,
          "GitHub requests": github.requestCount - ghBefore,
          "Tugboat CPU (s)": Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
          "rolled out at reply": await rollout(labNamespace),
          breakdown: st.breakdown,
        });
      }
      const down = await run(`/reviewlab down ${BRANCH}`);
      downRows.push({ run: i, "to reply (s)": s2(down.toReply), "whole command (s)": s2(down.whole), "namespace gone after (s)": s2(await gone(labNamespace)) });

      // ---- kubectl: create namespace + apply + wait; apply + wait (update); delete namespace
      for (const round of ["create", "update"] as const) {
        const dir = join(workDir, `${round}-${i}`);
        const count = writeKubectlDir(dir, applied[round], KUBECTL_NS);
        await ask(child, { type: "reset" });
        const ns = round === "create" ? await kubectl("create", "namespace", KUBECTL_NS) : 0;
        const apply = await kubectl("apply", "--server-side", "--field-manager=bench", "-f", dir);
        const wait = await kubectl("wait", "--for=condition=Available", "deployment", "--all", "-n", KUBECTL_NS, "--timeout=60s");
        const st = await stats();
        kubectlRows.push({
          run: i,
          round,
          objects: count + 1,
          "create ns (s)": round === "create" ? s2(ns) : "",
          "apply (s)": s2(apply),
          "wait (s)": s2(wait),
          "total (s)": s2(ns + apply + wait),
          "kube requests (sandbox)": st.kubeRequests,
          "apply requests": st.applyRequests,
          "rolled out when wait returned": await rollout(KUBECTL_NS),
          breakdown: st.breakdown,
        });
      }
      await kubectl("delete", "namespace", KUBECTL_NS, "--wait=true");
      await gone(KUBECTL_NS);
      process.stderr.write(
        `run ${i}/${RUNS}: Tugboat ${tugboatRows.slice(-2).map((r) => r["to reply (s)"]).join(" / ")} s; kubectl ${kubectlRows.slice(-2).map((r) => r["total (s)"]).join(" / ")} s\n`,
      );
    }
  } finally {
    await app.stop();
    await logging.close();
    await ask(child, { type: "stop" }).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  console.table(tugboatRows.map(({ breakdown: _, ...r }) => r));
  console.table(kubectlRows.map(({ breakdown: _, ...r }) => r));
  console.table(downRows);
  for (const r of [...tugboatRows, ...kubectlRows]) console.log(`${tugboatRows.includes(r) ? "Tugboat" : "kubectl"} run ${r.run} ${r.round}: ${r.breakdown}`);

  const pick = (rows: Row[], round: string, col: string) => rows.filter((r) => r.round === round).map((r) => Number(r[col]));
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  const kubectlVersion = (await exec(KUBECTL, ["version", "--client"], { encoding: "utf8" }).catch(() => ({ stdout: "?" }))).stdout.split("\n")[0];
  const lines = [
    `${new Date().toISOString().slice(0, 10)}, ${RUNS} runs: Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model.trim() ?? "cpu"}, ${kubectlVersion} at ${KUBECTL}; load average at start ${load0.map((x) => x.toFixed(1)).join(" / ")}, at end ${load1.map((x) => x.toFixed(1)).join(" / ")}.`,
    "",
    "| measure (median) | Tugboat `/reviewlab up` (to reply) | kubectl create ns + apply + wait | ratio (Tugboat / kubectl) |",
    "|---|---|---|---|",
  ];
  for (const round of ["create", "update"] as const) {
    const t = median(pick(tugboatRows, round, "to reply (s)"));
    const k = median(pick(kubectlRows, round, "total (s)"));
    lines.push(`| ${round} | ${t.toFixed(2)} s | ${k.toFixed(2)} s | ${(t / k).toFixed(2)}× |`);
  }
  for (const round of ["create", "update"] as const) {
    lines.push(
      `| API requests, ${round} | ${median(pick(tugboatRows, round, "kube requests (sandbox)"))} (apply ${median(pick(tugboatRows, round, "apply requests"))}) | ${median(pick(kubectlRows, round, "kube requests (sandbox)"))} (apply ${median(pick(kubectlRows, round, "apply requests"))}) | |`,
    );
  }
  const km = (round: string, col: string) => median(pick(kubectlRows, round, col)).toFixed(2);
  lines.push(
    "",
    `kubectl's steps (median): create namespace ${km("create", "create ns (s)")} s; apply ${km("create", "apply (s)")} s (create), ${km("update", "apply (s)")} s (update); wait ${km("create", "wait (s)")} s (create), ${km("update", "wait (s)")} s (update).`,
  );
  for (const round of ["create", "update"] as const) {
    lines.push(`All runs, ${round} (s): Tugboat to reply ${fmt(pick(tugboatRows, round, "to reply (s)"))}; whole command ${fmt(pick(tugboatRows, round, "whole command (s)"))}; kubectl ${fmt(pick(kubectlRows, round, "total (s)"))} (apply ${fmt(pick(kubectlRows, round, "apply (s)"))}; wait ${fmt(pick(kubectlRows, round, "wait (s)"))}).`);
  }
  console.log(lines.join("\n"));

  const worst = Math.max(...tugboatRows.map((r) => Number(r["to reply (s)"])));
  const perObject = Math.max(...tugboatRows.map((r) => Number(r["apply requests"]) / Number(r.objects)));
  const med = Math.max(median(pick(tugboatRows, "create", "to reply (s)")), median(pick(tugboatRows, "update", "to reply (s)")));
  console.log(
    `target: lab ready and replied under 2 s (median ${med.toFixed(2)} s, worst ${worst.toFixed(2)} s), at most one apply request per object (worst ${perObject.toFixed(2)}): ${worst < 2 && perObject <= 1 ? "met" : med < 2 && perObject <= 1 ? "met by the median, not by every run" : "NOT met"}`,
  );
}

if (process.argv.includes("--sandbox-child")) await sandboxChild();
else await bench();
