import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";

// /deploy status and /deploy history: the caller's /kube scope decides which environments they show, and
// history names the person and the PR (review labs included, labelled as such).

describe("/deploy status and history", function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      configure: (c) => {
        c.roles["staging-viewer"] = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-staging"] } };
        c.bindings.push({ role: "staging-viewer", users: ["USTAGING"], groups: [] });
      },
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  it("a user limited to github-staging sees neither production's shas, deployers nor lock reasons", async () => {
    const d = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(d.final?.tone, d.text).to.equal("success");
    await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const lock = await h.run("/deploy lock github production quiet-period-for-the-audit", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(lock.final?.tone, lock.text).to.equal("success");

    const admin = await h.run("/deploy status github", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(admin.text).to.match(/production\s+unicorn\s+3\/3\s+eed486a\s+#4812\s+UADMIN/);
    expect(admin.text).to.include("quiet-period-for-the-audit");

    const s = await h.run("/deploy status github", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(s.final?.tone, s.text).to.equal("success");
    expect(s.text).to.match(/staging\s+unicorn\s+2\/2\s+eed486a\s+#4812\s+UDEPLOYER/);
    expect(s.text).to.not.match(/^production|UADMIN|quiet-period/m);
    expect(s.text).to.include("Not shown (outside your /kube scope): production, canary.");

    const hist = await h.run("/deploy history github", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(hist.text).to.match(/github: last 1 deployment\n/);
    expect(hist.text).to.match(/\d+\s+staging\s+eed486a\s+#4812\s+UDEPLOYER\s+success/);
    expect(hist.text).to.not.match(/\sproduction\s|UADMIN/);
    expect(hist.text).to.include("Not shown (outside your /kube scope): production.");
    const all = await h.run("/deploy history github", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(all.text).to.match(/\d+\s+production\s+eed486a\s+#4812\s+UADMIN\s+success/);
  });

  it("with nothing to show, history says so instead of 'last 0 deployments'", async () => {
    const hist = await h.run("/deploy history github staging", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(hist.text).to.include("github: no deployments to staging to show");
    expect(hist.text).to.include("(no deployments yet)");
    expect(hist.text).to.not.include("last 0");
  });

  it("a review lab's deployment names the person who brought it up and its PR, labelled as a review lab", async () => {
    const up = await h.run("/reviewlab up my-branch", { user: "UDEPLOYER", channel: "CGITHUB" });
    expect(up.final?.tone, up.text).to.equal("success");
    const hist = await h.run("/deploy history github", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(hist.text).to.match(/\d+\s+review-lab\/my-branch \(review lab\)\s+663c692\s+#4816\s+UDEPLOYER\s+success/);
    expect(hist.text).to.not.include("tugboat-bot");
  });

  it("a deployment record's payload cannot bend the table (one short line per cell)", async () => {
    const d = h.sandbox.github.store.deployments("octo/github");
    expect(d).to.have.length(0);
    await h.run("/deploy PR4812 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    const [record] = h.sandbox.github.store.deployments("octo/github");
    (record!.payload as Record<string, unknown>).actor = "mallory\nstaging   eed486a   #1   UADMIN   success";
    const hist = await h.run("/deploy history github", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(hist.text).to.match(/\d+\s+staging\s+eed486a\s+#4812\s+mallory staging\s+eed486a/);
    expect(hist.text.split("\n").filter((l) => /UADMIN/.test(l))).to.have.length(1);
  });
});
