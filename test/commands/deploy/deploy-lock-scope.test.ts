import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";

// Locks per environment (issue 10 item 5): deploy:lock:<env> / deploy:unlock:<env> or deploy:<env>, and a
// lock held by someone with more rights is removed only with deploy:unlock:<env>.

describe("/deploy lock and unlock are scoped per environment", function () {
  this.timeout(30000);
  let h: Harness;
  const lease = (cluster: "production" | "staging") =>
    h.sandbox.clusters[cluster]!.getObject("coordination.k8s.io/v1", "Lease", `github-${cluster}`, `tugboat-lock-github-${cluster}`);
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });
  afterEach(async () => {
    for (const env of ["production", "staging"]) await h.run(`/deploy unlock github ${env}`, { user: "UADMIN", channel: "CDEPLOYS" });
  });

  it("a deployer without deploy:production can neither lock production (nor its canary) nor unlock it", async () => {
    const lock = await h.run("/deploy lock github production 30 days of mine", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(lock.text).to.match(/Denied: you need the `deploy:lock:production` or `deploy:production` permission/);
    expect(h.audit.at(-1)).to.include({ decision: "denied", permission: "deploy:lock:production|deploy:production" });
    // The canary shares production's lock: its name must not be a way around the scope.
    const canary = await h.run("/deploy lock github canary sneaky", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(canary.text).to.match(/Denied: you need the `deploy:lock:production` or `deploy:production` permission/);
    expect(lease("production")).to.equal(undefined);

    await h.run("/deploy lock github production release freeze", { user: "UADMIN", channel: "CDEPLOYS" });
    const unlock = await h.run("/deploy unlock github production", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(unlock.text).to.match(/Denied: you need the `deploy:unlock:production` or `deploy:production` permission/);
    const viaCanary = await h.run("/deploy unlock github canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(viaCanary.text).to.match(/Denied: you need the `deploy:unlock:production` or `deploy:production` permission/);
    expect(lease("production")?.spec.holderIdentity).to.equal("manual:UADMIN");
  });

  it("an admin's freeze stays when someone with only deploy:<env> tries to lift it; the denial says why", async () => {
    await h.run("/deploy lock github production release freeze", { user: "UADMIN", channel: "CDEPLOYS" });
    const releaser = await h.run("/deploy unlock github production", { user: "URELEASER", channel: "CDEPLOYS" });
    expect(releaser.final, "a denial is whispered, not posted").to.equal(undefined);
    expect(releaser.text).to.match(/Denied: the lock on github production is @UADMIN's, who has `deploy:unlock:production`.* and you do not; removing it needs `deploy:unlock:production`/);
    expect(h.audit.at(-1)).to.include({ decision: "denied", outcome: "denied" });
    expect(lease("production")?.spec.holderIdentity).to.equal("manual:UADMIN");

    await h.run("/deploy lock github staging migration window", { user: "UADMIN", channel: "CDEPLOYS" });
    const deployer = await h.run("/deploy unlock github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(deployer.text).to.match(/Denied: the lock on github staging is @UADMIN's/);
    expect(lease("staging")?.spec.holderIdentity).to.equal("manual:UADMIN");
  });

  it("a lock of someone with no more rights may be removed with deploy:<env>; the audit names remover and holder", async () => {
    const took = await h.run("/deploy lock github staging testing", { user: "URELEASER", channel: "CDEPLOYS" });
    expect(took.final?.tone, took.text).to.equal("success");
    const removed = await h.run("/deploy unlock github staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(removed.text).to.include("Unlocked github staging (it was @URELEASER's: testing)");
    expect(lease("staging")).to.equal(undefined);
    const entry = h.audit.at(-1)!;
    expect(entry).to.include({ actor: "UDEPLOYER", decision: "allowed", outcome: "success" });
    expect(entry.details).to.deep.include({ removedBy: "UDEPLOYER", lockOwner: "URELEASER" });

    // With deploy:unlock:<env> (the admin's `*`), anyone's lock goes, and the audit says whose it was.
    await h.run("/deploy lock github production launch", { user: "URELEASER", channel: "CDEPLOYS" });
    await h.run("/deploy unlock github production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(h.audit.at(-1)!.details).to.deep.include({ removedBy: "UADMIN", lockOwner: "URELEASER" });
  });

  it("lock reasons are bounded and may not hide characters", async () => {
    const long = await h.run(`/deploy lock github staging ${"x".repeat(201)}`, { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(long.text).to.match(/the reason is too long \(201 characters; at most 200\)/);
    expect(long.text).to.include("Usage: /deploy lock APP ENV [reason...]");
    const hidden = await h.run("/deploy lock github staging looks\u200b harmless", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(hidden.text).to.match(/the reason contains an invisible or control character \(U\+200B\)/);
    expect(lease("staging")).to.equal(undefined);
  });
});
