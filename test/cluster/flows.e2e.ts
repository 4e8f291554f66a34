/**
 * `npm run test:cluster`: Tugboat's end-to-end flows through the router (buildApp, the real gateways) against the
 * cluster TUGBOAT_E2E_KUBECONFIG points at (kind or k3d, see docs/testing.md); GitHub is the embedded sandbox
 * serving a generated repository. Skipped (pending, exit 0) when the variable is unset. The run creates its own
 * labelled namespaces and removes them afterwards, failed or not (and any a killed run left over an hour ago).
 */
import { expect } from "chai";
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGatewayError, type KubeCluster } from "../../src/gateways/types.js";
import type { V1Deployment } from "../../src/gateways/kube-models.js";
import { poolName } from "../../src/domain/nodes/describe-pool.js";
import { labNamespace } from "../../src/domain/reviewlab/make-slug.js";
import type { Transcript } from "../helpers/harness.js";
import { startE2eHarness, type E2eHarness } from "./e2e-harness.js";
import { DEFAULT_IMAGE_REPOSITORY, E2E_REPO, E2E_SHAS, e2eImages, writeE2eRepo, type E2eRepo } from "./e2e-repo.js";
import { E2E_APP, E2E_CANARY_ENV, E2E_CAPI_CLUSTER, E2E_CLUSTER, E2E_ENV, E2E_NODES_CLUSTER, E2E_RUN_LABEL, E2E_VARIABLES, e2eTargetFromEnv, newRunId, type E2eTarget, runNamespaces, writeE2eConfig } from "./e2e-setup.js";

const STALE_RUN_MS = 60 * 60 * 1000;
const WAIT_MS = 120_000;

describe("real cluster: end-to-end flows through the router (npm run test:cluster)", function () {
  this.timeout(300_000);
  let target: E2eTarget | undefined;
  const runId = newRunId();
  const ns = runNamespaces(runId);
  let dir: string;
  let logFile: string;
  let logStream: WriteStream;
  let repo: E2eRepo;
  let h: E2eHarness;
  let cluster: KubeCluster;

  /** Runs a command and expects its audit entry to say it succeeded. */
  const succeeds = async (text: string): Promise<Transcript> => {
    const before = h.audit.length;
    const t = await h.run(text);
    const done = h.audit.slice(before).filter((e) => e.outcome !== "started");
    const outcome = done.at(-1)?.outcome;
    if (outcome !== "success") throw new Error(`${text}: outcome ${outcome ?? "(none)"}${done.at(-1)?.reason ? ` (${done.at(-1)!.reason})` : ""}\n${t.text}`);
    return t;
  };
  const deployment = async (name: string, namespace: string): Promise<V1Deployment | undefined> => cluster.deployments.find(name, namespace);
  // A real cluster's own time: poll it (the unit tests' injected clock has no say here).
  const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const until = Date.now() + WAIT_MS;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  before(async function () {
    target = e2eTargetFromEnv(process.env, DEFAULT_IMAGE_REPOSITORY);
    if (!target) {
      console.log(`    [skip] TUGBOAT_E2E_KUBECONFIG is not set, so nothing runs against a real cluster (docs/testing.md says how to set one up; variables: ${E2E_VARIABLES})`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), `${runId}-`));
    logFile = join(tmpdir(), `${runId}.log`);
    logStream = createWriteStream(logFile);
    repo = writeE2eRepo(dir, runId);
    const configPath = writeE2eConfig(dir, target, runId, E2E_REPO);
    h = await startE2eHarness({ configPath, kubeconfig: target.kubeconfig, seedFile: repo.seedFile, repoFilesDir: repo.repoFilesDir, logStream });
    cluster = h.kube.cluster(E2E_CLUSTER);
    await removeStaleRuns();
    await warnOfMissingImages();
    for (const name of [ns.app, ns.secrets]) {
      await cluster.namespaces.create({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { [E2E_RUN_LABEL]: runId } } });
    }
    await cluster.secrets.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "common", namespace: ns.secrets }, stringData: { E2E_RUN: runId } });
    console.log(`    run ${runId} on context ${target.context}: namespaces ${ns.app}, ${ns.secrets}; Tugboat's log: ${logFile}`);
  });

  after(async function () {
    if (!target) return;
    // The log stays unless every flow passed (a failed setup hook counts as a failure too).
    const allPassed = this.test?.parent?.tests.every((t) => t.state === "passed" || t.state === "pending") ?? false;
    try {
      if (cluster) await removeRun(runId, [labNamespace(repo.prs.second.branch)]);
    } finally {
      await h?.stop();
      logStream?.end();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (allPassed && logFile) rmSync(logFile, { force: true });
    }
  });

  /** Deletes the run's namespaces (by label) and the given lab namespaces, and checks they are going. */
  async function removeRun(id: string, labNamespaces: string[]): Promise<void> {
    const { items } = await cluster.namespaces.list({ labelSelector: `${E2E_RUN_LABEL}=${id}` });
    const names = [...items.map((n) => n.metadata?.name ?? ""), ...labNamespaces];
    for (const name of names) {
      try {
        await cluster.namespaces.delete(name, undefined, { propagationPolicy: "Background" });
      } catch (err) {
        // Gone already, or already terminating (a namespace being finalized answers 409).
        if (!isGatewayError(err, "not-found") && !isGatewayError(err, "conflict")) throw err;
      }
    }
    const left = (await cluster.namespaces.list({ labelSelector: `${E2E_RUN_LABEL}=${id}` })).items.filter((n) => n.status?.phase !== "Terminating");
    expect(left.map((n) => n.metadata?.name), "namespaces of the run not being deleted").to.deep.equal([]);
  }

  /** A run killed before its after hook leaves labelled namespaces; those over an hour old are removed. */
  async function removeStaleRuns(): Promise<void> {
    const { items } = await cluster.namespaces.list({ labelSelector: E2E_RUN_LABEL });
    const stale = new Set(items.filter((n) => Date.now() - Date.parse(n.metadata?.creationTimestamp ?? "") > STALE_RUN_MS).map((n) => n.metadata?.labels?.[E2E_RUN_LABEL] ?? ""));
    for (const id of stale) await removeRun(id, []);
  }

  /** Nodes list the images they hold (kind and k3d do): say early which of the run's images none of them has. */
  async function warnOfMissingImages(): Promise<void> {
    const { items } = await cluster.nodes.list();
    const held = new Set(items.flatMap((n) => (n.status?.images ?? []).flatMap((i) => i.names ?? [])));
    if (held.size === 0) return;
    const missing = e2eImages(target!.imageRepository).filter((image) => !held.has(image) && !held.has(`docker.io/${image}`));
    if (missing.length > 0) console.log(`    [warning] no node holds ${missing.join(", ")}: deploys will fail to pull them (docs/testing.md: load them first)`);
  }

  it("deploys PR #1, and /kube get, describe and logs show it", async () => {
    await succeeds(`/deploy ${E2E_APP} PR${repo.prs.first.number} to ${E2E_ENV}`);
    const d = await deployment("e2e-app", ns.app);
    expect(d?.metadata?.annotations?.["tugboat.dev/sha"]).to.equal(E2E_SHAS.first);
    expect(d?.spec?.template?.spec?.containers?.[0]?.image).to.equal(`${target!.imageRepository}:${E2E_SHAS.first}`);
    expect(d?.status?.readyReplicas).to.equal(1);

    const get = await succeeds(`/kube get deployments -n ${ns.app} --cluster ${E2E_CLUSTER}`);
    expect(get.text).to.match(/e2e-app\s+1\/1/);
    const describe = await succeeds(`/kube describe deployment e2e-app -n ${ns.app} --cluster ${E2E_CLUSTER}`);
    expect(describe.text).to.contain(`${target!.imageRepository}:${E2E_SHAS.first}`);
    await succeeds(`/kube logs deployment/e2e-app -n ${ns.app} --cluster ${E2E_CLUSTER}`);
  });

  it("deploys PR #2 over it, then /deploy rollback brings PR #1's revision back", async () => {
    await succeeds(`/deploy ${E2E_APP} PR${repo.prs.second.number} to ${E2E_ENV}`);
    expect((await deployment("e2e-app", ns.app))?.metadata?.annotations?.["tugboat.dev/sha"]).to.equal(E2E_SHAS.second);
    await succeeds(`/deploy rollback ${E2E_APP} ${E2E_ENV}`);
    const d = await deployment("e2e-app", ns.app);
    expect(d?.spec?.template?.spec?.containers?.[0]?.image).to.equal(`${target!.imageRepository}:${E2E_SHAS.first}`);
    expect(d?.status?.readyReplicas).to.equal(1);
  });

  it("runs PR #2 as a canary next to it, shows its status and aborts it", async () => {
    await succeeds(`/deploy ${E2E_APP} PR${repo.prs.second.number} to ${E2E_CANARY_ENV}`);
    const canary = await deployment("e2e-app-canary", ns.app);
    expect(canary?.spec?.template?.spec?.containers?.[0]?.image).to.equal(`${target!.imageRepository}:${E2E_SHAS.second}`);
    const status = await succeeds(`/canary status ${E2E_APP}`);
    expect(status.text).to.contain(E2E_SHAS.second.slice(0, 7)).and.to.contain(E2E_SHAS.first.slice(0, 7));
    await succeeds(`/canary abort ${E2E_APP}`);
    await waitFor("the canary Deployment to go", async () => (await deployment("e2e-app-canary", ns.app)) === undefined);
  });

  it("brings a review lab of PR #2 up and takes it down", async () => {
    const labNs = labNamespace(repo.prs.second.branch);
    await succeeds(`/reviewlab up PR${repo.prs.second.number}`);
    const lab = await deployment("e2e-app", labNs);
    expect(lab?.status?.readyReplicas).to.equal(1);
    await succeeds(`/reviewlab down PR${repo.prs.second.number}`);
    await waitFor(`${labNs} to be deleted`, async () => {
      const n = await cluster.namespaces.find(labNs);
      return n === undefined || n.status?.phase === "Terminating";
    });
  });

  it("lists the workload cluster's node pools from the management cluster (/nodes list)", async function () {
    if (!target?.capi) {
      console.log("    [skip] TUGBOAT_E2E_CAPI_CONTEXT is not set: no Cluster API management cluster to list pools from");
      this.skip();
    }
    const management = h.kube.cluster(E2E_CAPI_CLUSTER);
    if (!(await management.machineDeployments.served())) throw new Error(`context ${target!.capi!.context} serves no Cluster API MachineDeployments`);
    const { items } = await management.machineDeployments.list({ namespace: target!.capi!.namespace, labelSelector: `cluster.x-k8s.io/cluster-name=${target!.capi!.clusterName}` });
    const pools = items.map(poolName);
    expect(pools, `MachineDeployments of Cluster ${target!.capi!.clusterName} in ${target!.capi!.namespace}`).to.not.be.empty;
    const t = await succeeds(`/nodes list --cluster ${E2E_NODES_CLUSTER}`);
    for (const pool of pools) expect(t.text).to.contain(pool);
    // Each Machine's Node, found in the workload cluster through the Machine's nodeRef.
    const machines = (await management.machines.served())
      ? (await management.machines.list({ namespace: target!.capi!.namespace, labelSelector: `cluster.x-k8s.io/cluster-name=${target!.capi!.clusterName}` })).items
      : [];
    const mdNames = new Set(items.map((md) => md.metadata?.name ?? ""));
    const nodeNames = machines
      .filter((m) => mdNames.has(m.metadata?.labels?.["cluster.x-k8s.io/deployment-name"] ?? "") && !m.metadata?.deletionTimestamp)
      .map((m) => m.status?.nodeRef?.name)
      .filter((n): n is string => typeof n === "string");
    expect(nodeNames, "the pools' Machines with a Node").to.not.be.empty;
    for (const node of nodeNames) expect(t.text).to.contain(node);
  });
});
