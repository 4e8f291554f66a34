import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { waitFor } from "../../sandbox/kube/helpers.js";
import { SHAS } from "../deploy/helpers.js";

// A canary must not change the stable Deployments at all: any template change rolls every production pod.

function stableState(h: Harness) {
  const prod = h.sandbox.clusters.production!;
  return ["unicorn", "unicorn-api"].map((name) => {
    const d = prod.getObject("apps/v1", "Deployment", "github-production", name);
    const replicaSets = prod
      .listObjects("apps/v1", "ReplicaSet", "github-production")
      .filter((rs: any) => rs.metadata.ownerReferences?.some((o: any) => o.uid === d.metadata.uid))
      .map((rs: any) => rs.metadata.name)
      .sort();
    return { name, generation: d.metadata.generation, template: d.spec.template, selector: d.spec.selector, replicaSets };
  });
}

describe("/deploy to canary leaves the stable Deployments alone", function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("stable generation, template and ReplicaSets are unchanged; /canary status tells canary pods from stable ones by owner", async () => {
    const before = stableState(h);
    // The canary runs the same images as stable, so only ownership can tell its pods apart.
    const t = await h.run(`/deploy ${SHAS.main} to canary`, { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(stableState(h)).to.deep.equal(before);
    for (const s of before) expect(s.template.metadata.labels.track, s.name).to.equal(undefined);

    // One canary pod has restarted twice: that is the canary's, not the stable Deployment's.
    const prod = h.sandbox.clusters.production!;
    const pod = prod.listObjects("v1", "Pod", "github-production").find((p: any) => p.metadata.labels?.track === "canary" && p.metadata.labels?.app === "unicorn");
    pod.status.containerStatuses[0].restartCount = 2;
    prod.putObject(pod);
    const s = await h.run("/canary status", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(s.text).to.match(/unicorn-canary\s+canary\s+1\/1\s+2\s+\S+\s+0c6121e/);
    expect(s.text).to.match(/\nunicorn\s+stable\s+3\/3\s+0\s+\S+\s+0c6121e/);
  });

  it("an existing `track: stable` label stays as it is", async () => {
    const prod = h.sandbox.clusters.production!;
    const d = prod.getObject("apps/v1", "Deployment", "github-production", "unicorn");
    d.spec.template.metadata.labels.track = "stable";
    prod.putObject(d);
    await waitFor(() => {
      const now = prod.getObject("apps/v1", "Deployment", "github-production", "unicorn");
      return now.status?.observedGeneration === now.metadata.generation && now.status?.updatedReplicas === now.spec.replicas && now.status?.replicas === now.spec.replicas;
    });
    const before = stableState(h);
    const t = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(stableState(h)).to.deep.equal(before);
    expect(before[0]!.template.metadata.labels.track).to.equal("stable");
  });

  it("a crashing canary pod is not taken for a pod of the stable Deployment it matches", async () => {
    const t = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    const prod = h.sandbox.clusters.production!;
    const pod = prod.listObjects("v1", "Pod", "github-production").find((p: any) => p.metadata.labels?.track === "canary" && p.metadata.labels?.app === "unicorn");
    pod.status.containerStatuses[0].state = { waiting: { reason: "CrashLoopBackOff", message: "back-off restarting" } };
    prod.putObject(pod);
    // Production now gets the canary's images: the canary pod matches the new stable template's labels and images.
    const d = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(d.final?.tone, d.text).to.equal("success");
    expect(d.text).to.not.include("CrashLoopBackOff");
  });
});
