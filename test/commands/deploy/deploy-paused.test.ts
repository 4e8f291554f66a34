import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments } from "./helpers.js";

// A paused Deployment (kubectl rollout pause) never rolls out: a deploy to it and a rollback of it are refused
// at once with the reason, as kubectl refuses `rollout undo`, instead of waiting for the time-out.

describe("/deploy and /deploy rollback of a paused Deployment", function () {
  this.timeout(30000);
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const pause = (paused: boolean) => {
    const staging = h.sandbox.clusters.staging!;
    const d = deployment(h, "staging", "github-staging", "unicorn");
    d.spec.paused = paused;
    staging.putObject(d);
  };

  it("a deploy is refused before anything is applied, naming the paused Deployment and how to resume it", async () => {
    h = await startHarness();
    pause(true);
    const started = Date.now();
    const t = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("unicorn in github-staging is paused (kubectl rollout pause), so a deploy would never roll out. Resume it first (`kubectl rollout resume deployment/unicorn -n github-staging`) and try again.");
    expect(Date.now() - started).to.be.below(5000);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
    expect(githubDeployments(h, "staging")).to.have.length(0);
  });

  it("a rollback is refused like kubectl rollout undo refuses it", async () => {
    h = await startHarness();
    const ok = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(ok.final?.tone, ok.text).to.equal("success");
    pause(true);
    const t = await h.run("/deploy rollback github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone ?? t.whispers[0]?.tone, t.text).to.equal("error");
    expect(t.text).to.include("You cannot roll back a paused Deployment: unicorn in github-staging is paused. Resume it first (`kubectl rollout resume deployment/unicorn -n github-staging`) and try again.");
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);
  });
});
