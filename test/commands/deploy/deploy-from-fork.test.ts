import { expect } from "chai";
import { useHarness } from "../../helpers/use-harness.js";
import { REPO, SHAS } from "./helpers.js";

// A PR whose branch is in a fork brings code from outside the repository, which a deploy runs with the environment's
// secrets. The plan, the confirmation and the result said nothing of it; they now warn, naming the fork.

describe("/deploy of a PR from a fork (through the router)", function () {
  this.timeout(30_000);
  const h = useHarness();

  it("the plan and the production confirmation name the fork; a PR of the repository's own branch gets no such line", async () => {
    const store = h.sandbox.github.store;
    store.addRepo("mallory/github", { description: "a fork" });
    const sha = "f0f0000000000000000000000000000000000001";
    store.addCommit(REPO, { sha, message: "Speed up the avatars", parents: [SHAS.main], author: "mallory" });
    store.setStatus(REPO, sha, "ci/image", "success");
    const pr = store.addPull(REPO, { title: "Speed up the avatars", head: "patch-1", headRepo: "mallory/github", sha, user: "mallory" });

    const dry = await h.run(`/deploy PR${pr.number} to staging --dry-run`, { user: "UADMIN", channel: "CDEPLOYS" });
    expect(dry.final?.tone, dry.text).to.equal("success");
    expect(dry.text).to.include(`⚠️ PR #${pr.number} comes from the fork mallory/github: code from outside the repository`);

    const prod = await h.run(`/deploy PR${pr.number} to production`, { user: "UADMIN", channel: "CDEPLOYS", confirm: "cancelled" });
    expect(prod.confirmations, prod.text).to.have.length(1);
    const shown = JSON.stringify(prod.confirmations[0]);
    expect(shown).to.include(`comes from the fork mallory/github`);

    const own = await h.run("/deploy PR4812 to staging --dry-run", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(own.final?.tone, own.text).to.equal("success");
    expect(own.text).to.not.include("comes from the fork");
  });
});
