/**
 * Keeps `npm run test:cluster` from rotting: it runs here against the embedded sandbox's kubeconfig (production as
 * the workload cluster, the management sandbox holding its Cluster API pools), and without the variable it must
 * skip, not fail.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, type Sandbox } from "@tugboat/sandbox";
import { TEST_DELAYS } from "@tugboat/sandbox/kube";

interface Run { code: number; output: string }

function testCluster(env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "test:cluster"], { env, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The environment without any TUGBOAT_E2E_* variable of the caller's. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TUGBOAT_E2E_")));
}

describe("npm run test:cluster", function () {
  this.timeout(180_000);
  let dir: string;
  let sandbox: Sandbox;
  // The three runs start together (each is mostly a child process starting up) and each test awaits its own.
  let runs: { skipped: Promise<Run>; failing: Promise<Run>; passing: Promise<Run> };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tugboat-test-cluster-"));
    sandbox = await startSandbox({ outDir: dir, delays: TEST_DELAYS });
    runs = {
      skipped: testCluster(baseEnv()),
      // No Cluster API pools for a cluster of this name: /nodes list's check fails after the other flows ran.
      failing: testCluster({ ...sandboxTarget(), TUGBOAT_E2E_CAPI_CLUSTER: "no-such-cluster" }),
      passing: testCluster(sandboxTarget()),
    };
  });
  const sandboxTarget = (): NodeJS.ProcessEnv => ({
    ...baseEnv(),
    TUGBOAT_E2E_KUBECONFIG: sandbox.kubeconfigPath,
    TUGBOAT_E2E_CONTEXT: "production",
    TUGBOAT_E2E_CAPI_CONTEXT: "management",
    TUGBOAT_E2E_CAPI_NAMESPACE: "default",
    TUGBOAT_E2E_CAPI_CLUSTER: "production",
  });
  const runOf = (output: string): string => {
    const run = /run (tbe2e-[0-9a-f]{8}) on context production/.exec(output)?.[1];
    if (!run) throw new Error(`no run id in the output:\n${output}`);
    return run;
  };
  /** The run's namespaces (its own and its review lab's) not being deleted. */
  const namespacesLeft = async (run: string): Promise<string[]> => {
    const list = (await (await fetch(`${sandbox.clusters.production!.url}/api/v1/namespaces`)).json()) as { items: Array<{ metadata: { name: string }; status?: { phase?: string } }> };
    return list.items.filter((n) => n.metadata.name.includes(run) && n.status?.phase !== "Terminating").map((n) => n.metadata.name);
  };

  after(async () => {
    if (runs) await Promise.all(Object.values(runs));
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("without TUGBOAT_E2E_KUBECONFIG: says why and leaves every flow pending, exit 0", async () => {
    const r = await runs.skipped;
    expect(r.code, r.output).to.equal(0);
    expect(r.output).to.contain("TUGBOAT_E2E_KUBECONFIG is not set");
    expect(r.output).to.match(/\b0 passing/);
    expect(r.output).to.match(/\b5 pending/);
  });

  it("a flow that fails makes the run fail, and its namespaces are removed all the same", async () => {
    const r = await runs.failing;
    expect(r.code, r.output).to.not.equal(0);
    expect(r.output).to.match(/\b4 passing/);
    expect(r.output).to.match(/\b1 failing/);
    expect(r.output).to.contain("MachineDeployments of Cluster no-such-cluster in default");
    const run = runOf(r.output);
    expect(await namespacesLeft(run)).to.deep.equal([]);
    // A failed run keeps Tugboat's log for the post-mortem.
    expect(existsSync(join(tmpdir(), `${run}.log`))).to.equal(true);
    rmSync(join(tmpdir(), `${run}.log`), { force: true });
  });

  it("against the sandbox's kubeconfig: every flow passes and the run's namespaces are gone", async () => {
    const r = await runs.passing;
    expect(r.code, r.output).to.equal(0);
    expect(r.output, r.output).to.match(/\b5 passing/);
    expect(r.output).to.not.match(/pending|failing/);
    const run = runOf(r.output);
    expect(await namespacesLeft(run)).to.deep.equal([]);
    expect(existsSync(join(tmpdir(), `${run}.log`)), "a passing run removes its log").to.equal(false);
  });
});
