import { expect } from "chai";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { labNamespaceObj, pushCommit, REPO } from "./helpers.js";

// A lab's PR gets one comment, edited in place: every `up` rewrites it with the sha it runs, and the removal says so.

describe("/reviewlab: one PR comment, edited in place (sandbox, through the router)", function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h?.stop());
  const comments = () => h.sandbox.github.store.issueComments(REPO, 4816);

  it("up posts it, a second up at a new sha edits it, down says the lab was removed", async () => {
    const before = comments().length;
    expect((await h.run("/reviewlab up PR4816", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    const mine = comments().slice(before);
    expect(mine).to.have.length(1);
    const id = mine[0]!.id;
    expect(mine[0]!.body).to.match(/^The review lab for `my-branch` \(`663c692`\) is ready: <https:\/\/my-branch\.review-lab\.example\.com\/?>$/);
    expect(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/pr-comment"]).to.equal(String(id));

    const sha = pushCommit(h, "my-branch", "second", { pr: 4816 });
    expect((await h.run("/reviewlab up my-branch", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    expect(comments().slice(before).map((c) => c.id)).to.deep.equal([id]);
    expect(comments().find((c) => c.id === id)!.body).to.include(`(\`${sha.slice(0, 7)}\`) is ready`);

    expect((await h.run("/reviewlab down my-branch", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    expect(comments().slice(before).map((c) => c.id)).to.deep.equal([id]);
    expect(comments().find((c) => c.id === id)!.body).to.match(/^The review lab for `my-branch` was removed: its namespace is gone\.$/);
  });

  it("a comment someone deleted is posted anew on the next up", async () => {
    expect((await h.run("/reviewlab up PR4816", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    const id = Number(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/pr-comment"]);
    // Someone deletes it on GitHub.
    const all = h.sandbox.github.store.repo(REPO).comments;
    all.splice(all.findIndex((c) => c.id === id), 1);
    expect((await h.run("/reviewlab up PR4816", { user: "UDEPLOYER" })).final?.tone).to.equal("success");
    const next = Number(labNamespaceObj(h, "review-lab-my-branch").metadata.annotations["tugboat.dev/pr-comment"]);
    expect(next).to.not.equal(id);
    expect(comments().filter((c) => c.id === next)).to.have.length(1);
    await h.run("/reviewlab down my-branch", { user: "UDEPLOYER" });
  });
});
