import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, githubDeployments } from "./helpers.js";

// Two replicas (two apps with their own instance ids on one sandbox) receive different commands for the same
// environment while one of them deploys: every command that changes the environment is refused by the deploy
// lock, reads still answer, and only the first deploy's image is rolled out.

describe("two replicas, different commands for one environment", function () {
  this.timeout(60_000);
  let h1: Harness;
  let h2: Harness;
  afterEach(async () => {
    await h2?.stop();
    await h1?.stop();
  });

  it("while replica 1 deploys to staging, replica 2's deploy, rollback, lock and unlock of that environment are refused by the lock; status reads", async () => {
    h1 = await startHarness({ instanceId: "bot-1" });
    h2 = await startHarness({ sandbox: h1.sandbox, instanceId: "bot-2" });
    // A revision to roll back to, then a slow deploy that holds the lock.
    expect((await h1.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" })).final?.tone).to.equal("success");
    h1.sandbox.clusters.staging!.setDelays({ podReadyMs: 1500 });
    const lease = () => h1.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging");
    const first = h1.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    for (let i = 0; i < 200 && !lease(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(lease()?.spec.holderIdentity).to.match(/^bot-1\//);

    const refusals = await Promise.all([
      h2.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" }),
      h2.run("/deploy rollback github staging", { user: "UADMIN", channel: "CDEPLOYS" }),
      h2.run("/deploy lock github staging freeze", { user: "UADMIN", channel: "CDEPLOYS" }),
      h2.run("/deploy unlock github staging", { user: "UADMIN", channel: "CDEPLOYS" }),
    ]);
    const status = await h2.run("/deploy status github", { user: "UADMIN", channel: "CDEPLOYS" });
    for (const t of refusals) expect(t.text, t.text).to.match(/locked|being deployed by @UADMIN through Tugboat instance `bot-1/);
    expect(status.text).to.match(/bot-1|deploying/);

    const done = await first;
    expect(done.final?.tone, done.text).to.equal("success");
    // Nothing of replica 2's changed the environment: PR4812's image runs, one GitHub deployment, no lock left.
    expect(appImages(h1, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);
    expect(githubDeployments(h1, "staging")).to.have.length(2);
    expect(lease()).to.equal(undefined);
    // Now replica 2 may.
    h1.sandbox.clusters.staging!.setDelays({ podReadyMs: 15 });
    const next = await h2.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(next.final?.tone, next.text).to.equal("success");
  });

  it("a rollback confirmed on replica 2 after replica 1 deployed meanwhile is refused: the plan it confirmed is stale, nothing is rolled back", async () => {
    h1 = await startHarness({ instanceId: "bot-1" });
    h2 = await startHarness({ sandbox: h1.sandbox, instanceId: "bot-2" });
    expect((await h1.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS" })).final?.tone).to.equal("success");
    let answer!: (a: "confirmed") => void;
    let asked!: () => void;
    const prompted = new Promise<void>((r) => (asked = r));
    const rollback = h2.run("/deploy rollback github production", {
      user: "UADMIN",
      channel: "CDEPLOYS",
      confirm: () => {
        asked();
        return new Promise((r) => (answer = r));
      },
    });
    await prompted;
    // While the prompt is open on replica 2, replica 1 ships another build.
    expect((await h1.run("/deploy my-branch to production", { user: "UADMIN", channel: "CDEPLOYS" })).final?.tone).to.equal("success");
    answer("confirmed");
    const t = await rollback;
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/changed while this rollback waited: .* is at revision \d+ now, not \d+\. Nothing was rolled back/);
    expect(appImages(h1, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.pr4816}`);
    expect(githubDeployments(h1, "production")).to.have.length(2);
  });
});
