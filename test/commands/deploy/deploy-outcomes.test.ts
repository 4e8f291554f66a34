import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, deployment } from "./helpers.js";

// How a deploy ended, in the audit log and in the reply: a rolled-back or failed deploy is no success, and a
// failed apply that changed nothing says so instead of asking for a check by hand.

function lastAudit(h: Harness) {
  return h.audit.filter((e) => e.command.startsWith("/deploy PR")).at(-1)!;
}

describe("/deploy outcomes", function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.sandbox.clusters.staging!.faults.clear();
    await h.stop();
  });

  it("a deploy that was rolled back is audited as rolled-back", async () => {
    const t = await h.run("/deploy PR4813 to staging --force", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/Rolled back/);
    const entry = lastAudit(h);
    expect(entry.decision).to.equal("allowed");
    expect(entry.outcome).to.equal("rolled-back");
    expect(entry.details?.result).to.equal("rolled-back");
  });

  it("a deploy whose apply failed is audited as failure and names only what it put back", async () => {
    h.sandbox.clusters.staging!.faults.add({ verb: "patch", resource: "services", status: 503, dryRun: false });
    const t = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    h.sandbox.clusters.staging!.faults.clear();
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/Applying failed: Service github-staging\/\S+: .*\nPut back what it had changed: (Deployment [\w-]+, )+Deployment [\w-]+\.\n/);
    expect(t.text).to.not.match(/by hand/);
    expect(lastAudit(h).outcome).to.equal("failure");
    expect(appImages(h, "staging", "github-staging")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.staging}`, "unicorn-api": `${IMAGE}:${SHAS.staging}` });
  });

  it("a refused patch that changed nothing says so, restores nothing and is audited as failure", async () => {
    const before = ["unicorn", "unicorn-api"].map((n) => deployment(h, "staging", "github-staging", n).metadata.resourceVersion);
    h.sandbox.clusters.staging!.faults.add({ verb: "patch", status: 403, dryRun: false });
    const t = await h.run("/deploy PR4812 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    h.sandbox.clusters.staging!.faults.clear();
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/Applying failed: \S+ github-staging\/\S+: .*forbidden/);
    expect(t.text).to.include("Nothing had been changed.");
    expect(t.text).to.not.match(/also failed|by hand/i);
    expect(["unicorn", "unicorn-api"].map((n) => deployment(h, "staging", "github-staging", n).metadata.resourceVersion)).to.deep.equal(before);
    expect(lastAudit(h).outcome).to.equal("failure");
  });
});
