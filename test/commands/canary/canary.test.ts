import { expect } from "chai";
import { guardCanaries } from "../../../src/domain/deploy/canary-guard.js";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, SHAS, appImages, deployment, githubDeployments, githubStates } from "../deploy/helpers.js";

// Canaries that go wrong are aborted: in the canary deploy's own follow-up, and by the canary guard afterwards.

describe("/canary failures and the canary guard", function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("a canary whose image cannot be pulled is aborted and reported; production is untouched", async () => {
    const t = await h.run("/deploy PR4813 to canary --force", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/ImagePullBackOff/);
    expect(t.text).to.match(/Aborted the canary: removed (unicorn-api-canary|unicorn-canary), (unicorn-api-canary|unicorn-canary); production is untouched/);
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.equal(undefined);
    expect(appImages(h, "production", "github-production")).to.deep.equal({ unicorn: `${IMAGE}:${SHAS.main}`, "unicorn-api": `${IMAGE}:${SHAS.main}` });
    const [gh] = githubDeployments(h, "canary");
    expect(githubStates(h, gh.id)).to.deep.equal(["in_progress", "failure"]);
  });

  it("the canary guard aborts a live canary that restarts and tells the channel that started it", async () => {
    const t = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CGITHUB" });
    expect(t.final?.tone, t.text).to.equal("success");
    const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } } as never;
    expect(await guardCanaries(h.app.services, log)).to.deep.equal([]);
    // A canary pod restarts.
    const prod = h.sandbox.clusters.production!;
    const pod = prod.listObjects("v1", "Pod", "github-production").find((p: any) => p.metadata.labels?.track === "canary" && p.metadata.labels?.app === "unicorn");
    pod.status.containerStatuses[0].restartCount = 1;
    prod.putObject(pod);
    const aborted = await guardCanaries(h.app.services, log);
    expect(aborted.sort()).to.deep.equal(["unicorn-api-canary", "unicorn-canary"]);
    expect(h.notices.map((n) => `${n.channel}: ${String(n.reply.summary)}`)).to.have.length(1);
    expect(h.notices[0]!.channel).to.equal("CGITHUB");
    expect(h.notices[0]!.reply.summary).to.match(/Aborted the github canary automatically: pod unicorn-canary-\S+ container unicorn restarted 1 time/);
    expect(deployment(h, "production", "github-production", "unicorn-canary")).to.equal(undefined);
    const [gh] = githubDeployments(h, "canary");
    expect(githubStates(h, gh.id).at(-1)).to.equal("failure");
    const s = await h.run("/canary status", { user: "UDEPLOYER", channel: "CGITHUB" });
    expect(s.text).to.include("github has no canary running in production.");
  });
});

describe("/deploy to canary: the GitHub deployment", function () {
  this.timeout(20000);
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  it("is transient even when the canary environment's config does not say so", async () => {
    h = await startHarness({
      configure: (c) => {
        c.environments.canary!.transient = false;
      },
    });
    const t = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    const [gh] = githubDeployments(h, "canary");
    expect(gh.transient_environment).to.equal(true);
    expect(gh.payload).to.include({ pr: 4812, actor: "UDEPLOYER", channel: "CDEPLOYS" });
  });
});
