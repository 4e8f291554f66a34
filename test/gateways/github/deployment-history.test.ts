import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { REPO, SHAS } from "../../commands/deploy/helpers.js";

// GithubGateway.listDeploymentHistory against the sandbox GitHub: pages of 100 newest first, stopping at `since` or
// the limit, each deployment with its statuses.

describe("GithubGateway.listDeploymentHistory (paged, bounded)", function () {
  this.timeout(60_000);
  let h: Harness;
  const ids: number[] = [];
  before(async () => {
    h = await startHarness();
    for (let i = 0; i < 230; i++) ids.push((await h.github.createDeployment(REPO, { ref: SHAS.main, environment: "staging", payload: {} })).id);
    await h.github.createDeploymentStatus(REPO, ids.at(-1)!, { state: "in_progress" });
    await h.github.createDeploymentStatus(REPO, ids.at(-1)!, { state: "success" });
    // The oldest 50 are from 2020.
    for (const id of ids.slice(0, 50)) h.sandbox.github.store.deployment(REPO, id)!.created_at = "2020-01-01T00:00:00Z";
  });
  after(async () => {
    await h.stop();
  });

  const listPages = () => h.sandbox.control.github.requests.list({ method: "GET" }).filter((r) => /\/deployments(\?|$)/.test(r.path)).length;

  it("reads page after page, newest first, with statuses newest first", async () => {
    const before = listPages();
    const all = await h.github.listDeploymentHistory(REPO, { environment: "staging", since: new Date("2019-01-01T00:00:00Z"), limit: 300 });
    expect(all).to.have.length(230);
    expect(all[0]!.id).to.equal(ids.at(-1));
    expect(all[0]!.statuses.map((s) => s.state)).to.deep.equal(["success", "in_progress"]);
    expect(listPages() - before).to.equal(3);
  });

  it("stops at the limit and at the first page that reaches past `since`", async () => {
    let before = listPages();
    expect(await h.github.listDeploymentHistory(REPO, { environment: "staging", since: new Date("2019-01-01T00:00:00Z"), limit: 150 })).to.have.length(150);
    expect(listPages() - before).to.equal(2);
    before = listPages();
    const recent = await h.github.listDeploymentHistory(REPO, { environment: "staging", since: new Date("2021-01-01T00:00:00Z"), limit: 300 });
    expect(recent).to.have.length(180);
    expect(recent.map((d) => d.id)).not.to.include(ids[49]);
    expect(listPages() - before).to.equal(2);
  });
});
