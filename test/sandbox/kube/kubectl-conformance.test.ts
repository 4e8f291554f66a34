/**
 * Drives the REAL kubectl (/usr/bin/kubectl, 1.32) against the embedded API sandbox.
 * Never uses --validate=false; skips only when kubectl is not installed.
 */
import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeSandbox, TEST_DELAYS, type KubeSandbox } from "@tugboat/sandbox/kube";
import { writeKubeconfig } from "@tugboat/sandbox/kubeconfig";
import { capiSeedFor } from "./helpers.js";
import { eventually } from "../../helpers/manual-clock.js";

const KUBECTL = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((p) => existsSync(p));
const SEED = new URL("../../../config/sandbox/kube/production", import.meta.url).pathname;

interface Run { code: number; stdout: string; stderr: string }

function headerOf(out: string): string[] {
  return out.split("\n")[0].trim().split(/\s{2,}/);
}

describe("kube sandbox: real kubectl conformance", function () {
  this.timeout(60_000);
  let sb: KubeSandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const kubectl = (args: string[], timeoutMs = 30_000): Promise<Run> =>
    new Promise((resolve) => {
      execFile(KUBECTL!, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
        const code = err ? ((err as any).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  before(async function () {
    if (!KUBECTL) {
      console.log("    [skip] kubectl not found at /usr/bin/kubectl — the kubectl conformance suite needs the real binary (.ci/run installs it)");
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "kube-sandbox-kubectl-"));
    // A self-managed production: its MachineDeployments and Machines (in the management seed) live with its Nodes.
    sb = await startKubeSandbox({ clusterName: "production", seedDir: SEED, objects: capiSeedFor("production"), delays: TEST_DELAYS });
    const kc = join(dir, "kubeconfig");
    writeKubeconfig(kc, [{ name: "production", url: sb.url }], "production");
    env = { ...process.env, KUBECONFIG: kc, KUBECACHEDIR: join(dir, "cache"), HOME: dir };
  });

  after(async () => {
    if (sb) await sb.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("get namespaces", async () => {
    const out = await ok(["get", "namespaces"]);
    expect(headerOf(out)).to.deep.equal(["NAME", "STATUS", "AGE"]);
    expect(out).to.match(/github-production\s+Active\s+\d+d/);
    expect(out).to.match(/kube-system\s+Active/);
  });

  it("get pods -A", async () => {
    const out = await ok(["get", "pods", "-A"]);
    expect(headerOf(out)).to.deep.equal(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    const unicorn = out.split("\n").filter((l) => /\sunicorn-[a-z0-9]+-[a-z0-9]{5}\s/.test(l));
    expect(unicorn).to.have.length(3);
    for (const l of unicorn) expect(l).to.match(/github-production\s+unicorn-\S+\s+2\/2\s+Running\s+0\s+\d+d/);
  });

  it("get deployments -o wide", async () => {
    const out = await ok(["get", "deployments", "-n", "github-production", "-o", "wide"]);
    expect(headerOf(out)).to.deep.equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
    expect(out).to.match(/unicorn\s+3\/3\s+3\s+3\s+\S+\s+unicorn,statsd\s+registry\.example\.com\/github:0c6121e4cc22cb1339ba8e9694640db55a1c1b31,prom\/statsd-exporter:v0\.26\.0\s+app=unicorn/);
  });

  it("get nodes", async () => {
    const out = await ok(["get", "nodes"]);
    expect(headerOf(out)).to.deep.equal(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    const rows = out.trim().split("\n").slice(1);
    expect(rows).to.have.length(4);
    for (const r of rows) expect(r).to.match(/^ip-\S+\s+Ready\s+worker\s+\S+\s+v1\.32\.4$/);
    const wide = await ok(["get", "nodes", "-o", "wide"]);
    expect(headerOf(wide)).to.deep.equal(["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]);
    const md = await ok(["get", "md", "-n", "default"]);
    expect(md).to.match(/general\s+production\s+3\s+3\s+3\s+0\s+Running/);
  });

  it("create namespace + delete namespace (waits until gone)", async () => {
    expect(await ok(["create", "namespace", "conformance-tmp"])).to.contain("namespace/conformance-tmp created");
    expect(await ok(["get", "namespace", "conformance-tmp"])).to.match(/conformance-tmp\s+Active/);
    await ok(["create", "configmap", "cm1", "-n", "conformance-tmp", "--from-literal=a=b"]);
    expect(await ok(["delete", "namespace", "conformance-tmp"])).to.contain('namespace "conformance-tmp" deleted');
    const r = await kubectl(["get", "namespace", "conformance-tmp"]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('namespaces "conformance-tmp" not found');
  });

  const manifest = (replicas: number, image: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: conformance
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: conformance
  labels: {app: web}
spec:
  replicas: ${replicas}
  progressDeadlineSeconds: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: conformance
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;

  it("apply --server-side -f and apply -f (Deployment + Service) without --validate=false", async () => {
    const f = join(dir, "web.yaml");
    writeFileSync(f, manifest(3, "nginx:1.25"));
    const ssa = await ok(["apply", "--server-side", "-f", f]);
    expect(ssa).to.contain("deployment.apps/web serverside-applied");
    expect(ssa).to.contain("service/web serverside-applied");
    await ok(["rollout", "status", "deployment/web", "-n", "conformance", "--timeout=20s"]);
    const svc = await ok(["get", "svc", "web", "-n", "conformance"]);
    expect(headerOf(svc)).to.deep.equal(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
    expect(svc).to.match(/web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP/);
    writeFileSync(f, manifest(2, "nginx:1.25"));
    const csa = await ok(["apply", "-f", f]);
    expect(csa).to.contain("deployment.apps/web configured");
    await ok(["rollout", "status", "deployment/web", "-n", "conformance", "--timeout=20s"]);
    expect(await ok(["get", "deploy", "web", "-n", "conformance"])).to.match(/web\s+2\/2\s+2\s+2/);
    const again = await ok(["apply", "--server-side", "--force-conflicts", "-f", f]);
    expect(again).to.contain("deployment.apps/web serverside-applied");
  });

  it("set image then rollout status completes", async () => {
    await ok(["set", "image", "deployment/web", "web=nginx:1.26", "-n", "conformance"]);
    const out = await ok(["rollout", "status", "deployment/web", "-n", "conformance", "--timeout=20s"]);
    expect(out).to.contain('deployment "web" successfully rolled out');
    expect(await ok(["get", "deploy", "web", "-n", "conformance", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).to.equal("nginx:1.26");
  });

  it("a broken image makes rollout status fail", async () => {
    await ok(["set", "image", "deployment/web", "web=registry.example.com/github:0da8a4352f6e38c3291ab8bf29fc4c9bcf1a4ceb", "-n", "conformance"]);
    const r = await kubectl(["rollout", "status", "deployment/web", "-n", "conformance", "--timeout=15s"]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('deployment "web" exceeded its progress deadline');
    const pods = await ok(["get", "pods", "-n", "conformance"]);
    expect(pods).to.contain("ImagePullBackOff");
  });

  it("rollout undo restores the previous template and completes", async () => {
    expect(await ok(["rollout", "undo", "deployment/web", "-n", "conformance"])).to.contain("rolled back");
    await ok(["rollout", "status", "deployment/web", "-n", "conformance", "--timeout=20s"]);
    expect(await ok(["get", "deploy", "web", "-n", "conformance", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).to.equal("nginx:1.26");
    const rs = await ok(["get", "rs", "-n", "conformance", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}@{.metadata.annotations.deployment\\.kubernetes\\.io/revision}{\"\\n\"}{end}"]);
    const rows = rs.trim().split("\n");
    // undo reuses the nginx:1.26 ReplicaSet and gives it the newest revision
    expect(rows.length).to.equal(3);
    const active = rows.filter((r) => !/=0@/.test(r));
    expect(active).to.have.length(1);
    expect(active[0]).to.match(/@4$/);
  });

  it("scale", async () => {
    expect(await ok(["scale", "deployment/web", "--replicas=4", "-n", "conformance"])).to.contain("deployment.apps/web scaled");
    await ok(["rollout", "status", "deployment/web", "-n", "conformance", "--timeout=20s"]);
    expect(await ok(["get", "deploy", "web", "-n", "conformance"])).to.match(/web\s+4\/4\s+4\s+4/);
  });

  it("get -w shows changes made meanwhile", async () => {
    const child = spawn(KUBECTL!, ["get", "deployments", "-n", "conformance", "-w"], { env });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (out += String(d)));
    // Scale once kubectl has listed (its watch starts from that list's version), and stop once it has shown 1/1:
    // fixed sleeps either raced kubectl's start on a loaded machine or waited longer than needed.
    await eventually("kubectl's first listing", () => /^web\s+4\/4/m.test(out), 15_000);
    await ok(["scale", "deployment/web", "--replicas=1", "-n", "conformance"]);
    await eventually("kubectl showing web at 1/1", () => /\nweb\s+1\/1\s+1\s+1[^\n]*\n$/.test(out), 15_000);
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    const lines = out.trim().split("\n");
    expect(headerOf(out)).to.deep.equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(lines[1]).to.match(/^web\s+4\/4/);
    expect(lines.length).to.be.greaterThan(2);
    expect(lines[lines.length - 1]).to.match(/^web\s+1\/1\s+1\s+1/);
  });

  it("logs", async () => {
    const out = await ok(["logs", "deployment/web", "-n", "conformance"]);
    expect(out).to.contain("starting web (image nginx:1.26)");
    const pod = (await ok(["get", "pods", "-n", "github-production", "-l", "app=unicorn", "-o", "name"])).trim().split("\n")[0];
    const tail = await ok(["logs", pod, "-n", "github-production", "-c", "unicorn", "--tail=3"]);
    expect(tail.trim().split("\n")).to.have.length(3);
    const ts = await ok(["logs", pod, "-n", "github-production", "-c", "statsd", "--timestamps", "--tail=1"]);
    expect(ts).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
  });

  it("invalid objects are rejected with kubectl's usual messages (apply --server-side and apply)", async () => {
    const f = join(dir, "invalid.yaml");
    const dep = (extra: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: conformance}\nspec:\n  selector: {matchLabels: {app: bad}}\n  template:\n    metadata: {labels: {app: bad}}\n    spec:\n      containers: [{name: app, image: nginx, ${extra}}]\n`;
    writeFileSync(f, dep("imagePullPolicy: Sometimes"));
    const ssa = await kubectl(["apply", "--server-side", "-f", f]);
    expect(ssa.code).to.equal(1);
    expect(ssa.stderr.trim()).to.equal('The Deployment "bad" is invalid: spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"');
    writeFileSync(f, dep("ports: [{containerPort: \"8080\"}]"));
    const csa = await kubectl(["apply", "-f", f]);
    expect(csa.stderr.trim()).to.equal(`Error from server (BadRequest): error when creating "${f}": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32`);
    writeFileSync(f, dep("imagePullPolicy: Always, foo: 1"));
    const strict = await kubectl(["apply", "-f", f]);
    expect(strict.stderr.trim()).to.equal(`Error from server (BadRequest): error when creating "${f}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].foo"`);
    const undeclared = await kubectl(["apply", "--server-side", "-f", f]);
    expect(undeclared.stderr.trim()).to.equal('Error from server: failed to create typed patch object (conformance/bad; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].foo: field not declared in schema');
    writeFileSync(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: port, namespace: conformance}\ndata: {PORT: 8080}\n");
    const cm = await kubectl(["apply", "-f", f]);
    expect(cm.stderr.trim()).to.equal(`Error from server (BadRequest): error when creating "${f}": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string`);
    const immutable = await kubectl(["patch", "deployment/web", "-n", "conformance", "-p", '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}']);
    expect(immutable.stderr.trim()).to.equal('The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
    expect((await kubectl(["get", "deployment/bad", "-n", "conformance"])).code).to.equal(1);
  });

  it("api-versions lists both autoscaling versions and both Cluster API versions", async () => {
    const versions = (await ok(["api-versions"])).trim().split("\n");
    expect(versions).to.include.members(["autoscaling/v1", "autoscaling/v2", "cluster.x-k8s.io/v1beta1", "cluster.x-k8s.io/v1beta2"]);
  });

  it("explain deployment.spec.replicas", async () => {
    const out = await ok(["explain", "deployment.spec.replicas"]);
    expect(out).to.match(/GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
    expect(out).to.contain("FIELD: replicas <integer>");
    expect(out).to.match(/DESCRIPTION:\n\s+Number of desired pods\./);
    const enumField = await ok(["explain", "deployment.spec.template.spec.containers.imagePullPolicy"]);
    expect(enumField).to.contain("FIELD: imagePullPolicy <string>");
  });
});
