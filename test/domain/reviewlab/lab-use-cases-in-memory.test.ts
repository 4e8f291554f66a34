import { expect } from "chai";
import { FakeCluster } from "../../helpers/fake-cluster.js";
import { ManualClock, settleOnClock } from "../../helpers/manual-clock.js";
import { loadConfigFile } from "../../../src/config/load-config.js";
import { silentLogger } from "../../../src/core/logger.js";
import type { DeploymentStatusInput, GithubGateway, KubeGateway } from "../../../src/gateways/types.js";
import { labNamespaceObject } from "../../../src/domain/reviewlab/lab-metadata.js";
import { removeLab, type LabDownEvent } from "../../../src/domain/reviewlab/tear-down-lab.js";
import { extendLab } from "../../../src/domain/reviewlab/extend-lab.js";
import { pinLab } from "../../../src/domain/reviewlab/pin-lab.js";
import type { LabDeps } from "../../../src/domain/reviewlab/lab-use-case.js";

// The lab use cases on the in-memory port and a manual clock: no sandbox, no chat, no wall-clock waits.

const START = Date.parse("2026-03-01T12:00:00Z");

function setup() {
  const clock = new ManualClock(START);
  const cluster = new FakeCluster({ name: "staging", clock });
  const at = new Date(START);
  cluster.put(
    labNamespaceObject({
      namespace: "review-lab-my-branch",
      slug: "my-branch",
      app: "github",
      branch: "my-branch",
      sha: "663c692a0f1296edefa2dbd3fa35d535f8881708",
      owner: "UOWNER",
      createdAt: at,
      updatedAt: at,
      expiresAt: new Date(START + 72 * 3600_000),
      url: "https://my-branch.review-lab.example.com",
      deploymentId: 7,
    }),
  );
  const statuses: Array<{ id: number; state: DeploymentStatusInput["state"] }> = [];
  // Only what the lab use cases call on GitHub when the lab is named by its branch.
  const github = {
    listDeployments: async () => [],
    createDeploymentStatus: async (_repo: string, id: number, s: DeploymentStatusInput) => void statuses.push({ id, state: s.state }),
  } as Partial<GithubGateway> as GithubGateway;
  const kube: KubeGateway = { clusterNames: () => ["staging"], cluster: () => cluster, actingFor: () => kube };
  const facts: Array<Record<string, unknown>> = [];
  const deps: LabDeps = { config: loadConfigFile("config/sandbox/tugboat.yaml"), kube, github, clock, log: silentLogger, audit: (f) => void facts.push(f), instanceId: "test" };
  return { clock, cluster, deps, statuses, facts };
}

const request = { actorId: "UOWNER", requestId: "r1" };
const branch = { kind: "branch" as const, name: "my-branch" };

describe("review-lab use cases on the in-memory port", () => {
  it("down: deletes the Namespace, follows it until gone, then marks the recorded GitHub deployment inactive", async () => {
    const { cluster, deps, statuses } = setup();
    const events: LabDownEvent[] = [];
    const outcome = await removeLab({ ...request, target: branch, mayRemoveOthers: async () => false }, deps, (e) => void events.push(e));
    expect(events.map((e) => e.type)).to.deep.equal(["found", "deleted", "removed"]);
    expect(outcome.type).to.equal("removed");
    expect(cluster.objects("namespaces")).to.deep.equal([]);
    expect(statuses).to.deep.equal([{ id: 7, state: "inactive" }]);
  });

  it("down: a Namespace kept by a finalizer ends as still-terminating at reviewlab.readyTimeoutSeconds on the clock", async () => {
    const { clock, cluster, deps } = setup();
    // Kubernetes keeps a Namespace with finalizers: it only gets a deletionTimestamp.
    cluster.namespaces.delete = async (name) => {
      const ns = await cluster.namespaces.get(name);
      cluster.put({ ...ns, metadata: { ...ns.metadata, deletionTimestamp: clock.now().toISOString() } });
    };
    const events: LabDownEvent[] = [];
    const outcome = await settleOnClock(clock, removeLab({ ...request, target: branch, mayRemoveOthers: async () => false }, deps, (e) => void events.push(e)), 3600_000);
    expect(events.map((e) => e.type)).to.deep.equal(["found", "deleted", "still-terminating"]);
    expect(outcome.type === "still-terminating" && outcome.finishedAt.getTime() - outcome.startedAt.getTime()).to.equal(deps.config.reviewlab!.readyTimeoutSeconds * 1000);
  });

  it("extend moves the expiry within the cap; pin and unpin flip the annotation, and a second pin changes nothing", async () => {
    const { cluster, deps, clock } = setup();
    const extended = await extendLab({ ...request, target: branch, bySeconds: 24 * 3600 }, deps, () => {});
    expect(extended.type === "extended" && extended.to.toISOString()).to.equal(new Date(START + 96 * 3600_000).toISOString());
    const tooFar = await extendLab({ ...request, target: branch, bySeconds: 100 * 3600 }, deps, () => {});
    expect(tooFar.type === "refused" && tooFar.error.message).to.match(/^A review lab may be kept at most 168 h from now; `my-branch` expires 2026-03-05T12:00:00Z, so you can extend it by at most 3d \(until 2026-03-08T12:00:00Z\)\.$/);

    expect(await pinLab({ ...request, target: branch, pinned: true }, deps, () => {})).to.deep.include({ type: "pinned", changed: true });
    expect((await cluster.namespaces.get("review-lab-my-branch")).metadata?.annotations?.["tugboat.dev/pinned"]).to.equal("true");
    expect(await pinLab({ ...request, target: branch, pinned: true }, deps, () => {})).to.deep.include({ type: "pinned", changed: false });
    clock.advance(1000);
    expect(await pinLab({ ...request, target: branch, pinned: false }, deps, () => {})).to.deep.include({ type: "unpinned", changed: true });
    expect((await cluster.namespaces.get("review-lab-my-branch")).metadata?.annotations?.["tugboat.dev/pinned"]).to.equal(undefined);

    const none = await pinLab({ ...request, target: { kind: "branch", name: "other" }, pinned: true }, deps, () => {});
    expect(none.type === "refused" && none.error.message).to.equal("There is no review lab for `other`. See `/reviewlab list`.");
  });
});
