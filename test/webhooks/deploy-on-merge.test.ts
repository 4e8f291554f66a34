import { expect } from "chai";
import { until } from "../commands/reviewlab/helpers.js";
import { latestState, type Harness } from "../helpers/harness.js";
import { R, startWebhookHarness, type WebhookHarness } from "./helpers.js";

// Deploy on merge, end to end: PRs merged through the real Octokit on the sandbox's GitHub, its CI's statuses, signed
// deliveries to Tugboat's endpoint, and the deploy use case (freezes, approvals, the lock) deploying the merge commit.

const REPO = "octo/github";

describe("deploy on merge (GitHub webhooks → deploy use case)", function () {
  this.timeout(90_000);
  let w: WebhookHarness;
  let h: Harness;

  beforeEach(async () => {
    w = await startWebhookHarness({ approvals: true, configure: (c) => void (c.apps.github!.autoDeploy = { branch: "main", environments: ["staging", "production"], imageTimeoutMinutes: 60, duringFreeze: "refuse" }) });
    h = w.h;
    // Long enough that a push is handled while ci/image is pending, also on a loaded machine: CI's success status,
    // not the push, then finds the commit ready (the audit tests name CI's login).
    h.sandbox.github.ci!.delayMs = 1_000;
  });
  afterEach(async () => w.stop());

  /** A branch with one file and a PR from it; returns the PR number. */
  async function openPull(branch: string): Promise<number> {
    const main = h.sandbox.github.store.repo(REPO).branches.get("main")!;
    await w.octokit.git.createRef({ ...R, ref: `refs/heads/${branch}`, sha: main });
    await w.octokit.repos.createOrUpdateFileContents({ ...R, path: `${branch}.txt`, branch, message: `Add ${branch}`, content: Buffer.from(branch).toString("base64") });
    return (await w.octokit.pulls.create({ ...R, head: branch, base: "main", title: `Ship ${branch}` })).data.number;
  }
  const deployedShas = (env: string) => h.sandbox.github.store.deployments(REPO).filter((d) => d.environment === env).map((d) => d.sha);
  const deployedState = (env: string, sha: string) => {
    const d = h.sandbox.github.store.deployments(REPO).find((x) => x.environment === env && x.sha === sha);
    return d ? h.sandbox.github.store.deploymentState(REPO, d.id) : undefined;
  };
  // Each message as it stands now (a deploy's message is updated in place).
  const channelText = () => h.notices.map((n) => `${n.channel} ${latestState(n).summary}`).join("\n");

  it("a merge is deployed to staging once its image status is green, then production waits for an approval", async () => {
    const pr = await openPull("ship-it");
    const merged = (await w.octokit.pulls.merge({ ...R, pull_number: pr })).data.sha;
    // The push comes first with ci/image pending: nothing yet; CI's success status starts the deploy.
    await until("the staging deploy of the merge", () => deployedState("staging", merged) === "success", 30_000);
    const stagingEntry = () => h.audit.find((e) => e.channel === "github" && e.command.includes("to staging"));
    await until("the staging deploy's audit entry", () => stagingEntry() !== undefined, 10_000);
    // CI's status found the merge ready, but the deploy is the merger's: GitHub's merged_by for the PR whose merge
    // commit this is (GitHub records it; git authorship is whatever the pusher wrote). CI's login stays a detail.
    expect(stagingEntry()).to.deep.include({ actor: "github:tugboat-bot", outcome: "success" });
    expect(stagingEntry()!.details).to.deep.include({ mergedPr: pr, mergedBy: "tugboat-bot", foundReadyBy: "sandbox-ci[bot]" });
    expect(channelText()).to.match(/CDEPLOYS .*staging/);
    // The staging deploy is one message, updated in place from its first progress to its result.
    const staging = h.notices.filter((n) => /staging/.test(latestState(n).summary));
    expect(staging.map((n) => [n.reply.tone, latestState(n).tone])).to.deep.equal([["info", "success"]]);
    expect(staging[0]!.updates.length).to.be.greaterThan(1);
    const [staged] = h.sandbox.github.store.deployments(REPO).filter((d) => d.environment === "staging" && d.sha === merged);
    expect(staged!.description).to.include(`PR #${pr} merged by tugboat-bot`);

    // Production needs one approval from someone else: the card is in the channel, and nothing is deployed yet.
    await until("the production approval card", () => JSON.stringify(h.notices).includes("/deploy approve "), 30_000);
    expect(deployedShas("production")).to.not.include(merged);
    const id = /\/deploy approve ([^"\s\\]+)/.exec(JSON.stringify(h.notices))![1]!;
    const approved = await h.run(`/deploy approve ${id}`, { user: "UAPPROVER", channel: "CDEPLOYS" });
    expect(approved.text).to.not.match(/denied|refused|internal error/i);
    await until("the production deploy of the merge", () => deployedState("production", merged) === "success", 60_000);
  });

  it("an older merge still building is superseded by a newer one: only the newer is deployed", async () => {
    h.sandbox.github.ci!.delayMs = 1_500;
    const first = await openPull("older");
    const second = await openPull("newer");
    const older = (await w.octokit.pulls.merge({ ...R, pull_number: first })).data.sha;
    const newer = (await w.octokit.pulls.merge({ ...R, pull_number: second })).data.sha;
    await until("the staging deploy of the newer merge", () => deployedState("staging", newer) === "success", 30_000);
    await h.sandbox.github.webhooks.idle();
    expect(deployedShas("staging")).to.not.include(older);
  });

  it("a push of a commit authored as someone else is not audited as that someone (git authorship is unchecked)", async () => {
    // Git authorship is whatever the pusher writes (here the CEO's noreply email): GitHub links the commit to the CEO.
    h.sandbox.github.store.addUser({ login: "the-ceo" });
    const pushed = await w.octokit.repos.createOrUpdateFileContents({
      ...R,
      path: "ceo.txt",
      branch: "main",
      message: "Ship it",
      content: Buffer.from("x").toString("base64"),
      author: { name: "The CEO", email: "the-ceo@users.noreply.github.com" },
    });
    const sha = pushed.data.commit.sha!;
    expect((await w.octokit.repos.getCommit({ ...R, ref: sha })).data.author?.login).to.equal("the-ceo");
    await until("the staging deploy of the push", () => deployedState("staging", sha) === "success", 30_000);
    const entry = () => h.audit.find((e) => e.channel === "github" && e.command.includes("to staging"));
    await until("the staging deploy's audit entry", () => entry() !== undefined, 10_000);
    // CI's status found it ready; the commit's claimed author is a detail, never the actor.
    expect(entry()).to.deep.include({ actor: "github:sandbox-ci[bot]", outcome: "success" });
    expect(entry()!.details).to.deep.include({ commitAuthor: "the-ceo" });
    expect(channelText()).to.not.match(/by the-ceo on GitHub/);
  });

  it("a merge during a freeze of staging is refused, and the channel says so", async () => {
    const frozen = await h.run("/deploy freeze staging 1h incident review", { user: "UADMIN", channel: "CDEPLOYS" });
    expect(frozen.final?.tone, frozen.text).to.not.equal("error");
    const pr = await openPull("frozen-change");
    const merged = (await w.octokit.pulls.merge({ ...R, pull_number: pr })).data.sha;
    await until("the refusal in the channel", () => /frozen/i.test(channelText()), 30_000);
    await until("the refused deploy's audit entry", () => h.audit.some((e) => e.channel === "github"), 10_000);
    expect(deployedShas("staging")).to.not.include(merged);
    expect(h.audit.find((e) => e.channel === "github" && e.command.includes("to staging"))).to.deep.include({ outcome: "failure", reason: "frozen" });
  });
});
