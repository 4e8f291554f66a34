/**
 * dryRun=All as a real API server does it: validated, defaulted, answered with the would-be object, nothing
 * stored, no watch event, no controller reaction; and the real kubectl's `diff --server-side` and
 * `apply --server-side --dry-run=server` against the sandbox.
 */
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { deployment, KUBECTL, raw, startKubectlSandbox, type KubectlSandbox } from "./helpers.js";

const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;
const NS = "github-production";
const APPLY = "application/apply-patch+yaml";

const service = (name: string, port: number, targetPort: number) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: NS, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ name: "http", port, targetPort }] },
});

/** The cluster-wide resourceVersion: any stored write, by a client or a controller, moves it. */
async function clusterVersion(sb: KubeSandbox): Promise<string> {
  return (await raw(sb, "GET", "/api/v1/namespaces")).json.metadata.resourceVersion;
}

describe("kube sandbox: dryRun=All", function () {
  this.timeout(30_000);
  let sb: KubeSandbox;

  beforeEach(async () => {
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
  });
  afterEach(async () => sb && sb.stop());

  it("create, update, merge patch, apply and delete answer with the would-be object and store nothing", async () => {
    const rv = await clusterVersion(sb);
    const watch = new AbortController();
    const events: string[] = [];
    const stream = fetch(`${sb.url}/apis/apps/v1/namespaces/${NS}/deployments?watch=true&resourceVersion=${rv}`, { signal: watch.signal }).then(async (res) => {
      for await (const chunk of res.body as any) events.push(Buffer.from(chunk).toString());
    }).catch(() => undefined);

    const created = await raw(sb, "POST", `/apis/apps/v1/namespaces/${NS}/deployments?dryRun=All`, { body: deployment("web", NS) });
    expect(created.status).to.equal(201);
    expect(created.json.metadata.uid).to.be.a("string");
    expect(created.json.metadata.creationTimestamp).to.be.a("string");
    expect(created.json.metadata.resourceVersion).to.equal(undefined);
    expect(created.json.metadata.generation).to.equal(1);
    expect(created.json.spec.strategy).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    expect(created.json.spec.template.spec.containers[0].imagePullPolicy).to.equal("IfNotPresent");
    expect((await raw(sb, "GET", `/apis/apps/v1/namespaces/${NS}/deployments/web`)).status).to.equal(404);

    const live = (await raw(sb, "GET", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn`)).json;
    const put = structuredClone(live);
    put.spec.template.spec.containers[0].image = "registry.example.com/github:dry";
    const updated = await raw(sb, "PUT", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn?dryRun=All`, { body: put });
    expect(updated.status).to.equal(200);
    expect(updated.json.spec.template.spec.containers[0].image).to.equal("registry.example.com/github:dry");
    expect(updated.json.metadata.generation).to.equal(live.metadata.generation + 1);
    expect(updated.json.metadata.resourceVersion).to.equal(live.metadata.resourceVersion);

    const patched = await raw(sb, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn?dryRun=All`, { body: { spec: { replicas: 7 } }, contentType: "application/merge-patch+json" });
    expect(patched.json.spec.replicas).to.equal(7);

    const applied = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/services/consul-service-router?dryRun=All&fieldManager=tugboat&force=true`, { body: service("consul-service-router", 80, 8080), contentType: APPLY });
    expect(applied.status).to.equal(200);
    expect(applied.json.spec.ports).to.deep.equal([{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }]);
    expect(applied.json.metadata.managedFields.map((m: any) => `${m.manager}:${m.operation}`)).to.deep.equal(["before-first-apply:Update", "tugboat:Apply"]);

    const applyNew = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/services/admin?dryRun=All&fieldManager=tugboat`, { body: service("admin", 8081, 9000), contentType: APPLY });
    expect(applyNew.status).to.equal(201);
    expect(applyNew.json.spec.clusterIP).to.match(/^10\.96\./);

    const deleted = await raw(sb, "DELETE", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn?dryRun=All`);
    expect(deleted.status).to.equal(200);

    expect(await clusterVersion(sb)).to.equal(rv);
    const now = (await raw(sb, "GET", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn`)).json;
    expect(now).to.deep.equal(live);
    expect((await raw(sb, "GET", `/api/v1/namespaces/${NS}/services/admin`)).status).to.equal(404);
    expect((await raw(sb, "GET", `/api/v1/namespaces/${NS}/services/consul-service-router`)).json.spec.ports[0].targetPort).to.equal(8500);

    // The watch saw nothing of the dry runs: the first event it gets is a real write made afterwards.
    await raw(sb, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn`, { body: { metadata: { labels: { marker: "real" } } }, contentType: "application/merge-patch+json" });
    for (let i = 0; i < 100 && events.join("").indexOf("marker") < 0; i++) await new Promise((r) => setTimeout(r, 10));
    watch.abort();
    await stream;
    const seen = events.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(seen.length).to.be.greaterThan(0);
    expect(seen[0].object.metadata.labels.marker).to.equal("real");
    for (const e of seen) expect(e.object.metadata.name).to.not.equal("web");

    // Allocation reserves nothing: the real create gets the address the dry run showed.
    const real = await raw(sb, "PATCH", `/api/v1/namespaces/${NS}/services/admin?fieldManager=tugboat`, { body: service("admin", 8081, 9000), contentType: APPLY });
    expect(real.json.spec.clusterIP).to.equal(applyNew.json.spec.clusterIP);
  });

  it("refuses any dryRun value but All (422), writing nothing", async () => {
    const rv = await clusterVersion(sb);
    const r = await raw(sb, "POST", `/apis/apps/v1/namespaces/${NS}/deployments?dryRun=true`, { body: deployment("web", NS) });
    expect(r.status).to.equal(422);
    expect(r.json.message).to.equal('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"');
    expect(r.json.details).to.deep.equal({ group: "meta.k8s.io", kind: "CreateOptions", causes: [{ reason: "FieldValueNotSupported", message: 'Unsupported value: []string{"true"}: supported values: "All"', field: "dryRun" }] });
    const p = await raw(sb, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn?dryRun=All&dryRun=x`, { body: { spec: { replicas: 9 } }, contentType: "application/merge-patch+json" });
    expect(p.status).to.equal(422);
    expect(p.json.message).to.match(/^PatchOptions\.meta\.k8s\.io "" is invalid: dryRun: Unsupported value: \[\]string\{"All", "x"\}/);
    expect(await clusterVersion(sb)).to.equal(rv);
    // Reads ignore it, as the API server does.
    expect((await raw(sb, "GET", `/apis/apps/v1/namespaces/${NS}/deployments/unicorn?dryRun=x`)).status).to.equal(200);
  });

  it("a first apply to an object without managedFields conflicts with before-first-apply on changed values unless forced", async () => {
    const url = `/api/v1/namespaces/${NS}/services/consul-service-router?fieldManager=tugboat`;
    const refused = await raw(sb, "PATCH", url, { body: service("consul-service-router", 80, 8080), contentType: APPLY });
    expect(refused.status).to.equal(409);
    expect(refused.json.message).to.equal('Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .spec.ports[port=80].targetPort');
    const same = await raw(sb, "PATCH", url, { body: service("consul-service-router", 80, 8500), contentType: APPLY });
    expect(same.status).to.equal(200);
  });

  it("a list item a manager stops applying goes whole, key included", async () => {
    const url = `/api/v1/namespaces/${NS}/services/admin?fieldManager=tugboat`;
    await raw(sb, "PATCH", url, { body: service("admin", 8081, 9000), contentType: APPLY });
    const moved = await raw(sb, "PATCH", url, { body: service("admin", 9091, 9000), contentType: APPLY });
    expect(moved.json.spec.ports).to.deep.equal([{ name: "http", port: 9091, targetPort: 9000, protocol: "TCP" }]);
  });
});

describe("kube sandbox: the real kubectl's server-side diff and dry run", function () {
  this.timeout(60_000);
  let k: KubectlSandbox;
  let sb: KubeSandbox;
  let dir: string;
  const kubectl = (args: string[]) => k.kubectl(args);

  before(async function () {
    if (!KUBECTL) {
      console.log("    [skip] kubectl not found at /usr/bin/kubectl");
      this.skip();
    }
    k = await startKubectlSandbox({ clusterName: "production", seedDir: SEED, delays: TEST_DELAYS });
    ({ sb, dir } = k);
  });
  after(async () => k && k.stop());

  const manifest = (targetPort: number, secretUrl: string) => `apiVersion: v1
kind: Service
metadata:
  name: consul-service-router
  namespace: ${NS}
  labels:
    app: consul-service-router
spec:
  selector:
    app: consul-service-router
  ports:
    - name: http
      port: 80
      targetPort: ${targetPort}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: router-settings
  namespace: ${NS}
data:
  timeout: "30s"
---
apiVersion: v1
kind: Secret
metadata:
  name: unicorn-env
  namespace: ${NS}
stringData:
  DATABASE_URL: "${secretUrl}"
`;

  it("diff --server-side shows what an apply would change, masks Secret values and writes nothing", async () => {
    const f = join(dir, "router.yaml");
    writeFileSync(f, manifest(8080, "mysql://other"));
    const rv = await clusterVersion(sb);
    // As on a real server, the seeded objects' fields belong to before-first-apply: changing one needs --force-conflicts.
    const conflict = await kubectl(["diff", "--server-side", "-f", f]);
    expect(conflict.code, conflict.stderr).to.be.greaterThan(1);
    expect(conflict.stderr).to.include('conflict with "before-first-apply" using v1: .spec.ports[port=80].targetPort');
    const r = await kubectl(["diff", "--server-side", "--force-conflicts", "-f", f]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.match(/^-\s+targetPort: 8500$/m).and.match(/^\+\s+targetPort: 8080$/m);
    expect(r.stdout).to.match(/^\+kind: ConfigMap$/m).and.match(/^\+\s+timeout: 30s$/m);
    expect(r.stdout).to.include("-  DATABASE_URL: '*** (before)'").and.include("+  DATABASE_URL: '*** (after)'");
    expect(r.stdout).to.not.include("mysql://");
    expect(await clusterVersion(sb)).to.equal(rv);

    const unchanged = await kubectl(["diff", "--server-side", "-f", writeSame(dir)]);
    expect(unchanged.code, unchanged.stdout + unchanged.stderr).to.equal(0);
    expect(unchanged.stdout).to.equal("");
  });

  it("apply --server-side --dry-run=server reports what it would do and persists nothing", async () => {
    const f = join(dir, "router.yaml");
    writeFileSync(f, manifest(8080, "mysql://other"));
    const rv = await clusterVersion(sb);
    const r = await kubectl(["apply", "--server-side", "--force-conflicts", "--dry-run=server", "-f", f]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("service/consul-service-router serverside-applied (server dry run)").and.include("configmap/router-settings serverside-applied (server dry run)");
    expect(await clusterVersion(sb)).to.equal(rv);
    expect((await raw(sb, "GET", `/api/v1/namespaces/${NS}/configmaps/router-settings`)).status).to.equal(404);
    const out = await kubectl(["get", "svc", "consul-service-router", "-n", NS, "-o", "jsonpath={.spec.ports[0].targetPort}"]);
    expect(out.stdout).to.equal("8500");
  });
});

/** A manifest equal to what is live (the seeded unicorn Service as the seed wrote it). */
function writeSame(dir: string): string {
  const f = join(dir, "same.yaml");
  writeFileSync(f, `apiVersion: v1
kind: Service
metadata:
  name: unicorn
  namespace: ${NS}
spec:
  selector:
    app: unicorn
`);
  return f;
}
