import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { REPO, SHAS } from "../../commands/deploy/helpers.js";

// GithubGateway.compareCommits against the sandbox GitHub, which pages compared commits as GitHub does (oldest
// first, at most 100 a page): a long comparison brings its oldest and its newest commits.

describe("GithubGateway.compareCommits (paged)", function () {
  this.timeout(30_000);
  let h: Harness;
  const chain: string[] = [];
  before(async () => {
    h = await startHarness();
    let parent = SHAS.main;
    for (let i = 0; i < 250; i++) {
      const sha = `f${(i + 1).toString(16).padStart(39, "0")}`;
      h.sandbox.github.store.addCommit(REPO, { sha, message: `change ${i + 1}`, parents: [parent], author: "octocat", date: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString().replace(".000Z", "Z") });
      chain.push(sha);
      parent = sha;
    }
  });
  after(async () => {
    await h.stop();
  });

  it("a short comparison in one request: every commit, oldest first", async () => {
    const c = await h.github.compareCommits(REPO, SHAS.main, chain[2]!);
    expect(c).to.deep.include({ status: "ahead", aheadBy: 3, behindBy: 0 });
    expect(c.commits.map((x) => x.message)).to.deep.equal(["change 1", "change 2", "change 3"]);
    expect(c.commits[0]).to.deep.include({ author: "octocat", date: "2026-11-01T00:00:00Z" });
  });

  it("250 commits: the oldest 100 (first page) and the newest 50 (last page), counted in full", async () => {
    const requests = () => h.sandbox.control.github.requests.count({ method: "GET", path: /\/compare\// });
    const before = requests();
    const c = await h.github.compareCommits(REPO, SHAS.main, chain.at(-1)!);
    expect(requests() - before).to.equal(2);
    expect(c.aheadBy).to.equal(250);
    expect(c.commits).to.have.length(150);
    expect(c.commits[0]!.message).to.equal("change 1");
    expect(c.commits[99]!.message).to.equal("change 100");
    expect(c.commits[100]!.message).to.equal("change 201");
    expect(c.commits.at(-1)!.sha).to.equal(chain.at(-1));
  });

  it("backwards: the target is behind what runs, with no commits of its own", async () => {
    const c = await h.github.compareCommits(REPO, chain[9]!, SHAS.main);
    expect(c).to.deep.include({ status: "behind", aheadBy: 0, behindBy: 10 });
    expect(c.commits).to.deep.equal([]);
  });
});
