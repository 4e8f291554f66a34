import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { appImages, githubDeployments, IMAGE, SHAS } from "./helpers.js";

// A closed, unmerged PR cannot be shipped by naming its branch instead of its number.

describe("a closed PR's branch", function () {
  this.timeout(20000);
  const h = useHarness({}, { each: true });

  it("/deploy old-idea to staging is refused like /deploy PR4815", async () => {
    const t = await h.run("/deploy old-idea to staging", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/Branch old-idea belongs to PR #4815 \("An old idea"\), which is closed without being merged; reopen it to deploy it/);
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.staging}`);
    expect(githubDeployments(h)).to.have.length(0);
  });

  for (const qualified of ["refs/heads/old-idea", "heads/old-idea"]) {
    it(`/deploy ${qualified} to staging (the branch's qualified ref) is refused too`, async () => {
      const t = await h.run(`/deploy ${qualified} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.match(/Branch old-idea belongs to PR #4815 \("An old idea"\), which is closed without being merged/);
      expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.staging}`);
      expect(githubDeployments(h)).to.have.length(0);
    });
  }

  it("/reviewlab up old-idea is refused too, and creates no namespace", async () => {
    const t = await h.run("/reviewlab up old-idea", { user: "UDEPLOYER", channel: "CGITHUB" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.match(/Branch old-idea belongs to PR #4815 .*closed without being merged/);
    expect(h.sandbox.clusters.staging!.getObject("v1", "Namespace", undefined, "review-lab-old-idea")).to.equal(undefined);
    expect(githubDeployments(h)).to.have.length(0);
  });

  it("a branch whose PR is open still deploys", async () => {
    const t = await h.run("/deploy feature/faster-unicorn to staging --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
  });
});
