import { expect } from "chai";
import { labNamespaceObj, until } from "../commands/reviewlab/helpers.js";
import type { Harness } from "../helpers/harness.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// A lab brought up, re-upped and removed by GitHub's events gives its PR one comment, edited in place (the URL and
// the status), and a transient GitHub deployment per up, marked inactive when the lab goes.

const REPO = "octo/github";
const LAB = "review-lab-my-branch";

describe("review labs from pull requests: the PR's one comment and its transient deployments", function () {
  this.timeout(60_000);
  let w: WebhookHarness;
  let h: Harness;

  beforeEach(async () => {
    w = await startWebhookHarness({ configure: (c) => void (c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [] }) });
    h = w.h;
  });
  afterEach(async () => w.stop());

  const comments = () => h.sandbox.github.store.issueComments(REPO, 4816);
  const labDeployments = () => h.sandbox.github.store.deployments(REPO).filter((d) => d.environment.includes("my-branch"));
  const labSha = () => labNamespaceObj(h, LAB)?.metadata?.annotations?.["tugboat.dev/sha"] as string | undefined;

  it("label → one comment with the URL and a transient deployment; push → the same comment edited; close → it says removed", async () => {
    const before = comments().length;
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await w.settled();
    const mine = comments().slice(before);
    expect(mine).to.have.length(1);
    const id = mine[0]!.id;
    expect(mine[0]!.body).to.include("`663c692`").and.include("is ready").and.include("https://my-branch.review-lab.example.com");
    const first = labDeployments();
    expect(first).to.have.length(1);
    expect(first[0]!.transient_environment).to.equal(true);
    expect(first[0]!.production_environment).to.equal(false);
    expect(h.sandbox.github.store.deploymentState(REPO, first[0]!.id)).to.equal("success");
    expect(h.sandbox.github.store.deploymentStatuses(REPO, first[0]!.id).at(-1)!.environment_url).to.match(/^https:\/\/my-branch\.review-lab\.example\.com/);

    h.sandbox.github.ci!.delayMs = 50;
    const file = await w.octokit.repos.createOrUpdateFileContents({ ...R, path: "comment.md", branch: "my-branch", message: "Touch", content: Buffer.from("x").toString("base64") });
    const head = file.data.commit.sha!;
    await until("the lab at the pushed head", () => labSha() === head, 20_000);
    await w.settled();
    expect(comments().slice(before).map((c) => c.id)).to.deep.equal([id]);
    expect(comments().find((c) => c.id === id)!.body).to.include(`\`${head.slice(0, 7)}\``).and.include("is ready");
    // One per up at the new head (synchronize and CI's success may both bring it up there), each transient.
    expect(labDeployments().filter((d) => d.sha === head)).to.not.be.empty;
    expect(labDeployments().every((d) => d.transient_environment)).to.equal(true);

    await w.octokit.pulls.update({ ...R, pull_number: 4816, state: "closed" });
    await until("the lab namespace to be gone", () => labNamespaceObj(h, LAB) === undefined, 10_000);
    await w.settled();
    expect(comments().slice(before).map((c) => c.id)).to.deep.equal([id]);
    expect(comments().find((c) => c.id === id)!.body).to.match(/was removed/);
    for (const d of labDeployments()) expect(h.sandbox.github.store.deploymentState(REPO, d.id), `deployment ${d.id}`).to.equal("inactive");
  });
});
