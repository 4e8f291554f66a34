import { expect } from "chai";
import { Octokit } from "@octokit/rest";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { IMAGE, REPO, SHAS, appImages, githubDeployments } from "./helpers.js";

// The image gate trusts only who may vouch for an image (apps.<app>.imageTrust; the sandbox config trusts its CI App,
// sandbox-ci). A commit status is anyone's to write who can push: GitHub records its creator, and a status by
// someone else is ignored and named in the refusal. Through the router against the sandbox's GitHub API, whose list
// of statuses carries each one's creator as GitHub's does.

const [OWNER, NAME] = REPO.split("/") as [string, string];

describe("/deploy image gate: whose status counts (apps.<app>.imageTrust)", function () {
  this.timeout(30_000);
  let h: Harness;
  let n = 0;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  /** A new commit on a new branch, with no status yet. */
  function newBranch(): { branch: string; sha: string } {
    n += 1;
    const sha = `${"a".repeat(38)}${String(n).padStart(2, "0")}`;
    const branch = `trust-${n}`;
    h.sandbox.github.store.addCommit(REPO, { sha, message: "untrusted image", parents: [SHAS.main] });
    h.sandbox.github.store.setBranch(REPO, branch, sha);
    return { branch, sha };
  }

  /** A real Octokit acting as `login` on the sandbox's GitHub (a token added for it). */
  function actingAs(login: string): Octokit {
    const token = `token-of-${login}`;
    h.sandbox.github.store.addToken(token, login);
    return new Octokit({ baseUrl: h.sandbox.github.url, auth: token });
  }

  it("a ci/image success set by a person (mallory) does not pass the gate, and the refusal says whose status was ignored", async () => {
    const { branch, sha } = newBranch();
    await actingAs("mallory").repos.createCommitStatus({ owner: OWNER, repo: NAME, sha, state: "success", context: "ci/image", description: "trust me" });
    const before = appImages(h, "staging", "github-staging");
    const t = await h.run(`/deploy ${branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("is not ready");
    expect(t.text).to.include("`ci/image` is not reported by a trusted reporter");
    expect(t.text).to.include("ignored success by mallory: not trusted (apps.github.imageTrust)");
    expect(appImages(h, "staging", "github-staging")).to.deep.equal(before);
    expect(githubDeployments(h, "staging").filter((d) => d.sha === sha)).to.deep.equal([]);
  });

  it("Tugboat's own token (what /github status uses) is not CI either; the CI App's status then passes, and a later status by a person does not undo it", async () => {
    const { branch, sha } = newBranch();
    // What /github status does on the sandbox: a status made with Tugboat's own token (tugboat-bot).
    await new Octokit({ baseUrl: h.sandbox.github.url, auth: h.sandbox.github.token }).repos.createCommitStatus({ owner: OWNER, repo: NAME, sha, state: "success", context: "ci/image" });
    const refused = await h.run(`/deploy ${branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(refused.text).to.include("ignored success by tugboat-bot: not trusted");

    // The sandbox CI App (sandbox-ci[bot], trusted as apps: [sandbox-ci]) reports the image.
    await actingAs("sandbox-ci[bot]").repos.createCommitStatus({ owner: OWNER, repo: NAME, sha, state: "success", context: "ci/image", description: "Image pushed" });
    // A failure by someone untrusted afterwards is not the CI's word: the trusted success decides.
    await actingAs("mallory").repos.createCommitStatus({ owner: OWNER, repo: NAME, sha, state: "failure", context: "ci/image" });
    const t = await h.run(`/deploy ${branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
    expect(appImages(h, "staging", "github-staging").unicorn).to.equal(`${IMAGE}:${sha}`);
  });

  it("CI's success buried under 150 newer statuses by someone else still counts (the statuses are read past their first page)", async () => {
    const { branch, sha } = newBranch();
    const store = h.sandbox.github.store;
    store.setStatus(REPO, sha, "ci/image", "success", { description: "Image pushed" });
    for (let i = 0; i < 150; i++) store.setStatus(REPO, sha, "ci/image", "failure", { creator: "mallory", description: `noise ${i}` });
    const t = await h.run(`/deploy ${branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
  });

  it("a check run by a GitHub App the config does not name is ignored and named as the app", async () => {
    const { branch, sha } = newBranch();
    await actingAs("rogue-ci[bot]").checks.create({ owner: OWNER, repo: NAME, name: "ci/image", head_sha: sha, status: "completed", conclusion: "success" });
    const t = await h.run(`/deploy ${branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("error");
    expect(t.text).to.include("ignored success by app rogue-ci: not trusted");
  });

  it("without imageTrust, GitHub Apps vouch (a check run, a bot's status) and a person's status never does", async () => {
    await h.stop();
    h = await startHarness({ configure: (c) => void delete c.apps.github!.imageTrust });
    const person = newBranch();
    await actingAs("octocat").repos.createCommitStatus({ owner: OWNER, repo: NAME, sha: person.sha, state: "success", context: "ci/image" });
    expect((await h.run(`/deploy ${person.branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" })).text).to.include("ignored success by octocat: not trusted");
    const app = newBranch();
    await actingAs("any-ci[bot]").checks.create({ owner: OWNER, repo: NAME, name: "ci/image", head_sha: app.sha, status: "completed", conclusion: "success" });
    const t = await h.run(`/deploy ${app.branch} to staging`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(t.final?.tone, t.text).to.equal("success");
  });
});
