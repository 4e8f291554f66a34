import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, githubDeployments, githubStates } from "./helpers.js";

// Pods that admission never creates: the deploy fails at once with the admission's reason (here a
// ResourceQuota) instead of waiting for the progress deadline, and is rolled back.

describe("/deploy into a namespace whose quota forbids the new pods", function () {
  this.timeout(30000);
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it("fails within seconds naming the quota, and rolls back", async () => {
    h = await startHarness();
    const staging = h.sandbox.clusters.staging!;
    const running = staging.listObjects("v1", "Pod", "github-staging").length;
    // Exactly the pods that run now: a rolling update's surge pod is refused.
    staging.putObject({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "team-pods", namespace: "github-staging" }, spec: { hard: { pods: String(running) } } });
    const started = Date.now();
    const t = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    const took = Date.now() - started;
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/pods cannot be created \(FailedCreate: pods "[a-z-]+-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: team-pods, requested: pods=1, used: pods=\d+, limited: pods=\d+\)/);
    expect(t.text).to.match(/Rolled back/);
    expect(took, "well before the 600 s progress deadline").to.be.below(10_000);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
    const [gh] = githubDeployments(h, "staging");
    expect(githubStates(h, gh.id)).to.deep.equal(["in_progress", "failure"]);
  });
});
