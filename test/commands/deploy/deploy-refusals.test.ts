import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, REPO, SHAS, appImages, githubDeployments } from "./helpers.js";

// Refusals: bad input, the image gate, roles, channels. None of these may change anything.

describe("/deploy refusals", function () {
  this.timeout(20000);
  let h: Harness;
  before(async () => {
    h = await startHarness({
      configure: (c) => {
        c.environments.production!.channels = ["CDEPLOYS"];
      },
    });
  });
  after(async () => {
    await h.stop();
  });
  afterEach(() => {
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.staging}`);
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.main}`);
  });

  describe("bad input gets one line and the usage", () => {
    const cases: Array<[string, RegExp]> = [
      ["/deploy PR4812", /missing `to ENV`: there is no default environment/],
      ["/deploy PR4812 to", /missing the environment after `to`/],
      ["/deploy to staging", /missing what to deploy/],
      ["/deploy", /what should be deployed/],
      ["/deploy PR4812 to nowhere", /unknown environment "nowhere" \(one of: production, canary, staging\)/],
      ["/deploy gitlab PR4812 to staging", /unknown app "gitlab" \(known apps: github\)/],
      ["/deploy PR4812 to staging now please", /unexpected words after the environment: "now" "please"/],
      ["/deploy github PR4812 extra to staging", /too many words before `to`/],
      ["/deploy PR4812 to staging --yolo", /unknown flag --yolo/],
      ["/deploy PR4812 to staging --force=maybe", /--force takes no value/],
      ["/deploy {{image}} to staging", /"\{\{image\}\}" is not a PR \(PR4812 or #4812\), branch or commit sha/],
      ["/deploy PR4812 to $(rm)", /is not a valid environment name/],
      ["/deploy history github staging extra", /unexpected words: "extra"/],
      ["/deploy history -n 0", /--limit must be a whole number from 1 to 100/],
      ["/deploy lock github", /missing ENV/],
      ["/deploy rollback", /missing APP and ENV/],
      ["/deploy unlock github staging now", /unexpected words: "now"/],
      ["/canary promote github extra", /unexpected words: "extra"/],
      ["/canary abort --force", /unknown flag --force/],
    ];
    for (const [line, reason] of cases) {
      it(line, async () => {
        const t = await h.run(line, { user: "UADMIN", channel: "CDEPLOYS" });
        expect(t.whispers, t.text).to.have.length(1);
        const text = t.text;
        expect(text).to.match(reason);
        expect(text).to.include("Usage: /");
        expect(t.final).to.equal(undefined);
      });
    }
  });

  it("refuses a closed, unmerged PR and an unknown branch", async () => {
    let t = await h.run("/deploy PR4815 to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone).to.equal("error");
    expect(t.text).to.match(/PR #4815 \("An old idea"\) is closed without being merged/);
    t = await h.run("/deploy no-such-branch to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.text).to.match(/branch "no-such-branch" was not found in octo\/github/);
  });

  describe("the image gate", () => {
    it("refuses a red image (PR4813) naming the context", async () => {
      const t = await h.run("/deploy PR4813 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.final?.tone).to.equal("error");
      expect(t.text).to.match(/image for PR #4813 \(0da8a43\) is not ready: `ci\/image` is failure/);
      expect(t.text).to.include("--force");
    });
    it("refuses a pending image (PR4814)", async () => {
      const t = await h.run("/deploy #4814 to staging", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.text).to.match(/`ci\/image` is pending/);
    });
    it("refuses a sha without the context, naming each missing one", async () => {
      const sha = "abcdef0123456789abcdef0123456789abcdef01";
      h.sandbox.github.store.addCommit(REPO, { sha, message: "no image yet", parents: [SHAS.main] });
      // An open PR holds it: a commit off main in no open or merged PR is refused before the gate.
      h.sandbox.github.store.addPull(REPO, { title: "No image yet", head: "no-image-yet", sha });
      h.config.apps.github!.imageContexts = ["ci/image", "ci/scan"];
      try {
        const t = await h.run(`/deploy ${sha.slice(0, 10)} to staging`, { user: "UDEPLOYER", channel: "CDEPLOYS" });
        expect(t.text).to.match(/`ci\/image` is missing \(never reported\); `ci\/scan` is missing/);
      } finally {
        h.config.apps.github!.imageContexts = ["ci/image"];
      }
    });
    it("--force needs deploy:force", async () => {
      const t = await h.run("/deploy PR4814 to staging --force", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.text).to.match(/Denied: you need the `deploy:force` permission/);
      expect(githubDeployments(h)).to.have.length(0);
    });
  });

  describe("roles and channels", () => {
    it("UDEPLOYER may not deploy production", async () => {
      const t = await h.run("/deploy PR4812 to production", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.text).to.match(/Denied: you need the `deploy:production` permission/);
      expect(h.audit.at(-1)).to.include({ decision: "denied", permission: "deploy:production" });
    });
    it("UVIEWER may deploy nothing", async () => {
      for (const env of ["staging", "canary", "production"]) {
        const t = await h.run(`/deploy PR4812 to ${env}`, { user: "UVIEWER", channel: "CDEPLOYS" });
        expect(t.text).to.match(new RegExp(`Denied: you need the \`deploy:${env}\` permission`));
      }
      for (const line of ["/deploy lock github staging", "/deploy rollback github staging", "/canary abort", "/canary promote"]) {
        const t = await h.run(line, { user: "UVIEWER", channel: "CDEPLOYS" });
        expect(t.text).to.match(/Denied/);
      }
    });
    it("production (and its canary) only from the configured channel", async () => {
      let t = await h.run("/deploy PR4812 to production", { user: "UADMIN", channel: "CRANDOM" });
      expect(t.final?.tone).to.equal("error");
      expect(t.text).to.match(/Deploys to production may only run from <#CDEPLOYS>/);
      expect(t.confirmations).to.have.length(0);
      t = await h.run("/deploy PR4812 to canary", { user: "UDEPLOYER", channel: "CRANDOM" });
      expect(t.text).to.match(/Deploys to canary may only run from <#CDEPLOYS>/);
    });
    it("/deploy where lists the environments the caller may deploy to from here", async () => {
      let t = await h.run("/deploy where github", { user: "UDEPLOYER", channel: "CDEPLOYS" });
      expect(t.text).to.match(/You may deploy github to 2 environments from here/);
      expect(t.text).to.match(/canary: production \/ github-production/);
      expect(t.text).to.match(/staging: staging \/ github-staging/);
      expect(t.text).to.match(/production: needs `deploy:production`/);
      t = await h.run("/deploy where", { user: "UADMIN", channel: "CRANDOM" });
      expect(t.text).to.match(/production: only from #CDEPLOYS/);
    });
  });
});
