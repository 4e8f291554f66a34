import { expect } from "chai";
import { execFile } from "node:child_process";
import { startSandbox, TEST_DELAYS, type Sandbox } from "@tugboat/sandbox";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The sandbox serves Istio's networking.istio.io/v1 VirtualService and DestinationRule as a cluster with Istio's
// CRDs does: listed by kubectl, applied server-side, the fields Tugboat writes typed (a wrong type is refused).

describe("sandbox: Istio VirtualService and DestinationRule", function () {
  this.timeout(20000);
  let sandbox: Sandbox;
  let dir: string;
  // Asynchronous: the sandbox answers from this process.
  const kubectl = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile("kubectl", ["--kubeconfig", sandbox.kubeconfigPath, "--context", "production", ...args], { encoding: "utf8" }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
      child.stdin?.end(input ?? "");
    });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tugboat-istio-"));
    sandbox = await startSandbox({ outDir: dir, delays: TEST_DELAYS });
  });
  after(async () => {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies a weighted VirtualService and subsets, readable with kubectl get virtualservice -o yaml", async () => {
    const dr = { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "unicorn", namespace: "github-production" }, spec: { host: "unicorn", subsets: [{ name: "stable", labels: { app: "unicorn" } }, { name: "canary", labels: { app: "unicorn", track: "canary" } }] } };
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "unicorn", namespace: "github-production" }, spec: { hosts: ["unicorn"], http: [{ name: "tugboat-canary", route: [{ destination: { host: "unicorn", subset: "stable" }, weight: 95 }, { destination: { host: "unicorn", subset: "canary" }, weight: 5 }] }] } };
    for (const o of [dr, vs]) await kubectl(["apply", "--server-side", "--field-manager=tugboat", "-f", "-"], JSON.stringify(o));
    const yaml = await kubectl(["get", "virtualservice", "unicorn", "-n", "github-production", "-o", "yaml"]);
    expect(yaml).to.match(/subset: canary\n\s+weight: 5/);
    expect((await kubectl(["get", "dr", "-n", "github-production", "-o", "name"])).trim()).to.equal("destinationrule.networking.istio.io/unicorn");
  });

  it("refuses a weight that is not an integer, as the CRD's schema does", async () => {
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "bad", namespace: "github-production" }, spec: { hosts: ["unicorn"], http: [{ route: [{ destination: { host: "unicorn" }, weight: "five" }] }] } };
    const refused = await kubectl(["create", "-f", "-"], JSON.stringify(vs)).then(() => undefined, (err: Error) => err.message);
    expect(refused).to.match(/weight|int32|cannot unmarshal/);
    expect(sandbox.control.cluster("production").objects.get({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: "github-production", name: "bad" })).to.equal(undefined);
  });
});
