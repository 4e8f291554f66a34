// Benchmark: load on the embedded Kubernetes API sandbox (packages/sandbox/src/kube), in-process, ZERO_DELAYS.
//
//   npx tsx scripts/bench/sandbox-load.ts [--namespaces 50] [--pods 100] [--services 50] [--concurrency 8]
//
// 1. `putObject` 50 namespaces × 100 pods, time it and the time until every pod is Running;
// 2. server-side apply (HTTP PATCH application/apply-patch+yaml, bounded concurrency) 50 Deployments (1 replica),
//    50 Services and 50 ConfigMaps into a new namespace; time until every Deployment has completed its rollout;
// 3. repeat 2 twice with a changed image (an update).
// Prints a markdown table (wall time and process CPU; the sandbox runs in this process, so CPU is mostly the sandbox).

import { startKubeSandbox, ZERO_DELAYS } from "@tugboat/sandbox/kube";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const NAMESPACES = arg("namespaces", 50);
const PODS = arg("pods", 100);
const SERVICES = arg("services", 50);
const CONCURRENCY = arg("concurrency", 8);
const TIMEOUT_MS = arg("timeout", 300_000);

interface Row { step: string; requests: number; wallMs: number; cpuMs: number; note?: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

async function main(): Promise<void> {
  const sb = await startKubeSandbox({ clusterName: "bench", delays: ZERO_DELAYS });
  const rows: Row[] = [];
  try {
    // ---- 1. 50 namespaces × 100 pods through putObject
    const load = await timed(async () => {
      for (let n = 0; n < NAMESPACES; n++) {
        const ns = `bench-${String(n).padStart(2, "0")}`;
        sb.putObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
        for (let p = 0; p < PODS; p++) {
          sb.putObject({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `pod-${String(p).padStart(3, "0")}`, namespace: ns, labels: { app: `app-${p % 10}` } },
            spec: { containers: [{ name: "app", image: "nginx:1.25" }] },
          });
        }
      }
    });
    rows.push({ step: `putObject ${NAMESPACES} namespaces × ${PODS} pods`, requests: NAMESPACES * (PODS + 1), wallMs: load.wallMs, cpuMs: load.cpuMs });
    const settle = await timed(async () => {
      // check one namespace at a time (a namespace once all Running stays so), so polling stays cheap
      const end = Date.now() + TIMEOUT_MS;
      for (let n = 0; n < NAMESPACES; ) {
        const pods = sb.listObjects("v1", "Pod", `bench-${String(n).padStart(2, "0")}`);
        if (pods.length >= PODS && pods.every((p) => p.status?.phase === "Running")) {
          n++;
          continue;
        }
        if (Date.now() > end) throw new Error("timed out waiting for the pods to run");
        await sleep(20);
      }
    });
    rows.push({ step: `… until all ${NAMESPACES * PODS} pods are Running`, requests: 0, wallMs: settle.wallMs, cpuMs: settle.cpuMs });

    // ---- 2./3. server-side apply 150 objects, then update the images twice
    const ns = "bench-apply";
    const apply = async (path: string, obj: unknown): Promise<void> => {
      const res = await fetch(`${sb.url}${path}?fieldManager=bench&force=true`, {
        method: "PATCH",
        headers: { "Content-Type": "application/apply-patch+yaml", Accept: "application/json" },
        body: JSON.stringify(obj),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    };
    await apply(`/api/v1/namespaces/${ns}`, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const objects = (image: string): Array<[string, unknown]> => {
      const out: Array<[string, unknown]> = [];
      for (let i = 0; i < SERVICES; i++) {
        const name = `svc-${String(i).padStart(2, "0")}`;
        out.push([`/api/v1/namespaces/${ns}/configmaps/${name}`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { "app.conf": `name=${name}\n` } }]);
        out.push([`/apis/apps/v1/namespaces/${ns}/deployments/${name}`, {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name, namespace: ns, labels: { app: name } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image, ports: [{ containerPort: 8080 }] }] } },
          },
        }]);
        out.push([`/api/v1/namespaces/${ns}/services/${name}`, { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } }]);
      }
      return out;
    };
    const rolledOut = (image: string): boolean => {
      const ds = sb.listObjects("apps/v1", "Deployment", ns);
      if (ds.length < SERVICES) return false;
      return ds.every((d) => {
        const s = d.status ?? {};
        return d.spec.template.spec.containers[0].image === image && (s.observedGeneration ?? 0) >= d.metadata.generation
          && s.updatedReplicas === 1 && s.replicas === 1 && s.availableReplicas === 1;
      });
    };
    for (const [label, image] of [["create", "registry.example.com/app:v1"], ["update (image v2)", "registry.example.com/app:v2"], ["update (image v3)", "registry.example.com/app:v3"]] as const) {
      const objs = objects(image);
      let appliedMs = 0;
      const r = await timed(async () => {
        const t0 = performance.now();
        await pool(objs, CONCURRENCY, ([path, obj]) => apply(path, obj));
        appliedMs = performance.now() - t0;
        const end = Date.now() + TIMEOUT_MS;
        while (!rolledOut(image)) {
          if (Date.now() > end) throw new Error(`timed out waiting for the rollout of ${image}`);
          await sleep(5);
        }
      });
      rows.push({ step: `SSA ${objs.length} objects, ${label}, until all Deployments available`, requests: objs.length, wallMs: r.wallMs, cpuMs: r.cpuMs, note: `applies done at ${(appliedMs / 1000).toFixed(2)} s` });
    }
  } finally {
    await sb.stop();
  }
  console.log(`Node ${process.version}; ${NAMESPACES} × ${PODS} pods; SSA concurrency ${CONCURRENCY}\n`);
  console.log("| step | requests | wall time | process CPU | note |\n|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.step} | ${r.requests || ""} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.cpuMs / 1000).toFixed(2)} s | ${r.note ?? ""} |`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
