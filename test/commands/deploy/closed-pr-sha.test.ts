import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { pushCommit } from "../reviewlab/helpers.js";
import { appImages, githubDeployments, IMAGE, SHAS } from "./helpers.js";

// A closed, unmerged PR cannot be shipped by naming its head commit instead of its number or branch.

const OLD_IDEA = "77a51aa966d710f860f47c8866e1fe14bc249e50"; // PR #4815's head, closed without being merged

describe("a closed PR's commit", function () {
  this.timeout(20000);
  const h = useHarness({}, { each: true });

  for (const sha of [OLD_IDEA, OLD_IDEA.slice(0, 7)]) {
    it(`/deploy ${sha} to staging is refused like /deploy PR4815, and nothing is deployed`, async () => {
      const t = await h.run(`/deploy ${sha} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.match(/Commit 77a51aa is not on main and no open or merged PR contains it \(was its PR closed without being merged\?\)/);
      expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.staging}`);
      expect(githubDeployments(h)).to.have.length(0);
    });

    it(`/reviewlab up ${sha} (a hex word is a branch name there) is refused too, and creates no namespace`, async () => {
      const t = await h.run(`/reviewlab up ${sha}`, { user: "UDEPLOYER", channel: "CGITHUB" });
      expect(t.final?.tone, t.text).to.equal("error");
      expect(t.text).to.match(/Commit 77a51aa is not on main and no open or merged PR contains it/);
      const namespaces = h.sandbox.clusters.staging!.listObjects("v1", "Namespace").map((n: any) => n.metadata.name);
      expect(namespaces.filter((n: string) => n.startsWith("review-lab-"))).to.deep.equal([]);
      expect(githubDeployments(h)).to.have.length(0);
    });
  }

  it("names the PR when GitHub lists the closed PR for the commit", async () => {
    // Whether GitHub lists PRs closed without being merged here is not settled in its docs; both answers are refused.
    const original = h.github.listPullsForCommit.bind(h.github);
    h.github.listPullsForCommit = async (repo, sha) =>
      sha === OLD_IDEA ? [{ number: 4815, title: "An old idea", author: "octocat", state: "closed", merged: false, headSha: OLD_IDEA, headRef: "old-idea", baseRef: "main", url: "" }] : original(repo, sha);
    const t = await h.run(`/deploy ${OLD_IDEA.slice(0, 7)} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.text).to.match(/Commit 77a51aa belongs to PR #4815 \("An old idea"\), which is closed without being merged; reopen it to deploy it/);
    expect(githubDeployments(h)).to.have.length(0);
  });

  it("a commit on main still deploys (sha of main's tip and an older one)", async () => {
    for (const sha of [SHAS.main.slice(0, 7), SHAS.staging]) {
      const t = await h.run(`/deploy ${sha} to staging --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
      expect(t.final?.tone, `${sha}: ${t.text}`).to.equal("success");
    }
  });

  it("an open PR's head sha still deploys", async () => {
    const t = await h.run(`/deploy ${SHAS.pr4812} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${SHAS.pr4812}`);
  });

  it("/canary promote ships a canary started from a branch without a PR (its sha was checked when the canary started)", async () => {
    const sha = pushCommit(h, "no-pr-yet", "one");
    const c = await h.run("/deploy no-pr-yet to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(c.final?.tone, c.text).to.equal("success");
    const p = await h.run("/canary promote", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(p.final?.tone, p.text).to.equal("success");
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${sha}`);
  });

  it("/canary promote refuses a canary whose PR was closed without being merged while it ran", async () => {
    const c = await h.run("/deploy PR4812 to canary", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(c.final?.tone, c.text).to.equal("success");
    h.sandbox.github.store.setPullState("octo/github", 4812, "closed");
    const p = await h.run("/canary promote", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(p.final?.tone, p.text).to.equal("error");
    expect(p.text).to.match(/The canary's PR #4812 \(".*"\) was closed without being merged; abort the canary, or reopen the PR to promote it\./);
    expect(appImages(h, "production", "github-production").unicorn).to.equal(`${IMAGE}:${SHAS.main}`);
    expect(githubDeployments(h, "production")).to.have.length(0);
  });

  it("reopening PR #4815 makes its commit deployable again", async () => {
    h.sandbox.github.store.setPullState("octo/github", 4815, "open");
    const t = await h.run(`/deploy ${OLD_IDEA.slice(0, 7)} to staging --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
  });
});
