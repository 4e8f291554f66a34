import { expect } from "chai";
import { Octokit } from "@octokit/rest";
import { labNamespaceObj, staging, until } from "../commands/reviewlab/helpers.js";
import type { Harness } from "../helpers/harness.js";
import { WEBHOOKS_PATH } from "../../src/webhooks/webhook-endpoint.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// Review labs from pull requests, end to end: the sandbox's GitHub changes through the real Octokit, delivers signed
// webhooks to Tugboat's endpoint over HTTP, and the lab use case brings the lab up, re-ups it and removes it.

const LAB = "review-lab-my-branch";

describe("review labs from pull requests (GitHub webhooks → lab use case)", function () {
  this.timeout(60_000);
  let w: WebhookHarness;
  let h: Harness;

  beforeEach(async () => {
    w = await startWebhookHarness({ configure: (c) => void (c.reviewlab!.auto = { label: "review-lab", drafts: false, ignoreLabels: [] }) });
    h = w.h;
  });
  afterEach(async () => w.stop());

  const settled = () => w.settled();
  const labSha = () => labNamespaceObj(h, LAB)?.metadata?.annotations?.["tugboat.dev/sha"] as string | undefined;

  it("labelling PR4816 brings its lab up, a push re-ups it once its image is built, closing it removes the namespace within 10 s", async () => {
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await settled();
    expect(labNamespaceObj(h, LAB), "lab namespace").to.not.equal(undefined);
    expect(labSha()).to.equal("663c692a0f1296edefa2dbd3fa35d535f8881708");
    const up = h.audit.find((e) => e.channel === "github" && e.command.includes("up for PR #4816"));
    expect(up).to.deep.include({ actor: "github:tugboat-bot", outcome: "success" });
    // Nobody asked in chat: the app's channel hears it.
    expect(h.notices.map((n) => `${n.channel} ${n.reply.summary}`)).to.deep.equal([
      "CDEPLOYS Review lab for PR #4816 is up at https://my-branch.review-lab.example.com, at 663c692 (pull_request labeled, by tugboat-bot on GitHub).",
    ]);
    const expiresBefore = Date.parse(labNamespaceObj(h, LAB).metadata.annotations["tugboat.dev/expires-at"]);

    // A push to the PR's branch: synchronize comes while the sandbox CI still builds (the image gate refuses, the
    // lab stays at its sha); the CI's success status for the new head brings the lab up there.
    h.sandbox.github.ci!.delayMs = 50;
    const file = await w.octokit.repos.createOrUpdateFileContents({ ...R, path: "README.lab.md", branch: "my-branch", message: "Touch", content: Buffer.from("x").toString("base64") });
    const head = file.data.commit.sha!;
    await until("the lab at the pushed head", () => labSha() === head, 20_000);
    await settled();
    expect(Date.parse(labNamespaceObj(h, LAB).metadata.annotations["tugboat.dev/expires-at"])).to.be.above(expiresBefore);

    // Labels that are not the lab's change nothing; removing the lab's label removes the lab.
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["bug"] });
    await settled();
    expect(labSha()).to.equal(head);

    const closing = Date.now();
    await w.octokit.pulls.update({ ...R, pull_number: 4816, state: "closed" });
    await until("the lab namespace to be gone", () => labNamespaceObj(h, LAB) === undefined, 10_000);
    expect(Date.now() - closing).to.be.below(10_000);
    await settled();
    expect(h.audit.find((e) => e.channel === "github" && e.command.includes("down for PR #4816"))).to.deep.include({ outcome: "success" });
  });

  it("a fork's PR gets no lab from its label or from CI's success on its head, and the channel hears why", async () => {
    const gh = h.sandbox.github.store;
    gh.addRepo("mallory/github");
    const sha = "f0".repeat(20);
    const pr = gh.addPull("octo/github", { title: "Harmless", user: "mallory", head: "my-fork-branch", headRepo: "mallory/github", sha });
    expect((await w.octokit.pulls.get({ ...R, pull_number: pr.number })).data.head.repo?.full_name).to.equal("mallory/github");
    await w.octokit.issues.addLabels({ ...R, issue_number: pr.number, labels: ["review-lab"] });
    // CI's own success (its App, trusted by the sandbox config) on the fork's head.
    await new Octokit({ baseUrl: h.sandbox.github.url, auth: "sandbox-ci-app-token" }).repos.createCommitStatus({ ...R, sha, state: "success", context: "ci/image" });
    await settled();
    expect(h.sandbox.github.webhooks.deliveries.some((d) => d.event === "status")).to.equal(true);
    expect(labNamespaceObj(h, "review-lab-my-fork-branch")).to.equal(undefined);
    expect(h.audit.filter((e) => e.channel === "github")).to.deep.equal([]);
    expect(h.notices.map((n) => n.reply.summary)).to.deep.equal([
      `Review lab for PR #${pr.number} not brought up: its branch is in mallory/github, and a fork's pushes are nobody's review; ask for it from chat with /reviewlab up PR${pr.number} (labeled by tugboat-bot on GitHub).`,
    ]);
  });

  it("removing the label removes the lab; an unsigned delivery changes nothing", async () => {
    await w.octokit.issues.addLabels({ ...R, issue_number: 4816, labels: ["review-lab"] });
    await settled();
    expect(labNamespaceObj(h, LAB)).to.not.equal(undefined);
    const forged = await fetch(`http://127.0.0.1:${w.port}${WEBHOOKS_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "forged-1" },
      body: JSON.stringify(h.sandbox.github.webhooks.deliveries.find((d) => d.action === "labeled")!.payload).replace('"labeled"', '"closed"'),
    });
    expect(forged.status).to.equal(401);
    await settled();
    expect(labNamespaceObj(h, LAB)).to.not.equal(undefined);
    await w.octokit.issues.removeLabel({ ...R, issue_number: 4816, name: "review-lab" });
    await until("the lab namespace to be gone", () => labNamespaceObj(h, LAB) === undefined, 10_000);
  });
});
