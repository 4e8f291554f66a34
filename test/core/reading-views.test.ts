import { expect } from "chai";
import { startHarness, type Harness } from "../helpers/harness.js";

// Reading views go together: whoever may run /deploy status may run /canary status and /reviewlab list, within
// their /kube scope; and a denial names a role that would grant what was missing.

describe("reading views and role hints", function () {
  this.timeout(30000);
  let h: Harness;
  before(async () => {
    h = await startHarness({
      configure: (c) => {
        c.roles["staging-viewer"] = { permissions: ["kube:get"], kube: { clusters: ["staging"], namespaces: ["github-staging"] } };
        c.bindings.push({ role: "staging-viewer", users: ["USTAGING"], groups: [] });
      },
    });
    const canary = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(canary.final?.tone, canary.text).to.equal("success");
    const lab = await h.run("/reviewlab up my-branch", { user: "UDEPLOYER", channel: "CGITHUB" });
    expect(lab.final?.tone, lab.text).to.equal("success");
  });
  after(async () => {
    await h.stop();
  });

  for (const line of ["/deploy status github", "/deploy history github", "/nodes list --cluster production", "/canary status github", "/reviewlab list"]) {
    it(`the viewer may run ${line}`, async () => {
      const t = await h.run(line, { user: "UVIEWER", channel: "CDEPLOYS" });
      expect(t.text).to.not.match(/Denied/);
      expect(t.final?.tone, t.text).to.be.oneOf(["success", "warning"]);
    });
  }

  it("the views show the viewer what they show a deployer", async () => {
    const canary = await h.run("/canary status github", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(canary.text).to.match(/unicorn-canary\s+canary\s+1\/1/);
    const labs = await h.run("/reviewlab list", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(labs.text).to.include("https://my-branch.review-lab.example.com");
  });

  it("the views keep to the /kube scope", async () => {
    const canary = await h.run("/canary status github", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(canary.updates).to.have.length(0);
    expect(canary.text).to.match(/Denied: cluster `production` is not allowed for you/);
    const labs = await h.run("/reviewlab list", { user: "USTAGING", channel: "CDEPLOYS" });
    expect(labs.text).to.not.include("my-branch");
    expect(labs.text).to.include("There are no review labs within your /kube scope. 1 more outside your /kube scope are not shown.");
  });

  it("a denial names a role that grants the permission", async () => {
    const t = await h.run("/deploy PR4812 to staging", { user: "UVIEWER", channel: "CDEPLOYS" });
    expect(t.text).to.match(/Denied: you need the `deploy:staging` permission; no role bound to you grants it\. Ask for role `deployer`, which grants `deploy:staging` \(so do [^)]*`admin`\)\./);
    const force = await h.run("/deploy PR4812 to staging --force", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(force.text).to.include("Ask for role `admin`, which grants `deploy:force`.");
  });
});
