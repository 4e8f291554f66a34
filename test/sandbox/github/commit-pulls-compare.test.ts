// The sandbox's "PRs associated with a commit" and "compare two commits", as GitHub documents them.
import { expect } from "chai";
import { R, SHAS, useGithubSandbox } from "./helpers.js";

const OLD_IDEA = "77a51aa966d710f860f47c8866e1fe14bc249e50"; // PR #4815's head, closed without being merged

describe("GitHub sandbox: commit → PRs, and compare", function () {
  this.timeout(20_000);
  const h = useGithubSandbox({ fresh: true });
  const pullsOf = async (commit_sha: string): Promise<number[]> =>
    (await h.octokit.repos.listPullRequestsAssociatedWithCommit({ ...R, commit_sha })).data.map((p) => p.number);
  const compare = async (basehead: string) => (await h.octokit.repos.compareCommitsWithBasehead({ ...R, basehead })).data;

  it("lists the open PRs that hold a commit off the default branch, by full or short sha", async () => {
    expect(await pullsOf(SHAS.pr4812)).to.deep.equal([4812]);
    expect(await pullsOf(SHAS.pr4812.slice(0, 7))).to.deep.equal([4812]);
  });

  it("leaves out PRs closed without being merged, and open PRs for a commit already on the default branch", async () => {
    expect(await pullsOf(OLD_IDEA)).to.deep.equal([]);
    expect(await pullsOf(SHAS.main)).to.deep.equal([]);
  });

  it("lists a merged PR for its commit, on the default branch or not", async () => {
    h.sb.store.setPullState("octo/github", 4815, "closed", true);
    expect(await pullsOf(OLD_IDEA)).to.deep.equal([4815]);
  });

  it("compares: behind/identical for commits on the base, ahead, diverged otherwise", async () => {
    const older = await compare("main...4e2b69b");
    expect([older.status, older.ahead_by, older.behind_by, older.merge_base_commit.sha]).to.deep.equal(["behind", 0, 1, SHAS.staging]);
    expect((await compare("main...main")).status).to.equal("identical");
    const pr = await compare(`main...${SHAS.pr4812}`);
    expect([pr.status, pr.ahead_by, pr.behind_by, pr.commits.map((c) => c.sha)]).to.deep.equal(["ahead", 1, 0, [SHAS.pr4812]]);
    const old = await compare(`main...${OLD_IDEA}`);
    expect([old.status, old.ahead_by, old.behind_by, old.merge_base_commit.sha]).to.deep.equal(["diverged", 1, 2, "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"]);
  });

  it("pages the compared commits when asked (per_page, page, a Link header), counting them all on every page", async () => {
    const first = await h.octokit.repos.compareCommitsWithBasehead({ ...R, basehead: `1a2b3c4d...${SHAS.pr4812}`, per_page: 2, page: 1 });
    expect([first.data.ahead_by, first.data.total_commits, first.data.commits.map((c) => c.sha)]).to.deep.equal([3, 3, [SHAS.staging, SHAS.main]]);
    expect(first.headers.link).to.match(/page=2>; rel="next"/);
    const second = await h.octokit.repos.compareCommitsWithBasehead({ ...R, basehead: `1a2b3c4d...${SHAS.pr4812}`, per_page: 2, page: 2 });
    expect([second.data.ahead_by, second.data.commits.map((c) => c.sha)]).to.deep.equal([3, [SHAS.pr4812]]);
    // Unpaged: every commit (up to 250) in one answer, without a Link header.
    const all = await h.octokit.repos.compareCommitsWithBasehead({ ...R, basehead: `1a2b3c4d...${SHAS.pr4812}` });
    expect([all.data.commits.length, all.headers.link]).to.deep.equal([3, undefined]);
  });

  it("answers 404 for an unknown ref or a malformed range", async () => {
    for (const basehead of ["main...missing", "main"]) {
      const err = await h.octokit.repos.compareCommitsWithBasehead({ ...R, basehead }).catch((e: { status: number }) => e);
      expect((err as { status: number }).status, basehead).to.equal(404);
    }
  });

  describe("OpenAPI fidelity", function () {
    it("answers as GitHub's OpenAPI description says (per-test check)", function () {
      h.assertFidelity();
    });
  });
});
