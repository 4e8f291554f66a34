import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { eventually } from "../../helpers/manual-clock.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments, githubState, githubStates } from "./helpers.js";

// Forced deploys, automatic rollback, the lock under contention, a bot that stops mid-deploy.

describe("/deploy failures and locks", function () {
  this.timeout(30000);
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it("--force passes a red gate (audited); the broken image is rolled back automatically; the previous image serves and GitHub says failure", async () => {
    h = await startHarness();
    const before = deployment(h, "staging", "github-staging", "unicorn");
    const t = await h.run("/deploy PR4813 to staging --force", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/ImagePullBackOff/);
    expect(t.text).to.match(/Rolled back .*unicorn.* to the previous revision; it is healthy again/);
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
    const after = deployment(h, "staging", "github-staging", "unicorn");
    expect(after.status.availableReplicas).to.equal(2);
    expect(after.status.updatedReplicas).to.equal(2);
    expect(after.metadata.annotations["tugboat.dev/sha"]).to.equal(before.metadata.annotations?.["tugboat.dev/sha"]);
    const pods = h.sandbox.clusters.staging!.listObjects("v1", "Pod", "github-staging").filter((p: any) => p.metadata.labels?.app === "unicorn" && !p.metadata.deletionTimestamp);
    expect(pods.map((p: any) => p.spec.containers[0].image)).to.deep.equal(pods.map(() => `${IMAGE}:${SHAS.staging}`));
    const [gh] = githubDeployments(h, "staging");
    expect(githubStates(h, gh.id)).to.deep.equal(["in_progress", "failure"]);
    // --force passed the red gate and is in the audit log.
    const entry = h.audit.at(-1)!;
    expect(entry.details).to.include({ forced: true, sha: SHAS.pr4813, result: "rolled-back" });
    expect(entry.details!.gateSkipped).to.deep.equal(["ci/image=failure"]);

    // Retry runs the same PR as the presser, without --force: a viewer is denied, a deployer meets the red gate.
    const buttons = t.final!.blocks.flatMap((b) => (b.type === "actions" ? b.buttons : []));
    expect(buttons.map((b) => [b.label, b.command])).to.deep.equal([["Retry", "/deploy github PR4813 to staging"]]);
    expect((await h.run(buttons[0]!.command, { user: "UVIEWER", channel: "CDEPLOYS" })).text).to.match(/^Denied: .*deploy:staging/);
    const retried = await h.run(buttons[0]!.command, { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(retried.final?.tone, retried.text).to.equal("error");
    expect(retried.text).to.include("ci/image");
    expect(githubDeployments(h, "staging")).to.have.length(1);
  });

  it("20 concurrent deploys: exactly one runs, the others are told who holds the lock", async () => {
    // Pods stay unready until the other 19 have answered, so the winner still holds the lock whatever the machine's
    // load (a quick winner that released its lock would let a late starter deploy legitimately).
    h = await startHarness({ delays: { podReadyMs: 60_000 } });
    const users = ["UADMIN", "UDEPLOYER"];
    let answered = 0;
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.run(`/deploy ${i % 2 ? "PR4812" : "my-branch"} to staging`, { user: users[i % 2], channel: "CDEPLOYS" }).finally(() => {
          if (++answered === 19) h.sandbox.clusters.staging!.setDelays({ podReadyMs: 15 });
        }),
      ),
    );
    const ok = runs.filter((t) => t.final?.tone === "success");
    const refused = runs.filter((t) => t.final?.tone === "error");
    expect(ok, runs.map((t) => t.final?.summary).join("\n")).to.have.length(1);
    expect(refused).to.have.length(19);
    for (const t of refused) expect(t.text).to.match(/github staging is locked \(tugboat-lock-github-staging\): being deployed by @U(ADMIN|DEPLOYER) through Tugboat instance `[^`]+` since .*: deploying /);
    expect(githubDeployments(h)).to.have.length(1);
    expect(h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging")).to.equal(undefined);
  });

  it("a bot that stops mid-deploy leaves a lock that expires; a second instance then deploys", async () => {
    h = await startHarness({
      instanceId: "bot-1",
      delays: { podReadyMs: 60_000 },
      configure: (c) => {
        c.deploy.lockLeaseSeconds = 2;
      },
    });
    const first = h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    // Wait until the first deploy holds the lock and is rolling out (its image is in the Deployment); a fixed
    // 300 ms after the lock appeared could fall before the rollout on a loaded machine.
    const lock = () => h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging");
    await eventually("the first deploy rolling out under its lock", () => !!lock() && appImages(h, "staging", "github-staging").unicorn === `${IMAGE}:${SHAS.pr4812}`, 10_000);
    await h.app.router.drain(0); // the bot goes away: shutdown signal, no release
    const t1 = await first;
    expect(t1.final?.tone, t1.text).to.equal("warning");
    expect(t1.text, t1.updates.map((u) => u.summary + " " + u.tone).join("\n")).to.match(/shutting down/);
    const lease = h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging");
    expect(lease?.spec.holderIdentity).to.match(/^bot-1\//);
    const [gh1] = githubDeployments(h, "staging");
    expect(githubState(h, gh1.id)).to.equal("error");

    h.sandbox.clusters.staging!.setDelays({ podReadyMs: 15 });
    const h2 = await startHarness({ sandbox: h.sandbox, instanceId: "bot-2", configure: (c) => (c.deploy.lockLeaseSeconds = 2) });
    try {
      const refused = await h2.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" });
      expect(refused.text).to.match(/being deployed by @UADMIN through Tugboat instance `bot-1`/);
      await new Promise((r) => setTimeout(r, 2100));
      const t2 = await h2.run("/deploy my-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t2.final?.tone, t2.text).to.equal("success");
      expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.pr4816}`);
    } finally {
      await h2.stop();
    }
  });

  it("the owner of a manual lock deploys inside it, but only one deploy at a time; the lock cannot be unlocked under a running deploy", async () => {
    h = await startHarness({ delays: { podReadyMs: 150 } });
    const lease = () => h.sandbox.clusters.staging!.getObject("coordination.k8s.io/v1", "Lease", "github-staging", "tugboat-lock-github-staging");
    await h.run("/deploy lock github staging testing a migration", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const runs = Promise.all([
      h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" }),
      h.run("/deploy my-branch to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" }),
    ]);
    for (let i = 0; i < 100 && !lease()?.metadata.annotations?.["tugboat.dev/deploying-holder"]; i++) await new Promise((r) => setTimeout(r, 20));
    const unlock = await h.run("/deploy unlock github staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(unlock.text).to.match(/is being deployed by @UDEPLOYER .*inside the manual lock/);
    const relock = await h.run("/deploy lock github staging a new reason", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(relock.text).to.match(/is being deployed by @UDEPLOYER .*inside the manual lock/);
    const done = await runs;
    const ok = done.filter((t) => t.final?.tone === "success");
    const refused = done.filter((t) => t.final?.tone === "error");
    expect(ok, done.map((t) => t.final?.summary).join("\n")).to.have.length(1);
    expect(refused).to.have.length(1);
    expect(refused[0]!.text).to.match(/github staging is locked \(tugboat-lock-github-staging\): being deployed by @UDEPLOYER through Tugboat instance `[^`]+` since .*: deploying .*Try again when it is done/);
    expect(githubDeployments(h, "staging")).to.have.length(1);
    // The manual lock is still there, with its owner and reason, and no deploy recorded inside it.
    expect(lease()?.spec.holderIdentity).to.equal("manual:UDEPLOYER");
    expect(lease()?.metadata.annotations).to.include({ "tugboat.dev/reason": "testing a migration" });
    expect(lease()?.metadata.annotations?.["tugboat.dev/deploying-holder"]).to.equal(undefined);
    const again = await h.run("/deploy my-branch to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(again.final?.tone, again.text).to.equal("success");
  });
});
